"""Participants choose their nickname and send their device string: Qt must show such text literally.

Labels and message boxes take ``Qt.PlainText``; table cells draw plain text already. A tooltip has no
format setting (Qt renders it as HTML whenever it looks like HTML), so it gets escaped HTML instead."""

from __future__ import annotations

from PySide6.QtGui import Qt


def tooltip(text: str) -> str:
    """``text`` as a tooltip that shows it character for character: escaped, inside a paragraph."""
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceNormal)
