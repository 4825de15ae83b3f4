"""User-study logging: the browser events a study may record, and their validation.

Each kind lists exactly the fields it may carry. Anything else is refused, so an event can
never smuggle image bytes, file names or EXIF data into the study log: the only strings
allowed are class names of the session, "train"/"test", "visible"/"hidden" and "class"/"own".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput, Text

MAX_EVENTS_PER_BATCH = 200
MAX_SEQ = 2**53  # JavaScript's safe integers
MAX_CLIENT_CLOCK_SKEW_S = 7 * 24 * 3600

DEFAULT_CONSENT_NOTICE = (
    "This session is part of a study. While you take part, the app records what you do in it — "
    "when you add or delete images (only how many and how large, never the images or their names), "
    "which labels the model suggested and which you chose, when you ask the model why or try a photo "
    "(never the photo), your training and test results, and when this page is in view — under a pseudonym. "
    "You can stop at any time by closing the page."
)
MAX_CONSENT_NOTICE = 2000


def _count(value: Any, classes: tuple[str, ...]) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**9


def _number(value: Any, classes: tuple[str, ...]) -> bool:
    # abs() < 1e12 also refuses NaN and ±Inf; math.isfinite() would raise OverflowError on a 400-digit int.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 1e12


def _unit(value: Any, classes: tuple[str, ...]) -> bool:
    return _number(value, classes) and 0.0 <= value <= 1.0


def _class_name(value: Any, classes: tuple[str, ...]) -> bool:
    return isinstance(value, str) and value in classes


def _split(value: Any, classes: tuple[str, ...]) -> bool:
    return value in ("train", "test")


def _visibility(value: Any, classes: tuple[str, ...]) -> bool:
    return value in ("visible", "hidden")


def _losses(value: Any, classes: tuple[str, ...]) -> bool:
    return isinstance(value, list) and len(value) <= 1000 and all(_number(v, classes) for v in value)


def _model(value: Any, classes: tuple[str, ...]) -> bool:
    return value in ("class", "own")


Check = Callable[[Any, tuple[str, ...]], bool]

#: kind → {field: check}. Every field listed is required; no other field is allowed. What the server
#: already knows first-hand (joins, updates accepted or rejected, test results) it records itself.
BROWSER_EVENTS: dict[str, dict[str, Check]] = {
    "image_added": {"split": _split, "count": _count, "bytes": _count},
    "image_deleted": {"split": _split, "count": _count},
    "suggestion_shown": {"image": _count, "suggested": _class_name, "confidence": _unit},
    "suggestion_accepted": {"image": _count, "label": _class_name},
    "suggestion_changed": {"image": _count, "from": _class_name, "to": _class_name},
    "training_started": {"base_version": _count, "epochs": _count, "batch_size": _count, "samples": _count},
    "training_finished": {"duration_ms": _number, "epochs": _count, "loss_per_epoch": _losses},
    "update_submitted": {"base_version": _count, "sample_count": _count},
    "visibility": {"state": _visibility},
    # issue 16: a "Why?" map shown (image 0: the photo in "Try it", which is never stored), a photo tried
    "explanation_viewed": {"image": _count, "class": _class_name, "model": _model, "version": _count},
    "photo_tried": {"top": _class_name, "confidence": _unit, "model": _model, "version": _count},
}


@dataclass(frozen=True)
class BrowserEvent:
    seq: int
    at: float  # the browser's clock, unix seconds
    kind: str
    data: dict


def validate_batch(payload: Any, classes: tuple[str, ...], now: float) -> list[BrowserEvent]:
    """The events of one POST, all valid, or InvalidInput naming the first bad one (nothing is stored then)."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("events"), list):
        raise InvalidInput('Send {"events": [...]}.', field="events")
    items = payload["events"]
    if not 1 <= len(items) <= MAX_EVENTS_PER_BATCH:
        raise InvalidInput("Send 1 to {n} events per request.", field="events", n=MAX_EVENTS_PER_BATCH)
    events = []
    for i, item in enumerate(items):
        where = f"events[{i}]"
        if not isinstance(item, Mapping) or set(item) != {"seq", "at", "kind", "data"}:
            raise InvalidInput("{where} must have exactly seq, at, kind and data.", field=where, where=where)
        seq, at, kind, data = item["seq"], item["at"], item["kind"], item["data"]
        if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= MAX_SEQ:
            raise InvalidInput("{where}.seq must be a whole number ≥ 0.", field=f"{where}.seq", where=where)
        if not _number(at, classes) or abs(at - now) > MAX_CLIENT_CLOCK_SKEW_S:
            raise InvalidInput("{where}.at must be a unix time in seconds near now.", field=f"{where}.at", where=where)
        if not isinstance(kind, str) or kind not in BROWSER_EVENTS:  # a list or object is unhashable
            raise InvalidInput(
                "{where}.kind '{kind}' is not a study event; known: {known}.",
                field=f"{where}.kind",
                where=where,
                kind=str(kind)[:40],
                known=", ".join(BROWSER_EVENTS),
            )
        schema = BROWSER_EVENTS[kind]
        if not isinstance(data, Mapping) or set(data) != set(schema):
            raise InvalidInput(
                "{where}.data of '{kind}' must have exactly: {fields}.",
                field=f"{where}.data",
                where=where,
                kind=kind,
                fields=", ".join(schema) or Text("no fields"),
            )
        for name, check in schema.items():
            if not check(data[name], classes):
                raise InvalidInput(
                    "{where}.data.{name} has a value '{kind}' does not allow.",
                    field=f"{where}.data.{name}",
                    where=where,
                    name=name,
                    kind=kind,
                )
        events.append(BrowserEvent(seq, float(at), kind, dict(data)))
    return events


def validate_notice(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("The consent notice must be a non-empty text.", field="consent_notice")
    if len(value) > MAX_CONSENT_NOTICE:
        raise InvalidInput("The consent notice may be at most {n} characters.", field="consent_notice", n=MAX_CONSENT_NOTICE)
    return value.strip()
