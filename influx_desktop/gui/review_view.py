"""The "Test set" tab (issue 16): for a model version, its confusion matrix on the facilitator's test set,
the images it gets wrong, and for the one picked, where in the picture the model saw the class it chose
and the class it should have chosen (class activation maps drawn over the picture). It shows what its
``ReviewController`` says and tells it what the facilitator picks."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .i18n import tr
from .review_controller import ReviewController

C = "ReviewView"
PICTURE_SIZE = 224


def pixmap_of(picture: np.ndarray) -> QPixmap:
    """An RGB uint8 [H,W,3] array as a QPixmap (copied: the array may go)."""
    rgb = np.ascontiguousarray(picture, dtype=np.uint8)
    h, w, _ = rgb.shape
    return QPixmap.fromImage(QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy())


def cell_colour(count: int, row_total: int, on_diagonal: bool) -> QColor:
    """Green on the diagonal, red off it, stronger for a larger share of the row (the class's images)."""
    share = count / row_total if row_total else 0.0
    base = (46, 160, 67) if on_diagonal else (210, 50, 40)
    alpha = 0 if count == 0 else int(40 + 180 * share)
    return QColor(*base, alpha)


class ReviewView(QWidget):
    def __init__(self, controller: ReviewController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.version_combo = QComboBox()
        self.version_combo.setMinimumContentsLength(12)
        self.version_combo.activated.connect(self._version_chosen)
        self.summary = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.matrix = QTableWidget()
        self.matrix.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.matrix.setSelectionMode(QAbstractItemView.NoSelection)
        self.matrix.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.matrix.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.mistakes = QListWidget()
        self.mistakes.currentRowChanged.connect(self._image_chosen)
        self.picture = QLabel()
        self.chosen_map = QLabel()
        self.true_map = QLabel()
        self.chosen_caption = QLabel()
        self.true_caption = QLabel()
        self.scores = QLabel()
        self.scores.setWordWrap(True)
        for label in (self.picture, self.chosen_map, self.true_map):
            label.setFixedSize(PICTURE_SIZE, PICTURE_SIZE)
            label.setAlignment(Qt.AlignCenter)
            label.setStyleSheet("background: palette(base)")
        for caption in (self.chosen_caption, self.true_caption):
            caption.setWordWrap(True)
            caption.setMaximumWidth(PICTURE_SIZE)

        top = QHBoxLayout()
        top.addWidget(QLabel(tr(C, "Model version")))
        top.addWidget(self.version_combo)
        top.addWidget(self.summary, 1)
        matrix_box = QVBoxLayout()
        matrix_box.addWidget(QLabel(tr(C, "Confusion matrix: rows are the images' classes, columns what the model said")))
        matrix_box.addWidget(self.matrix, 1)
        mistakes_box = QVBoxLayout()
        mistakes_box.addWidget(QLabel(tr(C, "Images it gets wrong (surest first)")))
        mistakes_box.addWidget(self.mistakes, 1)
        pictures = QGridLayout()
        pictures.addWidget(QLabel(tr(C, "The test image")), 0, 0)
        pictures.addWidget(self.chosen_caption, 0, 1)
        pictures.addWidget(self.true_caption, 0, 2)
        pictures.addWidget(self.picture, 1, 0)
        pictures.addWidget(self.chosen_map, 1, 1)
        pictures.addWidget(self.true_map, 1, 2)
        pictures.addWidget(self.scores, 2, 0, 1, 3)
        lists = QHBoxLayout()
        lists.addLayout(matrix_box, 3)
        lists.addLayout(mistakes_box, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addLayout(lists, 1)
        layout.addLayout(pictures)
        self.matrix.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self._clear_explanation()

        events = controller.events
        events.versions.connect(self.show_versions)
        events.review.connect(self.show_review)
        events.explanation.connect(self.show_explanation)
        events.message.connect(self.show_message)

    # ------------------------------------------------------------------ what the controller says

    def show_versions(self, versions: list[int], chosen: int | None) -> None:
        self.version_combo.clear()
        for version in reversed(versions):  # newest first
            self.version_combo.addItem(tr(C, "version {version}", version=version), version)
        if chosen is not None:
            self.version_combo.setCurrentIndex(self.version_combo.findData(chosen))
        if not versions:
            self.matrix.clear()
            self.matrix.setRowCount(0)
            self.matrix.setColumnCount(0)
            self.mistakes.clear()
            self.summary.clear()
            self._clear_explanation()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_review(self, review) -> None:
        self.show_message("")
        k = len(review.classes)
        self.matrix.clear()
        self.matrix.setRowCount(k)
        self.matrix.setColumnCount(k)
        self.matrix.setHorizontalHeaderLabels([tr(C, "said {name}", name=name) for name in review.classes])
        self.matrix.setVerticalHeaderLabels([tr(C, "is {name}", name=name) for name in review.classes])
        for row in range(k):
            total = int(review.confusion[row].sum())
            for column in range(k):
                count = int(review.confusion[row, column])
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignCenter)
                item.setBackground(cell_colour(count, total, row == column))
                item.setToolTip(
                    tr(
                        C,
                        "{count} of {total} images of {actual} taken for {said}",
                        count=count,
                        total=total,
                        actual=review.classes[row],
                        said=review.classes[column],
                    )
                )
                self.matrix.setItem(row, column, item)
        self.summary.setText(
            tr(
                C,
                "{correct} of {images} test images right ({accuracy:.0%})",
                correct=int(np.trace(review.confusion)),
                images=review.images,
                accuracy=review.accuracy,
            )
        )
        self.mistakes.blockSignals(True)
        self.mistakes.clear()
        for wrong in review.misclassified:
            item = QListWidgetItem(
                tr(
                    C,
                    "{name}: a {actual}, taken for a {said} ({confidence:.0%} sure)",
                    name=wrong.name,
                    actual=review.classes[wrong.label],
                    said=review.classes[wrong.predicted],
                    confidence=wrong.confidence,
                )
            )
            item.setData(Qt.UserRole, wrong.index)
            self.mistakes.addItem(item)
        self.mistakes.setCurrentRow(-1)
        self.mistakes.blockSignals(False)
        self._clear_explanation()
        if not review.misclassified:
            self.scores.setText(tr(C, "This version gets every test image right."))

    def show_explanation(self, explanation) -> None:
        names = explanation.classes
        self.picture.setPixmap(pixmap_of(explanation.picture))
        self.chosen_map.setPixmap(pixmap_of(explanation.overlay(explanation.predicted)))
        self.true_map.setPixmap(pixmap_of(explanation.overlay(explanation.label)))
        self.chosen_caption.setText(tr(C, "Where it saw a {said}", said=names[explanation.predicted]))
        self.true_caption.setText(tr(C, "Where it saw a {actual} (the right class)", actual=names[explanation.label]))
        self.scores.setText("  ·  ".join(f"{name} {p:.0%}" for name, p in zip(names, explanation.probabilities)))
        self.shown_explanation = explanation

    # ------------------------------------------------------------------ what the facilitator picks

    def matrix_counts(self) -> list[list[int]]:
        """The counts the table shows (tests read them)."""
        return [
            [int(self.matrix.item(r, c).text()) for c in range(self.matrix.columnCount())] for r in range(self.matrix.rowCount())
        ]

    def _version_chosen(self, index: int) -> None:
        version = self.version_combo.itemData(index)
        if version is not None:
            self.controller.choose_version(int(version))

    def _image_chosen(self, row: int) -> None:
        item = self.mistakes.item(row) if row >= 0 else None
        if item is not None:
            self.controller.choose_image(int(item.data(Qt.UserRole)))

    def _clear_explanation(self) -> None:
        self.shown_explanation = None
        for label in (self.picture, self.chosen_map, self.true_map):
            label.clear()
        self.chosen_caption.setText(tr(C, "Where it saw the class it chose"))
        self.true_caption.setText(tr(C, "Where it saw the right class"))
        self.scores.setText(tr(C, "Pick an image it gets wrong to see where in the picture it looked."))
