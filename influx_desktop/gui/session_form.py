"""Session setup: title, classes, backbone (and its smaller int8 variant), aggregator (form generated from the strategy's ``parameters``),
training settings and limits, and study logging with its consent notice. Validation is the core's
(``SessionConfig``); this form only shows its verdict.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..errors import InfluxError
from ..models.backbones import BACKBONES, DEFAULT_BACKBONE
from ..session import SessionConfig
from ..strategies import DEFAULT_STRATEGY, STRATEGIES, Param

ERROR_STYLE = "border: 2px solid #c62828;"
LOCKED_EXPLANATION = (
    "This session has run, so its classes and backbone are fixed: participants' updates and every model "
    "version depend on them. Create a new session to change them."
)
QUANTIZED_LABEL = "Smaller download for participants (int8)"
QUANTIZED_EXPLANATION = (
    "Participants' browsers download an 8-bit version of the backbone: a 2.4× smaller first download "
    "(16.7 → 7.0 MB with EfficientNet-Lite0), the same accuracy in our benchmark, and about 20 % slower photo "
    "processing in the browser. The app makes it once, offline, in about ten seconds. Fixed once the session has run."
)
#: The session settings edited with a spin box (or ``ClipNormField``), in form order; each widget is the
#: attribute of that name.
NUMERIC_FIELDS = (
    "local_epochs", "batch_size", "learning_rate", "max_staleness", "max_update_norm", "clip_update_norm",
)
STUDY_EXPLANATION = (
    "Participants see this notice when they join and must accept it to take part; their interactions are "
    "then recorded under a pseudonym (see docs/study-data.md). Switching logging on or off takes effect for "
    "people who join afterwards: nothing is recorded from anyone who joined without accepting the notice."
)
STUDY_HAS_RUN_EXPLANATION = (
    "This session has run. You may still switch study logging on or off: it applies to participants who join "
    "from now on. Anyone who joined while it was off was never asked and is never recorded; they can join again "
    "to take part."
)


class ClassesEditor(QWidget):
    """An ordered list of class names: add, rename (double-click or F2), remove, move up/down, drag to reorder."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setDragDropMode(QAbstractItemView.InternalMove)
        self.list.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.list.setAccessibleName("Classes")
        self.list.model().rowsMoved.connect(self.changed)
        self.list.itemChanged.connect(lambda _item: self.changed.emit())
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("New class name, then Enter")
        self.new_name.returnPressed.connect(self._add_typed)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self._add_typed)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button = QPushButton("Up")
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button = QPushButton("Down")
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.locked_label = QLabel(LOCKED_EXPLANATION)
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
        self._locked = locked
        names = self.classes()
        self.set_classes(names)
        for widget in (self.new_name, self.add_button, self.remove_button, self.up_button, self.down_button):
            widget.setEnabled(not locked)
        self.list.setDragDropMode(QAbstractItemView.NoDragDrop if locked else QAbstractItemView.InternalMove)
        self.locked_label.setVisible(locked)

    def is_locked(self) -> bool:
        return self._locked


def _param_widget(param: Param) -> QWidget:
    """The input for one declared strategy parameter: its type, range, choices and help decide everything."""
    if param.type is str:
        widget = QComboBox()
        widget.addItems(list(param.choices or ()))
    elif param.type is int:
        widget = QSpinBox()
        widget.setRange(int(param.minimum if param.minimum is not None else -(2**31)),
                        int(param.maximum if param.maximum is not None else 2**31 - 1))
    else:
        widget = QDoubleSpinBox()
        widget.setDecimals(4)
        widget.setSingleStep(0.05)
        widget.setRange(param.minimum if param.minimum is not None else -1e9,
                        param.maximum if param.maximum is not None else 1e9)
    widget.setToolTip(param.help)
    widget.setObjectName(f"aggregator_params.{param.name}")
    return widget


def _set_value(widget: QWidget, value: Any) -> None:
    if isinstance(widget, QComboBox):
        widget.setCurrentText(str(value))
    else:
        widget.setValue(value)


def _value(widget: QWidget) -> Any:
    return widget.currentText() if isinstance(widget, QComboBox) else widget.value()


class ClipNormField(QWidget):
    """``clip_update_norm``: automatic (None, the default), off (0) or a fixed L2 norm.

    ``value()``/``setValue()`` speak the setting's own values, like the spin boxes beside it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.automatic = QCheckBox("automatic")
        self.automatic.setObjectName("clip_update_norm.automatic")
        self.automatic.setToolTip(
            "Recommended. Each update is scaled down to the furthest one round of honest training can move the "
            "model (learning rate × epochs × √parameters), so one participant cannot drag the class model away."
        )
        self.norm = QDoubleSpinBox()
        self.norm.setObjectName("clip_update_norm.norm")
        self.norm.setDecimals(3)
        self.norm.setRange(0.0, 1e9)
        self.norm.setSpecialValueText("off")
        self.norm.setToolTip(
            "Scale each accepted update's change down to this L2 norm (0: off, so one participant can move the "
            "model as far as the max update norm allows). Updates above the max norm are still refused."
        )
        self.automatic.toggled.connect(lambda on: self.norm.setEnabled(not on))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.automatic)
        row.addWidget(self.norm, 1)

    def value(self) -> float | None:
        return None if self.automatic.isChecked() else self.norm.value()

    def setValue(self, value: float | None) -> None:  # noqa: N802 (Qt's spelling, like the spin boxes)
        self.automatic.setChecked(value is None)
        self.norm.setEnabled(value is not None)
        if value is not None:
            self.norm.setValue(value)


class StrategyForm(QWidget):
    """The parameter form of one strategy, generated from ``Strategy.parameters`` (no list kept here)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.form = QFormLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.help)
        layout.addLayout(self.form)
        self.inputs: dict[str, QWidget] = {}
        self.strategy_name: str | None = None

    def show_strategy(self, name: str, values: dict | None = None) -> None:
        strategy = STRATEGIES[name]
        self.strategy_name = name
        while self.form.rowCount():
            self.form.removeRow(0)
        self.inputs = {}
        self.help.setText(strategy.describe()["help"])
        values = values or {}
        for param in strategy.parameters:
            widget = _param_widget(param)
            _set_value(widget, values.get(param.name, param.default))
            hint = QLabel(param.help)
            hint.setWordWrap(True)
            hint.setStyleSheet("color: gray;")
            box = QVBoxLayout()
            box.setSpacing(1)
            box.addWidget(widget)
            box.addWidget(hint)
            self.form.addRow(param.name.replace("_", " "), box)
            self.inputs[param.name] = widget

    def values(self) -> dict:
        return {name: _value(widget) for name, widget in self.inputs.items()}


class SessionForm(QWidget):
    """Edits one session's settings; ``settings()`` is a dict for ``SessionConfig.from_dict``."""

    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLineEdit()
        self.title.setObjectName("title")
        self.title.setPlaceholderText("e.g. Fruit or not")
        self.classes = ClassesEditor()
        self.classes.setObjectName("classes")
        self.backbone = QComboBox()
        self.backbone.setObjectName("backbone")
        for backbone in BACKBONES.values():
            self.backbone.addItem(backbone.title, backbone.name)
        self.backbone_note = QLabel()
        self.backbone_note.setWordWrap(True)
        self.backbone.currentIndexChanged.connect(self._show_backbone_note)
        self.pretrained = QCheckBox("Start from pretrained ImageNet weights (recommended)")
        self.pretrained.setObjectName("pretrained")
        self.quantized_backbone = QCheckBox(QUANTIZED_LABEL)
        self.quantized_backbone.setObjectName("quantized_backbone")
        self.quantized_backbone.setToolTip(QUANTIZED_EXPLANATION)
        self.quantized_note = QLabel(QUANTIZED_EXPLANATION)
        self.quantized_note.setWordWrap(True)
        self.quantized_note.setStyleSheet("color: gray;")
        self.aggregator = QComboBox()
        self.aggregator.setObjectName("aggregator")
        for strategy in STRATEGIES.values():
            self.aggregator.addItem(strategy.title, strategy.name)
        self.strategy_form = StrategyForm()
        self.aggregator.currentIndexChanged.connect(
            lambda _i: self.strategy_form.show_strategy(self.aggregator.currentData())
        )
        self.local_epochs = QSpinBox()
        self.local_epochs.setRange(0, 1000)
        self.batch_size = QSpinBox()
        self.batch_size.setRange(0, 4096)
        self.learning_rate = QDoubleSpinBox()
        self.learning_rate.setDecimals(6)
        self.learning_rate.setRange(0.0, 10.0)
        self.learning_rate.setSingleStep(0.0005)
        self.max_staleness = QSpinBox()
        self.max_staleness.setRange(0, 1_000_000)
        self.max_update_norm = QDoubleSpinBox()
        self.max_update_norm.setDecimals(3)
        self.max_update_norm.setRange(0.0, 1e9)
        self.clip_update_norm = ClipNormField()
        for name in NUMERIC_FIELDS:
            getattr(self, name).setObjectName(name)
        self.study_logging = QCheckBox("Record participants' interactions for a user study")
        self.study_logging.setObjectName("study_logging")
        self.consent_notice = QPlainTextEdit()
        self.consent_notice.setObjectName("consent_notice")
        self.consent_notice.setAccessibleName("Consent notice shown to participants")
        self.consent_notice.setTabChangesFocus(True)
        self.consent_notice.setMinimumHeight(110)
        self.study_note = QLabel(STUDY_EXPLANATION)
        self.study_note.setWordWrap(True)
        self.study_note.setStyleSheet("color: gray;")
        self.error = QLabel()
        self.error.setObjectName("form_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        self.save_button = QPushButton("Save settings")
        self.save_button.clicked.connect(self.save_requested)
        self.save_button.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)

        task = QGroupBox("Task")
        task_form = QFormLayout(task)
        task_form.addRow("Title", self.title)
        task_form.addRow("Classes", self.classes)
        model = QGroupBox("Model")
        model_form = QFormLayout(model)
        model_form.addRow("Backbone", self.backbone)
        model_form.addRow("", self.backbone_note)
        model_form.addRow("", self.pretrained)
        model_form.addRow("", self.quantized_backbone)
        model_form.addRow("", self.quantized_note)
        aggregation = QGroupBox("Aggregation")
        aggregation_form = QFormLayout(aggregation)
        aggregation_form.addRow("Aggregator", self.aggregator)
        aggregation_form.addRow(self.strategy_form)
        training = QGroupBox("Local training and limits")
        training_form = QFormLayout(training)
        training_form.addRow("Local epochs", self.local_epochs)
        training_form.addRow("Batch size", self.batch_size)
        training_form.addRow("Learning rate", self.learning_rate)
        training_form.addRow("Max staleness (versions)", self.max_staleness)
        training_form.addRow("Max update norm (L2)", self.max_update_norm)
        training_form.addRow("Clip updates to norm (L2)", self.clip_update_norm)
        study = QGroupBox("User study")
        study_form = QFormLayout(study)
        study_form.addRow(self.study_logging)
        study_form.addRow("Notice", self.consent_notice)
        study_form.addRow(self.study_note)
        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(task)
        left.addWidget(model)
        left.addStretch(1)
        right.addWidget(aggregation)
        right.addWidget(training)
        right.addWidget(study)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.error, 1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addLayout(bottom)
        self.load_defaults()

    # ------------------------------------------------------------------ values

    def load_defaults(self) -> None:
        defaults = SessionConfig(title="", classes=())
        self.load(defaults.to_dict(), has_run=False)

    def load(self, config: dict, has_run: bool) -> None:
        self.clear_error()
        self.title.setText(config["title"])
        self.classes.set_classes(list(config["classes"]))
        self.backbone.setCurrentIndex(max(0, self.backbone.findData(config.get("backbone", DEFAULT_BACKBONE))))
        self._show_backbone_note()
        self.pretrained.setChecked(bool(config.get("pretrained", True)))
        self.quantized_backbone.setChecked(bool(config.get("quantized_backbone", False)))
        self.aggregator.blockSignals(True)
        self.aggregator.setCurrentIndex(max(0, self.aggregator.findData(config.get("aggregator", DEFAULT_STRATEGY))))
        self.aggregator.blockSignals(False)
        self.strategy_form.show_strategy(self.aggregator.currentData(), config.get("aggregator_params"))
        for name in NUMERIC_FIELDS:
            getattr(self, name).setValue(config[name])
        self.study_logging.setChecked(bool(config["study_logging"]))
        self.consent_notice.setPlainText(config["consent_notice"])
        self.set_shape_locked(has_run)

    def settings(self) -> dict:
        return {
            "title": self.title.text(),
            "classes": self.classes.classes(),
            "backbone": self.backbone.currentData(),
            "pretrained": self.pretrained.isChecked(),
            "quantized_backbone": self.quantized_backbone.isChecked(),
            "aggregator": self.aggregator.currentData(),
            "aggregator_params": self.strategy_form.values(),
            **{name: getattr(self, name).value() for name in NUMERIC_FIELDS},
            "study_logging": self.study_logging.isChecked(),
            "consent_notice": self.consent_notice.toPlainText(),
        }

    def validate(self) -> dict | None:
        """The settings if the core accepts them; otherwise shows why (on the field at fault) and returns None."""
        settings = self.settings()
        try:
            SessionConfig.from_dict(settings)
        except InfluxError as exc:
            self.show_error(exc)
            return None
        self.clear_error()
        return settings

    def set_shape_locked(self, locked: bool) -> None:
        self.classes.set_locked(locked)
        self.backbone.setEnabled(not locked)
        self.pretrained.setEnabled(not locked)
        self.quantized_backbone.setEnabled(not locked)
        self.study_note.setText(STUDY_HAS_RUN_EXPLANATION if locked else STUDY_EXPLANATION)

    # ------------------------------------------------------------------ feedback

    def _show_backbone_note(self) -> None:
        backbone = BACKBONES.get(self.backbone.currentData())
        self.backbone_note.setText(backbone.weights_note if backbone else "")

    def field_widget(self, field: str | None) -> QWidget | None:
        if not field:
            return None
        if field.startswith("aggregator_params."):
            return self.strategy_form.inputs.get(field.split(".", 1)[1])
        if field == "classes":
            return self.classes.list
        return getattr(self, field, None) if field in self.settings() else None

    def show_error(self, exc: InfluxError) -> None:
        self.clear_error()
        self.error.setText(exc.message)
        self.error.show()
        widget = self.field_widget(exc.field)
        if widget is not None:
            widget.setStyleSheet(ERROR_STYLE)
            widget.setFocus()
            self._error_widget = widget

    def clear_error(self) -> None:
        self.error.hide()
        self.error.clear()
        widget = getattr(self, "_error_widget", None)
        if widget is not None:
            widget.setStyleSheet("")
            self._error_widget = None
