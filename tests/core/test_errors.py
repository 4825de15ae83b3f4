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
