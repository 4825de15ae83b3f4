"""The session's classes: an ordered list of names the facilitator adds, renames, reorders and removes —
fixed, with an explanation, once the session has run."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .i18n import setting_caption, tr, tr_noop

C = "ClassesEditor"
LOCKED_EXPLANATION = tr_noop(
    C,
    "This session has run, so its classes and backbone are fixed: participants' updates and every model "
    "version depend on them. Create a new session to change them.",
)


class ClassesEditor(QWidget):
    """An ordered list of class names: add, rename (double-click or F2), remove, move up/down, drag to reorder."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setDragDropMode(QAbstractItemView.InternalMove)
        self.list.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.list.setAccessibleName(setting_caption("classes"))
        self.list.model().rowsMoved.connect(self.changed)
        self.list.itemChanged.connect(lambda _item: self.changed.emit())
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText(tr(C, "New class name, then Enter"))
        self.new_name.returnPressed.connect(self._add_typed)
        self.add_button = QPushButton(tr(C, "Add"))
        self.add_button.clicked.connect(self._add_typed)
        self.remove_button = QPushButton(tr(C, "Remove"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button = QPushButton(tr(C, "Up"))
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button = QPushButton(tr(C, "Down"))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.locked_label = QLabel(tr(C, LOCKED_EXPLANATION))
        self.locked_label.setWordWrap(True)
        self.locked_label.setStyleSheet("color: #8a6d00;")
        self.locked_label.hide()
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_name, 1)
        add_row.addWidget(self.add_button)
        buttons = QHBoxLayout()
        for button in (self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(add_row)
        layout.addLayout(buttons)
        layout.addWidget(self.locked_label)
        self._locked = False

    def classes(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def set_classes(self, names: list[str]) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for name in names:
            self._append(name)
        self.list.blockSignals(False)
        self.changed.emit()

    def _append(self, name: str) -> QListWidgetItem:
        item = QListWidgetItem(name)
        flags = Qt.ItemIsSelectable | Qt.ItemIsEnabled
        if not self._locked:
            flags |= Qt.ItemIsEditable | Qt.ItemIsDragEnabled
        item.setFlags(flags)
        self.list.addItem(item)
        return item

    def add_class(self, name: str) -> None:
        self.list.setCurrentItem(self._append(name))
        self.changed.emit()

    def rename(self, row: int, name: str) -> None:
        self.list.item(row).setText(name)

    def _add_typed(self) -> None:
        name = self.new_name.text().strip()
        if name:
            self.add_class(name)
            self.new_name.clear()

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            self.changed.emit()

    def move_selected(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)
        self.changed.emit()

    def set_locked(self, locked: bool) -> None:
        """Fixed (or editable again): the items rebuilt with the flags that go with it. Only on a change: the
        window asks on every snapshot, and rebuilding the list each time also reset the person's selection."""
        if locked == self._locked:
            return
        self._locked = locked
        names = self.classes()
        self.set_classes(names)
        for widget in (self.new_name, self.add_button, self.remove_button, self.up_button, self.down_button):
            widget.setEnabled(not locked)
        self.list.setDragDropMode(QAbstractItemView.NoDragDrop if locked else QAbstractItemView.InternalMove)
        self.locked_label.setVisible(locked)

    def is_locked(self) -> bool:
        return self._locked
