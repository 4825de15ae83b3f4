"""The setup form for a teacher (issue 15): plain-language presets that set what they say, the raw settings
under a closed Advanced section, and no value changed by the mouse wheel over a field that has no focus."""

from __future__ import annotations

import pytest
from conftest import fill_new_session
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox

from influx_desktop.gui.param_fields import value
from influx_desktop.gui.presets import DEFAULT_PRESET, LEARNING_SETTINGS, PRESETS
from influx_desktop.session import SessionConfig

pytestmark = pytest.mark.gui


def choose_preset(form, name: str | None) -> None:
    """Pick a preset in the drop-down the way a click does (``activated``)."""
    combo = form.learning.preset
    index = combo.findData(name)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def learning(settings: dict) -> dict:
    return {key: settings[key] for key in LEARNING_SETTINGS}


def test_a_new_session_starts_on_the_recommended_preset_with_advanced_closed(window):
    form = window.form
    assert form.learning.preset.currentData() == DEFAULT_PRESET
    assert form.learning.summary.text() == PRESETS[DEFAULT_PRESET].describe()
    assert not form.learning.advanced.is_open()
    assert not form.aggregator.isVisible() and not form.numbers["learning_rate"].isVisible()
    assert learning(form.settings()) == learning(SessionConfig.from_dict({"title": "t", "classes": ["a", "b"]}).to_dict())


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_sets_what_its_summary_says_and_the_core_accepts_it(qtbot, window, name):
    form, preset = window.form, PRESETS[name]
    choose_preset(form, "fast" if name != "fast" else "robust")  # start from another one
    choose_preset(form, name)
    assert preset.matches(form.settings()) and form.learning.preset_name() == name
    assert form.settings()["aggregator"] == preset.settings()["aggregator"]
    summary = form.learning.summary.text()
    assert summary == preset.describe()
    shown = form.settings()  # what the fields hold now
    params = shown["aggregator_params"]
    said = {  # words of each summary, and whether the fields hold what they say
        "recommended": lambda: {
            "as soon as it arrives": shown["aggregator"] == "fedasync",
            "capped": shown["clip_update_norm"] is None,
        },
        "robust": lambda: {
            "waits for 5 contributions": params["buffer_size"] == 5 and shown["aggregator"] == "robust_fedbuff",
            "left out (20 % from each end)": params["rule"] == "trimmed_mean" and params["trim_fraction"] == 0.2,
            "above 10)": shown["max_update_norm"] == 10.0,
        },
        "fast": lambda: {
            "weight 80 % instead of 60 %": params["alpha"] == 0.8
            and PRESETS["recommended"].settings()["aggregator_params"]["alpha"] == 0.6,
            "more than 10 versions old are refused": shown["max_staleness"] == 10,
        },
    }[name]()
    for words, holds in said.items():
        assert words in summary and holds, words
    fill_new_session(qtbot, window, f"Preset {name}", ["a", "b"])
    form.save_button.click()
    qtbot.waitUntil(lambda: window.session_id is not None, timeout=5000)
    assert preset.matches(window.coordinator.get_session(window.session_id)["config"])


def test_changing_a_raw_setting_shows_custom_and_a_session_reloads_as_its_preset(qtbot, window):
    form = window.form
    choose_preset(form, "robust")
    form.learning.advanced.set_open(True)
    form.numbers["batch_size"].setValue(32)
    assert form.learning.preset.currentData() is None
    assert "Advanced" in form.learning.summary.text()
    form.numbers["batch_size"].setValue(64)
    assert form.learning.preset.currentData() == "robust"
    fill_new_session(qtbot, window, "Pranks", ["a", "b"])
    form.save_button.click()
    qtbot.waitUntil(lambda: window.session_id is not None, timeout=5000)
    form.load_defaults()
    assert form.learning.preset.currentData() == DEFAULT_PRESET
    form.load(window.coordinator.get_session(window.session_id)["config"], has_run=False)
    assert form.learning.preset.currentData() == "robust"


def test_the_form_with_advanced_open_fits_1440_pixels_without_scrolling_sideways(qtbot, window):
    window.resize(1440, 900)
    window.form.learning.advanced.set_open(True)
    qtbot.wait(20)
    assert window.tabs.currentWidget().horizontalScrollBar().maximum() == 0


def test_choosing_custom_opens_advanced_and_changes_nothing(window):
    form = window.form
    before = form.settings()
    choose_preset(form, None)
    assert form.learning.advanced.is_open() and form.aggregator.isVisible()
    assert form.settings() == before


def _wheel(widget, steps: int = -1) -> None:
    """A real (spontaneous) wheel turn over the middle of ``widget``."""
    window = widget.window()
    position = widget.mapTo(window, QPoint(widget.width() // 2, widget.height() // 2))
    QTest.wheelEvent(window.windowHandle(), QPointF(position), QPoint(0, 120 * steps))


def _values(form) -> dict:
    fields = form.findChildren(QAbstractSpinBox) + form.findChildren(QComboBox)
    return {id(w): (w.objectName(), value(w) if isinstance(w, QComboBox) else w.value()) for w in fields}


def test_the_wheel_over_an_unfocused_field_changes_nothing_and_scrolls_the_form(qtbot, window):
    form = window.form
    form.learning.advanced.set_open(True)
    window.resize(1280, 560)  # the form is taller than its scroll area
    scroll = window.tabs.currentWidget()
    window.toolbar.setFocus()
    before = _values(form)
    fields = [w for w in form.findChildren(QAbstractSpinBox) + form.findChildren(QComboBox) if w.isVisible()]
    assert len(fields) >= 10  # backbone, preset, aggregator, its parameters, the numeric settings
    for field in fields:
        for steps in (-1, 1):
            scroll.ensureWidgetVisible(field)
            _wheel(field, steps)
        assert not field.hasFocus(), field.objectName()
    assert _values(form) == before

    batch = form.numbers["batch_size"]
    scroll.ensureWidgetVisible(batch)
    batch.setFocus()
    qtbot.waitUntil(batch.hasFocus, timeout=2000)
    _wheel(batch, -1)
    qtbot.wait(10)
    assert batch.value() == before[id(batch)][1] - 1  # with the focus, the wheel works as usual


def test_the_wheel_scrolls_the_setup_form_instead_of_changing_a_field(qtbot, window):
    form = window.form
    form.learning.advanced.set_open(True)
    window.resize(1280, 560)
    scroll = window.tabs.currentWidget()
    scroll.verticalScrollBar().setValue(0)
    batch = form.numbers["batch_size"]
    scroll.ensureWidgetVisible(batch)
    start, value_before = scroll.verticalScrollBar().value(), batch.value()
    _wheel(batch, -1)
    qtbot.wait(10)
    assert batch.value() == value_before
    assert scroll.verticalScrollBar().value() > start
