"""How the class model learns: a plain-language preset (``presets.PRESETS``) with a sentence saying what it
does, and under a closed "Advanced" section the raw settings it stands for — the aggregator with its form
(generated from the strategy's ``parameters``) and the fields built from ``session.NUMERIC_SETTINGS`` and
``CLIP_UPDATE_NORM``. Changing a raw setting shows "Custom" unless the values are another preset's."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from ..session import CLIP_UPDATE_NORM, NUMERIC_SETTINGS
from ..strategies import STRATEGIES
from .collapsible import Collapsible
from .i18n import setting_caption, tr, tr_core
from .param_fields import ClipNormField, ignore_wheel_unless_focused, label, number_field, on_change
from .presets import CUSTOM_SUMMARY, CUSTOM_TITLE, DEFAULT_PRESET, LEARNING_SETTINGS, PRESETS, preset_for
from .strategy_form import StrategyForm

CUSTOM = None  # the preset combo's data for "Custom"


class LearningForm(QWidget):
    changed = Signal()  # a learning setting changed (by the facilitator or a preset)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._applying = False  # while a preset or a session's settings are written into the fields
        self.preset = ignore_wheel_unless_focused(QComboBox())
        self.preset.setObjectName("preset")
        for preset in PRESETS.values():
            self.preset.addItem(tr("Presets", preset.title), preset.name)
        self.preset.addItem(tr("Presets", CUSTOM_TITLE), CUSTOM)
        self.preset.setAccessibleName(tr("LearningForm", "How the class model learns"))
        self.preset.activated.connect(lambda _i: self.apply_preset(self.preset.currentData()))
        self.summary = QLabel()
        self.summary.setObjectName("preset_summary")
        self.summary.setWordWrap(True)

        self.aggregator = ignore_wheel_unless_focused(QComboBox())
        self.aggregator.setObjectName("aggregator")
        for strategy in STRATEGIES.values():
            self.aggregator.addItem(tr_core(strategy.title), strategy.name)
        self.strategy_form = StrategyForm()
        self.aggregator.currentIndexChanged.connect(self._aggregator_chosen)
        self.strategy_form.changed.connect(self._edited)
        #: The numeric settings' fields by name, in the declaration's order, built from it.
        self.numbers: dict[str, QWidget] = {p.name: number_field(p) for p in NUMERIC_SETTINGS}
        self.clip_update_norm = self.numbers[CLIP_UPDATE_NORM.name] = ClipNormField(CLIP_UPDATE_NORM)
        for field in self.numbers.values():
            on_change(field, self._edited)

        aggregation = QGroupBox(tr("LearningForm", "Combining contributions"))
        aggregation_form = QFormLayout(aggregation)
        aggregation_form.addRow(setting_caption("aggregator"), self.aggregator)
        aggregation_form.addRow(self.strategy_form)
        training = QGroupBox(tr("LearningForm", "Training on the devices, and limits"))
        training_form = QFormLayout(training)
        for param in (*NUMERIC_SETTINGS, CLIP_UPDATE_NORM):
            training_form.addRow(label(param), self.numbers[param.name])
        raw = QWidget()
        raw_layout = QVBoxLayout(raw)
        raw_layout.setContentsMargins(0, 0, 0, 0)
        raw_layout.addWidget(aggregation)
        raw_layout.addWidget(training)
        self.advanced = Collapsible(tr("LearningForm", "Advanced"), raw)
        self.advanced.setObjectName("advanced")

        box = QGroupBox(tr("LearningForm", "How the class model learns"))
        box_form = QFormLayout(box)
        box_form.addRow(tr("LearningForm", "Preset"), self.preset)
        box_form.addRow(self.summary)
        box_form.addRow(self.advanced)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)
        self.apply_preset(DEFAULT_PRESET)

    # ------------------------------------------------------------------ values

    def values(self) -> dict:
        """The learning settings as ``SessionConfig`` names them (``presets.LEARNING_SETTINGS``)."""
        return {
            "aggregator": self.aggregator.currentData(),
            "aggregator_params": self.strategy_form.values(),
            **{name: field.value() for name, field in self.numbers.items()},
        }

    def load(self, config: dict) -> None:
        """Show a session's learning settings; the preset they are (or Custom) follows."""
        self._write(config["aggregator"], config.get("aggregator_params") or {}, {name: config[name] for name in self.numbers})

    def apply_preset(self, name: str | None) -> None:
        """Set every learning setting to the preset's; Custom changes nothing and opens Advanced."""
        if name is CUSTOM or name not in PRESETS:
            self.advanced.set_open(True)
            self.summary.setText(tr("Presets", CUSTOM_SUMMARY))
            return
        settings = PRESETS[name].settings()
        self._write(
            settings["aggregator"],
            settings["aggregator_params"],
            {key: settings[key] for key in LEARNING_SETTINGS if key in self.numbers},
        )

    def _write(self, aggregator: str, params: dict, numbers: dict) -> None:
        self._applying = True
        try:
            self.aggregator.blockSignals(True)
            self.aggregator.setCurrentIndex(max(0, self.aggregator.findData(aggregator)))
            self.aggregator.blockSignals(False)
            self.strategy_form.show_strategy(self.aggregator.currentData(), params)
            for name, value in numbers.items():
                self.numbers[name].setValue(value)
        finally:
            self._applying = False
        self._show_preset()
        self.changed.emit()

    # ------------------------------------------------------------------ the preset shown

    def preset_name(self) -> str | None:
        """The preset the fields match now (None: custom)."""
        preset = preset_for(self.values())
        return preset.name if preset else CUSTOM

    def _show_preset(self) -> None:
        preset = preset_for(self.values())
        self.preset.setCurrentIndex(self.preset.findData(preset.name if preset else CUSTOM))
        self.summary.setText(preset.describe() if preset else tr("Presets", CUSTOM_SUMMARY))

    def _aggregator_chosen(self, _index: int) -> None:
        self.strategy_form.show_strategy(self.aggregator.currentData())
        self._edited()

    def _edited(self) -> None:
        if not self._applying:
            self._show_preset()
            self.changed.emit()

    # ------------------------------------------------------------------ errors

    def field_widget(self, field: str) -> QWidget | None:
        """The input of a setting the core named in an error (the Advanced section is opened to show it)."""
        if field.startswith("aggregator_params."):
            widget = self.strategy_form.inputs.get(field.split(".", 1)[1])
        else:
            widget = self.numbers.get(field) or (self.aggregator if field == "aggregator" else None)
        if widget is not None:
            self.advanced.set_open(True)
        return widget
