"""The core's errors: each class's machine code, and what every error carries."""

from __future__ import annotations

import pytest

from influx_desktop import errors


@pytest.mark.parametrize(
    "cls, code",
    [
        (errors.InvalidInput, "invalid_input"),
        (errors.Unauthorized, "unauthorized"),
        (errors.Forbidden, "forbidden"),
        (errors.NotFound, "not_found"),
        (errors.Conflict, "conflict"),
        (errors.PayloadTooLarge, "payload_too_large"),
        (errors.UnsupportedMediaType, "unsupported_media_type"),
        (errors.RateLimited, "rate_limited"),
        (errors.StorageError, "storage_error"),
        (errors.ModelUnavailable, "model_unavailable"),
    ],
)
def test_each_error_has_its_default_code_message_and_field(cls, code):
    plain = cls("Say what to do.")
    assert isinstance(plain, errors.InfluxError)
    assert (plain.code, plain.message, plain.field, str(plain)) == (code, "Say what to do.", None, "Say what to do.")
    specific = cls("Pick another port.", code="port_in_use", field="port")
    assert (specific.code, specific.field) == ("port_in_use", "port")


def test_every_error_class_is_tested_above():
    """A new error class gets its code pinned here and a status in server/errors.py's STATUS_BY_ERROR."""
    assert {c.__name__ for c in errors.InfluxError.__subclasses__() if c.__module__ == errors.__name__} == {
        "InvalidInput",
        "Unauthorized",
        "Forbidden",
        "NotFound",
        "Conflict",
        "PayloadTooLarge",
        "UnsupportedMediaType",
        "RateLimited",
        "StorageError",
        "ModelUnavailable",
    }


def test_a_subclass_may_still_name_its_own_default_code():
    class Teapot(errors.InfluxError):
        default_code = "short_and_stout"

    class SpoutMissing(errors.InfluxError):
        pass

    assert Teapot("x").code == "short_and_stout"
    assert SpoutMissing("x").code == "spout_missing"
    assert errors.InfluxError("x").code == "error"


# ---------------------------------------------------------------------- the sentence as template and fields


def test_a_sentence_is_its_template_filled_in_and_remembers_both():
    said = errors.Text("{n} photos of '{name}' are ready.", n=3, name="Apfel")
    assert (said, said.template, said.params) == (
        "3 photos of 'Apfel' are ready.",
        "{n} photos of '{name}' are ready.",
        {"n": 3, "name": "Apfel"},
    )
    assert errors.Text('Send {"events": [...]}.') == 'Send {"events": [...]}.'  # no fields: braces are literal
    error = errors.Conflict(
        "The update is {staleness} versions behind (the limit is {limit}).", code="too_stale", staleness=25, limit=20
    )
    assert (error.message, str(error), error.code, error.field) == (
        "The update is 25 versions behind (the limit is 20).",
        "The update is 25 versions behind (the limit is 20).",
        "too_stale",
        None,
    )
    assert (error.template, error.params) == (
        "The update is {staleness} versions behind (the limit is {limit}).",
        {"staleness": 25, "limit": 20},
    )
    assert type(error.message) is str  # stored in SQLite and sent as JSON like any text


def test_a_label_reads_as_its_value_and_carries_the_caption_the_desktop_translates():
    setting = errors.Label("batch_size", "Batch size")
    assert (f"{setting} must be a number.", setting.caption) == ("batch_size must be a number.", "Batch size")
    assert errors.Label("EfficientNet-Lite0 (ImageNet, offline)").caption == "EfficientNet-Lite0 (ImageNet, offline)"


def test_a_listing_reads_as_its_items_joined_and_keeps_each_for_the_desktop():
    choices = errors.Listing(errors.Label(c) for c in ("constant", "polynomial", "hinge"))
    assert (f"one of {choices}.", [item.caption for item in choices.items]) == (
        "one of constant, polynomial, hinge.",
        ["constant", "polynomial", "hinge"],
    )
    assert errors.Listing([]) == ""


def _refusal(settings: dict) -> errors.InfluxError:
    from influx_desktop.session import SessionConfig

    with pytest.raises(errors.InvalidInput) as refused:
        SessionConfig.from_dict({"title": "Fruit", "classes": ["apple", "pear"], **settings})
    return refused.value


@pytest.mark.parametrize(
    "settings, message, template",
    [
        ({"batch_size": 600}, "batch_size must be from 1 to 512; got 600.", "{setting} must be from {lo} to {hi}; got {value}."),
        (
            {"learning_rate": 10**400},
            "learning_rate must be from 1e-06 to 1; got a huge number.",
            "{setting} must be from {lo:g} to {hi:g}; got {value}.",
        ),
        (
            {"classes": ["Apfel", "Birne", "apfel"]},
            "Class 'apfel' appears twice; class names must be unique.",
            "Class '{name}' appears twice; class names must be unique.",
        ),
        ({"classes": ["Apfel"]}, "A session needs 2 to 50 classes; got 1.", "A session needs {lo} to {hi} classes; got {n}."),
        ({"aggregator_params": {"alpha": 2}}, "alpha must be at most 1.0.", "{setting} must be at most {maximum}."),
        (
            {"aggregator_params": {"staleness_function": "linear"}},
            "staleness_function must be one of constant, polynomial, hinge.",
            "{setting} must be one of {choices}.",
        ),
    ],
)
def test_the_template_and_its_fields_make_exactly_the_message_of_before(settings, message, template):
    """What HTTP answers, logs and the command line say is unchanged; the desktop gets the parts to translate."""
    error = _refusal(settings)
    assert (error.message, error.template) == (message, template)
    assert error.template.format(**error.params) == message


def test_a_setting_is_named_as_sent_with_the_forms_caption_beside_it():
    error = _refusal({"batch_size": 0})
    setting = error.params["setting"]
    assert (str(setting), setting.caption, error.field) == ("batch_size", "Batch size", "batch_size")
    huge = _refusal({"batch_size": 10**20}).params["value"]
    assert isinstance(huge, errors.Text) and huge.template == "a huge number"
