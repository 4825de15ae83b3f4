"""Input widgets built from declared settings (``settings.Param``): a strategy's parameters and a session's
numeric settings get their type, range, default and help from the core's one declaration, never from here.

Every number box and drop-down of the window ignores the mouse wheel until it has the focus
(``ignore_wheel_unless_focused``): scrolling over a form must never change a value.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QSpinBox, QWidget

from ..settings import Param
from .i18n import param_label, tr, tr_core


class _WheelGuard(QObject):
    """Passes a wheel event over an unfocused box on to its parents (the form scrolls) instead of the box."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            event.ignore()  # not accepted: Qt offers it to the parent widgets, the scroll area scrolls
            return True  # and the box never sees it
        return False


_wheel_guard: _WheelGuard | None = None


def ignore_wheel_unless_focused(widget: QWidget) -> QWidget:
    """The wheel changes ``widget`` (a spin box or drop-down) only once it has the focus (a click or Tab);
    the wheel alone never gives it the focus."""
    global _wheel_guard
    if _wheel_guard is None:
        _wheel_guard = _WheelGuard()
    widget.setFocusPolicy(Qt.StrongFocus)
    widget.installEventFilter(_wheel_guard)
    return widget


def guard_wheel_in(parent: QWidget) -> None:
    """``ignore_wheel_unless_focused`` for every spin box and drop-down inside ``parent``."""
    for widget in parent.findChildren(QAbstractSpinBox) + parent.findChildren(QComboBox):
        ignore_wheel_unless_focused(widget)


def on_change(widget: QWidget, callback) -> None:
    """Call ``callback()`` whenever the value of a field made here changes."""
    if isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(lambda _i: callback())
    elif isinstance(widget, ClipNormField):
        widget.changed.connect(callback)
    else:
        widget.valueChanged.connect(lambda _v: callback())


def param_widget(param: Param, decimals: int = 4, step: float = 0.05) -> QWidget:
    """The input for one declared setting: its type, range, choices and help decide everything."""
    if param.type is str:
        widget = QComboBox()
        for choice in param.choices or ():
            widget.addItem(tr_core(choice), choice)
    elif param.type is int:
        widget = QSpinBox()
        widget.setRange(
            int(param.minimum if param.minimum is not None else -(2**31)),
            int(param.maximum if param.maximum is not None else 2**31 - 1),
        )
    else:
        widget = QDoubleSpinBox()
        widget.setDecimals(decimals)
        widget.setSingleStep(step)
        minimum = param.minimum if param.minimum is not None else -1e9
        if minimum > 0:  # a positive minimum below what the box shows would round to 0, which the core refuses
            minimum = max(minimum, 10.0**-decimals)
        widget.setRange(minimum, param.maximum if param.maximum is not None else 1e9)
    widget.setToolTip(tr_core(param.help))
    return ignore_wheel_unless_focused(widget)


def set_value(widget: QWidget, value: Any) -> None:
    if isinstance(widget, QComboBox):
        widget.setCurrentIndex(max(0, widget.findData(value)))
    else:
        widget.setValue(value)


def value(widget: QWidget) -> Any:
    return widget.currentData() if isinstance(widget, QComboBox) else widget.value()


def label(param: Param) -> str:
    """The caption of a declared setting, in the app's language."""
    return tr_core(param_label(param))


def _magnitude(param: Param) -> int | None:
    """The power of ten of the declared default (None without a non-zero default)."""
    return math.floor(math.log10(abs(param.default))) if param.default else None


def decimals_for(param: Param) -> int:
    """Three decimals beyond the default's first digit: 0.001 shows as 0.001000, 100 as 100.000."""
    magnitude = _magnitude(param)
    return 3 + max(0, -magnitude) if magnitude is not None else 3


def step_for(param: Param) -> float:
    """An arrow press moves by half the default's order of magnitude, at most 1: 0.0005 for 0.001, 1 for 100."""
    magnitude = _magnitude(param)
    return min(1.0, 10.0**magnitude / 2) if magnitude is not None else 1.0


def number_field(param: Param) -> QWidget:
    """A spin box for one of the session's numeric settings (``session.NUMERIC_SETTINGS``)."""
    widget = param_widget(param, decimals_for(param), step_for(param))
    widget.setObjectName(param.name)
    return widget


class ClipNormField(QWidget):
    """``clip_update_norm`` (``session.CLIP_UPDATE_NORM``): automatic (None, the default), off (0) or a fixed L2 norm.

    ``value()``/``setValue()`` speak the setting's own values, like the spin boxes beside it.
    """

    changed = Signal()

    def __init__(self, param: Param) -> None:
        super().__init__()
        self.setObjectName(param.name)
        self.automatic = QCheckBox(tr("ClipNormField", "automatic"))
        self.automatic.setObjectName(f"{param.name}.automatic")
        self.automatic.setToolTip(
            tr(
                "ClipNormField",
                "Recommended. Each update is scaled down to the furthest one round of honest training can move the "
                "model (learning rate × epochs × √parameters), so one participant cannot drag the class model away.",
            )
        )
        self.norm = param_widget(param, decimals_for(param), step_for(param))
        self.norm.setObjectName(f"{param.name}.norm")
        self.norm.setSpecialValueText(tr("ClipNormField", "off"))
        self.norm.setToolTip(
            tr("ClipNormField", "{help} Updates above the max update norm are still refused.", help=tr_core(param.help))
        )
        self.automatic.toggled.connect(lambda on: self.norm.setEnabled(not on))
        self.automatic.toggled.connect(lambda _on: self.changed.emit())
        self.norm.valueChanged.connect(lambda _v: self.changed.emit())
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
