"""How participants join: a large QR code of the join URL, the URL as text with a copy button, a warning
when the chosen network cannot be reached by other devices, and a full-screen "present" view for the
projector with a live participant count."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .i18n import tr
from .qr_widget import QrCodeView

WARNING_STYLE = "background: #fff3cd; color: #6b4f00; border: 1px solid #e0b000; border-radius: 4px; padding: 6px;"


def _count_text(count: int) -> str:
    if count == 0:
        return tr("JoinPanel", "No one has joined yet")
    if count == 1:
        return tr("JoinPanel", "1 participant joined")
    return tr("JoinPanel", "{n} participants joined", n=count)


def _warning_label() -> QLabel:
    label = QLabel()
    label.setObjectName("network_warning")
    label.setWordWrap(True)
    label.setStyleSheet(WARNING_STYLE)
    label.hide()
    return label


class JoinPanel(QWidget):
    present_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.qr = QrCodeView()
        self.warning = _warning_label()
        self.heading = QLabel()  # which session this code joins: the window serves several
        self.heading.setObjectName("join_title")
        self.heading.setWordWrap(True)
        heading_font = self.heading.font()
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.2)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.url = QLabel()
        self.url.setObjectName("join_url")
        self.url.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.url.setWordWrap(True)
        font = self.url.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.url.setFont(font)
        self.code = QLabel()
        self.code.setObjectName("join_code")
        self.copy_button = QPushButton(tr("JoinPanel", "Copy link"))
        self.copy_button.clicked.connect(self.copy_url)
        self.present_button = QPushButton(tr("JoinPanel", "Present full screen"))
        self.present_button.clicked.connect(self.present_requested)
        self.count = QLabel(_count_text(0))
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.present_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.warning)  # right above the code it is about
        layout.addWidget(self.qr, 1)
        layout.addWidget(self.url)
        layout.addWidget(self.code)
        layout.addWidget(self.count)
        layout.addLayout(buttons)
        self.set_url(None)

    def set_url(self, url: str | None, join_code: str | None = None, title: str | None = None) -> None:
        """Show how to join the session ``title`` (``url`` None: it is not served)."""
        self.heading.setText(tr("JoinPanel", "Join: {title}", title=title) if url and title else "")
        self.heading.setVisible(bool(url and title))
        self.qr.set_text(url or "")
        self.url.setText(url or tr("JoinPanel", "Press Start to get this session's join link."))
        self.code.setText(tr("JoinPanel", "Join code: {code}", code=join_code) if url and join_code else "")
        self.copy_button.setEnabled(bool(url))
        self.present_button.setEnabled(bool(url))

    def set_network_warning(self, text: str | None) -> None:
        """Say (next to the QR code) why other devices cannot reach the chosen network; None hides it."""
        self.warning.setText(text or "")
        self.warning.setVisible(bool(text))

    def network_warning(self) -> str | None:
        return self.warning.text() or None

    def join_url(self) -> str:
        return self.qr.text()

    def set_participant_count(self, count: int) -> None:
        self.count.setText(_count_text(count))

    def copy_url(self) -> None:
        if self.join_url():
            QGuiApplication.clipboard().setText(self.join_url())


class PresentWindow(QWidget):
    """Full screen for a projector: QR, URL, title and participant count. Esc or a click closes it."""

    def __init__(self, title: str, url: str, count: int, warning: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.Window)
        self.setStyleSheet("background: white; color: black;")
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignCenter)
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 2.5)
        big.setBold(True)
        self.title.setFont(big)
        self.warning = _warning_label()  # for the facilitator: a little larger than normal, well below the rest
        self.warning.setAlignment(Qt.AlignCenter)
        warning_font = QFont(self.font())
        warning_font.setPointSizeF(warning_font.pointSizeF() * 1.3)
        self.warning.setFont(warning_font)
        self.warning.setText(warning or "")
        self.warning.setVisible(bool(warning))
        self.qr = QrCodeView()
        self.url = QLabel()
        self.url.setAlignment(Qt.AlignCenter)
        medium = QFont(self.font())
        medium.setPointSizeF(medium.pointSizeF() * 2)
        self.url.setFont(medium)
        self.count = QLabel(_count_text(count))
        self.count.setAlignment(Qt.AlignCenter)
        self.count.setFont(medium)
        self.hint = QLabel(tr("PresentWindow", "Scan the code with your phone's camera, or type the address into your browser."))
        self.hint.setAlignment(Qt.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setFont(medium)  # read from the back of the room
        self.close_hint = QLabel(tr("PresentWindow", "Esc or a click closes this view."))
        self.close_hint.setAlignment(Qt.AlignCenter)
        self.close_hint.setStyleSheet("color: gray;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.warning)
        layout.addWidget(self.qr, 1)
        layout.addWidget(self.url)
        layout.addWidget(self.count)
        layout.addWidget(self.hint)
        layout.addWidget(self.close_hint)
        self.show_session(title, url)
        QShortcut(QKeySequence(Qt.Key_Escape), self, activated=self.close)

    def show_session(self, title: str, url: str) -> None:
        """Show another session's title and join link (the window shows another served session)."""
        self.setWindowTitle(tr("PresentWindow", "Join: {title}", title=title))
        self.title.setText(title)
        self.qr.set_text(url)
        self.url.setText(url)

    def set_participant_count(self, count: int) -> None:
        self.count.setText(_count_text(count))

    def mousePressEvent(self, _event) -> None:
        self.close()
