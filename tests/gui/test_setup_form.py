"""Session setup: the core's validation shown on the field at fault, the aggregator form generated from
each strategy's declared parameters, the classes editor, and classes locked once a session has run."""

from __future__ import annotations

import pytest
from conftest import fill_new_session, start_and_wait
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox

from influx_desktop.gui.session_form import ERROR_STYLE
from influx_desktop.models.backbones import BACKBONES, DEFAULT_BACKBONE
from influx_desktop.session import CLIP_UPDATE_NORM, NUMERIC_SETTINGS, SETTING_CAPTIONS, SessionConfig
from influx_desktop.strategies import STRATEGIES

pytestmark = pytest.mark.gui


def test_defaults_preselect_the_offline_backbone_and_explain_its_weights(window):
    form = window.form
    assert form.backbone.currentData() == DEFAULT_BACKBONE
    assert form.backbone_note.text() == BACKBONES[DEFAULT_BACKBONE].weights_note
    form.backbone.setCurrentIndex(form.backbone.findData("mobilenet_v2"))
    assert "internet" in form.backbone_note.text()
    assert [form.backbone.itemData(i) for i in range(form.backbone.count())] == list(BACKBONES)


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_aggregator_form_is_generated_from_the_declared_parameters(window, name):
    form = window.form
    form.aggregator.setCurrentIndex(form.aggregator.findData(name))
    strategy = STRATEGIES[name]
    inputs = form.strategy_form.inputs
    assert list(inputs) == [p.name for p in strategy.parameters]
    for param in strategy.parameters:
        widget = inputs[param.name]
        assert widget.toolTip() == param.help
        if param.choices:
            assert isinstance(widget, QComboBox)
            assert [widget.itemText(i) for i in range(widget.count())] == list(param.choices)
            assert widget.currentText() == param.default
        else:
            assert isinstance(widget, QSpinBox if param.type is int else QDoubleSpinBox)
            assert widget.value() == param.default
            if param.minimum is not None:
                assert widget.minimum() == param.minimum
            if param.maximum is not None:
                assert widget.maximum() == param.maximum
    assert form.settings()["aggregator_params"] == strategy.validate_settings({})


def test_training_fields_are_built_from_the_declared_session_settings(window):
    form = window.form
    declared = (*NUMERIC_SETTINGS, CLIP_UPDATE_NORM)
    assert list(form.numbers) == [p.name for p in declared]  # in the declaration's order, nothing else
    for param in declared:
        field = form.numbers[param.name]
        assert field.objectName() == param.name
        assert field.parentWidget().layout().labelForField(field).text() == param.label
        spin = field.norm if field is form.clip_update_norm else field
        assert isinstance(spin, QSpinBox if param.type is int else QDoubleSpinBox)
        assert param.help in spin.toolTip()
        # The form offers exactly the core's range: no value it accepts is refused on Save.
        assert spin.maximum() == param.maximum
        assert spin.minimum() == param.minimum or 0 < param.minimum < spin.minimum() <= 0.001
        spin.setValue(param.maximum * 10)
        assert spin.value() == param.maximum
    form.load_defaults()
    defaults = SessionConfig(title="", classes=()).to_dict()
    assert {name: field.value() for name, field in form.numbers.items()} == {p.name: defaults[p.name] for p in declared}
    assert form.numbers["learning_rate"].text() == "0.001000" and form.numbers["max_update_norm"].text() == "100.000"


def test_saving_a_fedbuff_session_stores_the_form_values(qtbot, window):
    fill_new_session(qtbot, window, "Buffered", ["a", "b"])
    form = window.form
    form.aggregator.setCurrentIndex(form.aggregator.findData("fedbuff"))
    form.strategy_form.inputs["buffer_size"].setValue(2)
    form.numbers["local_epochs"].setValue(3)
    form.numbers["learning_rate"].setValue(0.002)
    form.save_button.click()
    qtbot.waitUntil(lambda: window.session_id is not None, timeout=5000)
    config = window.coordinator.get_session(window.session_id)["config"]
    assert config["aggregator"] == "fedbuff"
    assert config["aggregator_params"] == {"buffer_size": 2, "server_learning_rate": 1.0}
    assert (config["local_epochs"], config["learning_rate"]) == (3, 0.002)
    qtbot.waitUntil(lambda: window.toolbar.session_combo.currentText() == f"#{window.session_id} Buffered", timeout=5000)


def test_invalid_settings_are_explained_on_the_field_and_nothing_is_created(qtbot, window):
    form = window.form
    fill_new_session(qtbot, window, "", ["only one"])
    form.save_button.click()
    assert form.error.isVisible()
    assert "title" in form.error.text().lower()
    assert form.title.styleSheet() == ERROR_STYLE
    qtbot.keyClicks(form.title, "Birds")
    form.save_button.click()
    assert "2 to 50 classes" in form.error.text()
    assert form.classes.list.styleSheet() == ERROR_STYLE
    assert form.title.styleSheet() == ""
    form.classes.add_class("ONLY ONE")
    form.save_button.click()
    assert "appears twice" in form.error.text()
    window.toolbar.start_action.trigger()  # Start checks the same way and starts nothing
    assert window.serving is None and not window.controller.starting
    assert window.coordinator.list_sessions() == []


def test_classes_editor_adds_renames_reorders_and_removes(qtbot, window):
    editor = window.form.classes
    fill_new_session(qtbot, window, "Order", ["cat", "dog", "bird"])
    editor.list.setCurrentRow(2)
    editor.up_button.click()
    assert editor.classes() == ["cat", "bird", "dog"]
    editor.list.setCurrentRow(0)
    editor.down_button.click()
    assert editor.classes() == ["bird", "cat", "dog"]
    editor.rename(2, "puppy")
    editor.list.setCurrentRow(1)
    editor.remove_button.click()
    assert editor.classes() == ["bird", "puppy"]
    assert window.form.settings()["classes"] == ["bird", "puppy"]


def test_a_session_that_has_run_refuses_class_changes_with_an_explanation(qtbot, window):
    fill_new_session(qtbot, window, "Fixed", ["yes", "no"])
    start_and_wait(qtbot, window)
    editor = window.form.classes
    qtbot.waitUntil(editor.is_locked, timeout=5000)
    assert editor.locked_label.isVisibleTo(window.form) and "fixed" in editor.locked_label.text()
    assert not editor.add_button.isEnabled() and not window.form.backbone.isEnabled()
    # Even if a change got past the locked editor, the core refuses it and the form says why.
    editor.set_classes(["yes", "no", "maybe"])
    window.form.save_button.click()
    qtbot.waitUntil(window.form.error.isVisible, timeout=5000)
    assert "cannot change once the session has run" in window.form.error.text()
    assert window.coordinator.config(window.session_id).classes == ("yes", "no")
    # Other settings may still change while it runs.
    editor.set_classes(["yes", "no"])
    window.form.numbers["local_epochs"].setValue(7)
    window.form.save_button.click()
    qtbot.waitUntil(lambda: window.coordinator.config(window.session_id).local_epochs == 7, timeout=5000)


def test_int8_option_is_on_by_default_explains_its_trade_off_and_follows_the_backbone(window):
    form = window.form
    assert form.quantized_backbone.text() == SETTING_CAPTIONS["quantized_backbone"] == "Smaller download for participants (int8)"
    assert form.quantized_backbone.isChecked() and form.quantized_backbone.isEnabled()
    note = form.quantized_note.text()
    assert form.quantized_note.isVisibleTo(form)
    for fact in ("2.4×", "16.7 → 7.0 MB", "same accuracy", "20 % slower"):
        assert fact in note, fact
    assert form.quantized_backbone.toolTip() == note
    assert form.settings()["quantized_backbone"] is True
    # Another backbone, or random weights, unticks it (the installers ship int8 for the default only) ...
    form.backbone.setCurrentIndex(form.backbone.findData("mobilenet_v2"))
    form.backbone.activated.emit(form.backbone.currentIndex())  # what a person's pick emits
    assert form.settings()["quantized_backbone"] is False
    form.backbone.setCurrentIndex(form.backbone.findData(DEFAULT_BACKBONE))
    form.backbone.activated.emit(form.backbone.currentIndex())
    assert form.settings()["quantized_backbone"] is True
    form.pretrained.click()
    assert form.settings()["quantized_backbone"] is False
    form.pretrained.click()
    assert form.settings()["quantized_backbone"] is True
    # ... while loading a stored float32 session keeps its choice.
    form.load({**form.settings(), "title": "Old", "classes": ["a", "b"], "quantized_backbone": False}, has_run=False)
    assert form.settings()["quantized_backbone"] is False


def test_int8_session_serves_the_int8_model_and_the_option_locks_once_it_has_run(qtbot, window, model_cache):
    fill_new_session(qtbot, window, "Small download", ["yes", "no"])
    form = window.form
    assert form.quantized_backbone.isChecked()  # the default
    form.save_button.click()
    qtbot.waitUntil(lambda: window.session_id is not None, timeout=5000)
    assert window.coordinator.config(window.session_id).quantized_backbone is True
    start_and_wait(qtbot, window)
    int8 = model_cache.feature_extractor(DEFAULT_BACKBONE, True, quantized=True, feature_map=True)
    assert window.coordinator.prepare_models(window.session_id)["feature_extractor"]["sha256"] == int8.sha256
    qtbot.waitUntil(lambda: not form.quantized_backbone.isEnabled(), timeout=5000)
    assert form.quantized_backbone.isChecked()
    # Forced past the disabled box, the core refuses and the form shows why on the box itself.
    form.quantized_backbone.setChecked(False)
    form.save_button.click()
    qtbot.waitUntil(form.error.isVisible, timeout=5000)
    assert "cannot change once the session has run" in form.error.text()
    assert form.quantized_backbone.styleSheet() == ERROR_STYLE
    assert window.coordinator.config(window.session_id).quantized_backbone is True


def test_update_clipping_is_automatic_by_default_and_can_be_fixed_or_turned_off(qtbot, window):
    fill_new_session(qtbot, window, "Clipped", ["a", "b"])
    form = window.form
    clip = form.clip_update_norm
    assert clip.automatic.isChecked() and not clip.norm.isEnabled() and clip.value() is None
    clip.automatic.setChecked(False)
    assert clip.norm.isEnabled()
    clip.norm.setValue(5.0)
    form.save_button.click()
    qtbot.waitUntil(lambda: window.session_id is not None, timeout=5000)
    assert window.coordinator.get_session(window.session_id)["config"]["clip_update_norm"] == 5.0
    clip.norm.setValue(0.0)  # the facilitator turns the protection off
    assert clip.norm.text() == "off"
    form.save_button.click()
    qtbot.waitUntil(lambda: window.coordinator.config(window.session_id).clip_update_norm == 0.0, timeout=5000)
    clip.automatic.setChecked(True)
    form.save_button.click()
    qtbot.waitUntil(lambda: window.coordinator.config(window.session_id).clip_update_norm is None, timeout=5000)
