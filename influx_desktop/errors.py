"""Errors the core raises. Each carries a machine code, a sentence a person can act on,
and the offending field when there is one. The HTTP layer maps the class to a status code."""

from __future__ import annotations


class InfluxError(Exception):
    """Base class: ``code`` is a short machine string, ``message`` is for people."""

    default_code = "error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class InvalidInput(InfluxError):
    default_code = "invalid_input"


class Unauthorized(InfluxError):
    default_code = "unauthorized"


class Forbidden(InfluxError):
    default_code = "forbidden"


class NotFound(InfluxError):
    default_code = "not_found"


class Conflict(InfluxError):
    default_code = "conflict"


class PayloadTooLarge(InfluxError):
    default_code = "payload_too_large"


class UnsupportedMediaType(InfluxError):
    default_code = "unsupported_media_type"


class RateLimited(InfluxError):
    default_code = "rate_limited"


class StorageError(InfluxError):
    """The data directory or database cannot be used (read-only, full, corrupt)."""

    default_code = "storage_error"


class ModelUnavailable(InfluxError):
    """A backbone cannot be built, e.g. its pretrained weights are not on this machine."""

    default_code = "model_unavailable"
