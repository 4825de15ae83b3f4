"""The aggregator's parameter form, generated from the chosen strategy's declared ``parameters``."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from ..strategies import STRATEGIES
from .i18n import tr_core
from .param_fields import label, on_change, param_widget, set_value, value


class StrategyForm(QWidget):
    """The parameter form of one strategy, generated from ``Strategy.parameters`` (no list kept here)."""

    changed = Signal()  # a parameter's value changed (not emitted while a strategy is being shown)

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
        self.help.setText(tr_core(strategy.describe()["help"]))
        values = values or {}
        for param in strategy.parameters:
            widget = param_widget(param)
            widget.setObjectName(f"aggregator_params.{param.name}")
            set_value(widget, values.get(param.name, param.default))
            on_change(widget, self.changed.emit)
            hint = QLabel(tr_core(param.help))
            hint.setWordWrap(True)
            hint.setStyleSheet("color: gray;")
            field = QWidget()  # a widget, not a bare layout: a hint wrapped to two lines then gets their height
            box = QVBoxLayout(field)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(1)
            box.addWidget(widget)
            box.addWidget(hint)
            self.form.addRow(label(param), field)
            self.inputs[param.name] = widget

    def set_values(self, values: dict) -> None:
        """Set the shown strategy's parameters (those ``values`` names) without rebuilding the form."""
        for name, new in values.items():
            if name in self.inputs:
                set_value(self.inputs[name], new)

    def values(self) -> dict:
        return {name: value(widget) for name, widget in self.inputs.items()}
