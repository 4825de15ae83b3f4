"""The line above the window's panes that says what went wrong (red) or what to do next (blue)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from .i18n import tr

STYLES = {"problem": "color: #b71c1c; font-weight: bold;", "info": "color: #0d47a1;"}


class Banner(QWidget):
    """Hidden until ``show_notice``; the facilitator closes it with ✕ (or it is cleared)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setObjectName("banner")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.PlainText)  # it may quote a participant's nickname
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.close_button = QPushButton("✕")
        self.close_button.setFlat(True)
        self.close_button.setFixedWidth(28)
        self.close_button.setToolTip(tr("Banner", "Close this message"))
        self.close_button.setAccessibleName(tr("Banner", "Close this message"))
        self.close_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button)
        self.hide()

    def text(self) -> str:
        return self.label.text()

    def show_notice(self, kind: str | None, text: str) -> None:
        """``kind``: "problem" or "info"; None clears the banner."""
        if kind is None:
            self.clear()
            return
        self.label.setStyleSheet(STYLES[kind])
        self.label.setText(text)
        self.show()

    def clear(self) -> None:
        self.label.clear()
        self.hide()
