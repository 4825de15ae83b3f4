"""A small line chart drawn with QPainter (PySide6-Essentials has no QtCharts)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class LineChart(QWidget):
    def __init__(
        self,
        title: str,
        x_label: str,
        y_range: tuple[float, float] | None = None,
        y_format: str = "{:g}",
        color: str = "#1f77b4",
        empty_text: str = "",
        integer_y: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.x_label = x_label
        self.y_range = y_range
        self.y_format = y_format
        self.color = QColor(color)
        self.empty_text = empty_text
        self.integer_y = integer_y  # counts: gridlines on whole numbers
        self.setToolTip(title)
        self._points: list[tuple[float, float]] = []
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(220, 150)

    def points(self) -> list[tuple[float, float]]:
        return list(self._points)

    def set_points(self, points: list[tuple[float, float]], empty_text: str | None = None) -> None:
        self._points = list(points)
        if empty_text is not None:
            self.empty_text = empty_text
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, 200)

    def _ranges(self) -> tuple[float, float, float, float]:
        xs = [p[0] for p in self._points] or [0.0, 1.0]
        ys = [p[1] for p in self._points] or [0.0, 1.0]
        x0, x1 = min(xs), max(xs)
        if x1 == x0:
            x0, x1 = x0 - 1, x1 + 1
        if self.y_range is not None:
            y0, y1 = self.y_range
        else:
            y0, y1 = min(0.0, min(ys)), max(ys)
            if y1 <= y0:
                y1 = y0 + 1
            y1 += (y1 - y0) * 0.1
            if self.integer_y:
                y0, y1 = math.floor(y0), 4 * math.ceil(y1 / 4)
        return x0, x1, y0, y1

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        palette = self.palette()
        text_color = palette.windowText().color()
        painter.fillRect(self.rect(), palette.base())
        metrics = painter.fontMetrics()
        line_h = metrics.height()
        painter.setPen(text_color)
        title = metrics.elidedText(self.title, Qt.ElideRight, self.width() - 8)  # the whole title is the tooltip
        painter.drawText(QRectF(0, 2, self.width(), line_h), Qt.AlignHCenter, title)
        x0, x1, y0, y1 = self._ranges()
        left = max(metrics.horizontalAdvance(self.y_format.format(y)) for y in (y0, y1, 0.888888)) + 10  # "100%" fits
        plot = QRectF(left, line_h + 8, self.width() - left - 12, self.height() - 2 * line_h - 20)
        if plot.width() < 20 or plot.height() < 20:
            return

        def to_screen(x: float, y: float) -> QPointF:
            return QPointF(
                plot.left() + (x - x0) / (x1 - x0) * plot.width(), plot.bottom() - (y - y0) / (y1 - y0) * plot.height()
            )

        grid = QPen(palette.mid().color(), 1, Qt.DotLine)
        for i in range(5):
            y = y0 + (y1 - y0) * i / 4
            p = to_screen(x0, y)
            painter.setPen(grid)
            painter.drawLine(QPointF(plot.left(), p.y()), QPointF(plot.right(), p.y()))
            painter.setPen(text_color)
            painter.drawText(
                QRectF(0, p.y() - line_h / 2, left - 6, line_h), Qt.AlignRight | Qt.AlignVCenter, self.y_format.format(y)
            )
        painter.setPen(QPen(text_color, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), line_h), Qt.AlignLeft, f"{x0:g}")
        painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), line_h), Qt.AlignHCenter, self.x_label)
        painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), line_h), Qt.AlignRight, f"{x1:g}")
        if not self._points:
            painter.setPen(palette.placeholderText().color())
            painter.drawText(plot, Qt.AlignCenter | Qt.TextWordWrap, self.empty_text)
            return
        path = QPainterPath()
        screen = [to_screen(x, y) for x, y in self._points]
        path.moveTo(screen[0])
        for point in screen[1:]:
            path.lineTo(point)
        painter.setPen(QPen(self.color, 2))
        painter.drawPath(path)
        painter.setBrush(self.color)
        radius = 3 if len(screen) < 60 else 1.5
        for point in screen:
            painter.drawEllipse(point, radius, radius)
