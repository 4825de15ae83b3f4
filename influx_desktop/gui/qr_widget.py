"""A QR code drawn module by module with QPainter from qrcode's matrix (crisp at any size, no Pillow)."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from .i18n import tr

QUIET_ZONE = 4  # modules of white border the QR standard asks for


def qr_matrix(text: str) -> list[list[bool]]:
    """The module matrix (quiet zone included) for ``text``: True is a dark module."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


class QrCodeView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._matrix: list[list[bool]] = []
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(160, 160)
        self.setAccessibleName(tr("QrCodeView", "Join QR code"))

    def text(self) -> str:
        return self._text

    def matrix(self) -> list[list[bool]]:
        return [row[:] for row in self._matrix]

    def set_text(self, text: str) -> None:
        self._text = text
        self._matrix = qr_matrix(text) if text else []
        self.setToolTip(text)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(320, 320)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        n = len(self._matrix)
        if not n:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(
                self.rect(),
                Qt.AlignCenter | Qt.TextWordWrap,
                tr("QrCodeView", "The join QR code appears here\nwhen the session runs."),
            )
            return
        module = max(1, min(self.width(), self.height()) // n)  # whole pixels per module: sharp edges
        side = module * n
        origin_x, origin_y = (self.width() - side) // 2, (self.height() - side) // 2
        painter.fillRect(QRect(origin_x, origin_y, side, side), QColor("white"))
        black = QColor("black")
        for y, row in enumerate(self._matrix):
            for x, dark in enumerate(row):
                if dark:
                    painter.fillRect(QRect(origin_x + x * module, origin_y + y * module, module, module), black)
