"""Errors the core raises. Each carries a machine code, a sentence a person can act on,
and the offending field when there is one. The HTTP layer maps the class to a status code
(server/errors.py); the classes differ only in what they mean, so each is a docstring.

The sentence is English, written once as a template with named fields, never an f-string::

    raise InvalidInput("Class '{name}' appears twice; class names must be unique.", field="classes", name=name)

``message`` is the template filled in (what the HTTP answer and the logs say); ``template`` and ``params`` let
the desktop say it in its language (``gui/i18n.core_message``). ``Text`` is the same for a sentence the core
says without raising it (a start's progress). ``scripts/translations.py`` collects every literal template of
these calls from the code, so a new error needs no list, only a translation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


class Text(str):
    """An English sentence the core says to people, made from ``template`` and its fields (``str.format``).

    It is that sentence (a ``str``: print it, send it), and remembers ``template`` and ``params`` so the
    desktop can say it in its language. A field may be another ``Text`` (translated too), a ``Label`` (a text
    the core declares), or data (a class name, a number: never translated). Without fields the template is
    the sentence as is (its braces are literal).
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Text:
        text = super().__new__(cls, template.format(**params) if params else template)
        text.template = template
        text.params = params
        return text


class Label(str):
    """A field of a sentence that names something the core declares and the desktop translates: a setting's
    caption, a backbone's title (``gui/i18n.core_texts``). Its value is what the English sentence says, which
    may be the setting's name as the HTTP API and config files spell it: ``Label("batch_size", "Batch size")``
    reads "batch_size" in the message and "Batch size" (in German "Batchgröße") in the desktop app."""

    caption: str

    def __new__(cls, value: str, caption: str | None = None) -> Label:
        label = super().__new__(cls, value)
        label.caption = value if caption is None else caption
        return label


class Listing(str):
    """Several fields of a sentence as one, joined with ", ": the choices a setting takes. Each item is what a
    field may be (a ``Label``, a ``Text`` or data) and the desktop says each as it would say that field:
    ``Listing(Label(c) for c in ("constant", "polynomial", "hinge"))`` reads "constant, polynomial, hinge" in the
    message and "konstant, polynomiell, Knick (hinge)" in the German desktop app, as its drop-down says them."""

    items: tuple[Any, ...]

    def __new__(cls, items: Iterable[Any]) -> Listing:
        items = tuple(items)
        listing = super().__new__(cls, ", ".join(str(item) for item in items))
        listing.items = items
        return listing


class InfluxError(Exception):
    """Base class: ``code`` is a short machine string, ``message`` is for people (``template`` filled in
    with ``params``: the fields after ``code`` and ``field``).

    A subclass's default ``code`` is its name in snake case (``NotFound``: ``not_found``).
    """

    default_code = "error"

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "default_code" not in cls.__dict__:
            cls.default_code = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    def __init__(self, template: str, /, *, code: str | None = None, field: str | None = None, **params: Any) -> None:
        message = str(Text(template, **params))
        super().__init__(message)
        self.message = message  # English, filled in: the HTTP answer, the logs, the command line
        self.template = template  # the sentence with its {fields}, for the desktop's translation
        self.params = params
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
