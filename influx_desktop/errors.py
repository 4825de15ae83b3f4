"""Errors the core raises. Each carries a machine code, a sentence a person can act on,
and the offending field when there is one. The HTTP layer maps the class to a status code
(server/errors.py); the classes differ only in what they mean, so each is a docstring.
"""

from __future__ import annotations

import re


class InfluxError(Exception):
    """Base class: ``code`` is a short machine string, ``message`` is for people.

    A subclass's default ``code`` is its name in snake case (``NotFound``: ``not_found``).
    """

    default_code = "error"

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "default_code" not in cls.__dict__:
            cls.default_code = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field


class InvalidInput(InfluxError):
    """The request is malformed or breaks a rule of the session; ``field`` names what to fix."""


class Unauthorized(InfluxError):
    """A request without the token it needs, or with one that is unknown, revoked or wrong."""


class Forbidden(InfluxError):
    """Understood, but not allowed: consent missing, a blocked device, facilitator routes off this machine."""


class NotFound(InfluxError):
    """No such session, participant, version, join code or artifact."""


class Conflict(InfluxError):
    """The request is fine but the session's state refuses it now (paused, has run, too stale…)."""


class PayloadTooLarge(InfluxError):
    """A body over its route's limit."""


class UnsupportedMediaType(InfluxError):
    """A body of the wrong content type."""


class RateLimited(InfluxError):
    """Too many requests of one kind from one participant or address."""


class StorageError(InfluxError):
    """The data directory or database cannot be used (read-only, full, corrupt)."""


class ModelUnavailable(InfluxError):
    """A backbone cannot be built, e.g. its pretrained weights are not on this machine."""
