"""A session (the task participants join): its settings and their validation."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .errors import InvalidInput, Label, Text
from .models.backbones import BACKBONES, DEFAULT_BACKBONE
from .settings import Param
from .strategies import DEFAULT_STRATEGY, get_strategy_class
from .study import DEFAULT_CONSENT_NOTICE, validate_notice

MIN_CLASSES, MAX_CLASSES = 2, 50
MAX_CLASS_NAME = 40
MAX_TITLE = 80

#: The session's numeric settings, declared once: ``SessionConfig.from_dict`` validates with these ranges and
#: defaults, and the facilitator's form builds its fields (label, range, default, tooltip) from them.
#: Local training (issue 12, measured in docs/benchmarks.md item 5): a class's photos rarely exceed 64 on one
#: device, so each epoch is one step on all of them and a round is 10 AdamW steps however many photos a
#: participant has (5 for 16 photos before, 20 noisy ones for 60). A 10× smaller rate only holds the
#: class-statistics start: a participant's photos would then add nothing beyond their statistics.
NUMERIC_SETTINGS: tuple[Param, ...] = (
    Param(
        "local_epochs",
        int,
        10,
        "Passes over its photos each participant's browser makes per round.",
        minimum=1,
        maximum=100,
        label="Local epochs",
    ),
    Param("batch_size", int, 64, "Photos per training step in the browser.", minimum=1, maximum=512, label="Batch size"),
    Param(
        "learning_rate",
        float,
        1e-3,
        "AdamW step size of local training in the browser.",
        minimum=1e-6,
        maximum=1.0,
        label="Learning rate",
    ),
    Param(
        "max_staleness",
        int,
        20,
        "Updates trained on a model more than this many versions old are refused.",
        minimum=0,
        maximum=100_000,
        label="Max staleness (versions)",
    ),
    Param(
        "max_update_norm",
        float,
        100.0,
        "Updates whose change (client − base) has a larger L2 norm are refused.",
        minimum=1e-6,
        maximum=1e9,
        label="Max update norm (L2)",
    ),
)

#: ``clip_update_norm`` is numeric too, but None is a value of its own: None (the default) automatic, the
#: furthest honest local training with these settings can move the model (``honest_update_bound``); 0 off;
#: a number that L2 norm. Declared here, outside ``NUMERIC_SETTINGS``, because a plain spin box cannot say None.
CLIP_UPDATE_NORM = Param(
    "clip_update_norm",
    float,
    None,
    "Each accepted update's change is scaled down to this L2 norm (automatic: learning rate × epochs × √parameters; 0: off).",
    minimum=0.0,
    maximum=1e9,
    label="Clip updates to norm (L2)",
)

_NUMERIC = {p.name: p for p in (*NUMERIC_SETTINGS, CLIP_UPDATE_NORM)}


def _setting(caption: str, **declaration: Any) -> Any:
    """A ``SessionConfig`` field with its caption: what the setup form labels it and the event log calls it
    (English; the desktop says it in its language). ``declaration``: ``dataclasses.field``'s default."""
    return field(metadata={"caption": caption}, **declaration)


def _numeric(name: str) -> Any:
    """A numeric setting's field: its default and caption are its declaration's (``NUMERIC_SETTINGS``,
    ``CLIP_UPDATE_NORM``: ``Param.caption``)."""
    param = _NUMERIC[name]
    return _setting(param.caption, default=param.default)


def int8_by_default(backbone: Any, pretrained: Any) -> bool:
    """Whether a new session's participants download the int8 extractor unless the facilitator says otherwise.

    Yes for the pretrained default backbone: its int8 variant held accuracy within a point of float32 on every
    benchmark split and made the last of 30 joining phones ready 2.3× sooner (docs/benchmarks.md, items 8
    and 9), and the installers ship it prebuilt. Other combinations stay float32: unmeasured, and an
    installed app cannot build their int8 variant (packaging/README.md).
    """
    return backbone == DEFAULT_BACKBONE and pretrained is True


@dataclass(frozen=True)
class SessionConfig:
    """What the facilitator sets up. Build it with ``from_dict`` so every field is checked."""

    title: str = _setting("Title")
    classes: tuple[str, ...] = _setting("Classes")
    backbone: str = _setting("Backbone", default=DEFAULT_BACKBONE)
    # False: random initialisation, asked for explicitly
    pretrained: bool = _setting("Start from pretrained ImageNet weights", default=True)
    #: True: participants download the backbone's int8 variant (2.4× smaller first visit, accuracy within a
    #: point in the benchmarks, ~20 % slower extraction in the browser). Its features differ from the float32
    #: model's, so like backbone and pretrained it is fixed once the session has run. A *new* session gets
    #: ``int8_by_default`` (``SessionConfig.new``); False here is what a stored session without the key
    #: means: it was made before the option existed, with float32.
    quantized_backbone: bool = _setting("Smaller download for participants (int8)", default=False)
    aggregator: str = _setting("Aggregator", default=DEFAULT_STRATEGY)
    #: The strategy's own parameters; each has its caption in its declaration (``Strategy.parameters``).
    aggregator_params: dict = _setting("Aggregator settings", default_factory=dict)
    # The numeric settings: ranges, defaults, captions and help in NUMERIC_SETTINGS and CLIP_UPDATE_NORM above.
    local_epochs: int = _numeric("local_epochs")
    batch_size: int = _numeric("batch_size")
    learning_rate: float = _numeric("learning_rate")
    max_staleness: int = _numeric("max_staleness")
    max_update_norm: float = _numeric("max_update_norm")
    clip_update_norm: float | None = _numeric("clip_update_norm")
    # record participants' interactions for a user study (with their consent)
    study_logging: bool = _setting("Record participants' interactions for a user study", default=False)
    # shown to participants on joining while study_logging is on
    consent_notice: str = _setting("Consent notice", default=DEFAULT_CONSENT_NOTICE)

    @classmethod
    def new(cls, data: Mapping[str, Any]) -> SessionConfig:
        """A new session's settings: ``from_dict``, but an unset ``quantized_backbone`` is ``int8_by_default``."""
        if isinstance(data, Mapping) and "quantized_backbone" not in data:
            backbone, pretrained = data.get("backbone", DEFAULT_BACKBONE), data.get("pretrained", True)
            data = {**data, "quantized_backbone": int8_by_default(backbone, pretrained)}
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SessionConfig:
        if not isinstance(data, Mapping):
            raise InvalidInput("The session settings must be a JSON object.")
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise InvalidInput("Unknown setting '{key}'; known: {known}.", field=key, key=key, known=", ".join(sorted(known)))
        if "title" not in data or "classes" not in data:
            missing = "title" if "title" not in data else "classes"
            raise InvalidInput("'{setting}' is required.", field=missing, setting=missing)
        aggregator = _choice(data.get("aggregator", DEFAULT_STRATEGY), "aggregator")
        strategy = get_strategy_class(aggregator)
        return cls(
            title=_title(data["title"]),
            classes=_classes(data["classes"]),
            backbone=_backbone(data.get("backbone", DEFAULT_BACKBONE)),
            pretrained=_bool(data.get("pretrained", True), "pretrained"),
            quantized_backbone=_bool(data.get("quantized_backbone", False), "quantized_backbone"),
            aggregator=aggregator,
            aggregator_params=strategy.validate_settings(data.get("aggregator_params", {})),
            **{p.name: _number(data.get(p.name, p.default), p) for p in NUMERIC_SETTINGS},
            clip_update_norm=_optional_number(data.get(CLIP_UPDATE_NORM.name, CLIP_UPDATE_NORM.default), CLIP_UPDATE_NORM),
            study_logging=_bool(data.get("study_logging", False), "study_logging"),
            consent_notice=validate_notice(data.get("consent_notice", DEFAULT_CONSENT_NOTICE)),
        )

    def update_clip_norm(self, parameter_count: int) -> float:
        """The L2 norm each accepted update's change is scaled down to (0: no clipping)."""
        if self.clip_update_norm is None:
            return honest_update_bound(self.learning_rate, self.local_epochs, parameter_count)
        return self.clip_update_norm

    def to_dict(self) -> dict:
        data = asdict(self)
        data["classes"] = list(self.classes)
        return data

    def replace(self, changes: Mapping[str, Any]) -> SessionConfig:
        """A new validated config with ``changes`` applied."""
        merged = self.to_dict()
        if "aggregator" in changes and changes["aggregator"] != self.aggregator and "aggregator_params" not in changes:
            merged["aggregator_params"] = {}  # the old strategy's parameters mean nothing to the new one
        merged.update(changes)
        return SessionConfig.from_dict(merged)


#: Every setting's caption by its name, in ``SessionConfig``'s order (the setup form's), read from its field:
#: the form labels its fields with them and the event log names changed settings by them (both translated:
#: ``gui/i18n.core_texts``). Empty for a field declared without one (tests/core/test_session.py refuses it).
SETTING_CAPTIONS: dict[str, str] = {f.name: f.metadata.get("caption", "") for f in fields(SessionConfig)}


def honest_update_bound(learning_rate: float, local_epochs: int, parameter_count: int) -> float:
    """How far (L2) one round of local training can move the head: ``lr × epochs × √parameters``.

    A round is ``local_epochs`` AdamW steps (one per epoch: a class's photos fit one batch), and an Adam step
    moves each parameter by about the learning rate at most (its first step is exactly ``lr·sign(gradient)``).
    Measured (docs/security.md): honest updates reach 0.2–0.8 of this bound, so clipping to it leaves them
    alone, while one crafted update — ×−100, random or sign-flipped — moved the class model's test accuracy by
    at most 1.4 points instead of up to 52.
    """
    return float(learning_rate * local_epochs * math.sqrt(parameter_count))


def _title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("The title must be a non-empty text.", field="title")
    if len(value.strip()) > MAX_TITLE:
        raise InvalidInput("The title must be at most {n} characters.", field="title", n=MAX_TITLE)
    return value.strip()


def _classes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        raise InvalidInput("classes must be a list of class names.", field="classes")
    if not MIN_CLASSES <= len(value) <= MAX_CLASSES:
        raise InvalidInput(
            "A session needs {lo} to {hi} classes; got {n}.", field="classes", lo=MIN_CLASSES, hi=MAX_CLASSES, n=len(value)
        )
    names: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(value):
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("Class {number} has no name; every class needs one.", field="classes", number=i + 1)
        name = name.strip()
        if len(name) > MAX_CLASS_NAME:
            raise InvalidInput(
                "Class '{name}…' is longer than {n} characters.", field="classes", name=name[:20], n=MAX_CLASS_NAME
            )
        if name.casefold() in seen:
            raise InvalidInput("Class '{name}' appears twice; class names must be unique.", field="classes", name=name)
        seen.add(name.casefold())
        names.append(name)
    return tuple(names)


def _backbone(value: Any) -> str:
    if value not in BACKBONES:
        raise InvalidInput(
            "Unknown backbone '{name}'; choose one of: {known}.", field="backbone", name=value, known=", ".join(BACKBONES)
        )
    return value


def _choice(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput("{setting} must be a name.", field=name, setting=name)
    return value


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("{setting} must be true or false.", field=name, setting=name)
    return value


def _int(value: Any, setting: Label, lo: int, hi: int) -> int:
    # float(v) overflows on a huge JSON int and int(v) on ±Inf or NaN: test wholeness without converting.
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise InvalidInput(
            "{setting} must be a whole number from {lo} to {hi}.", field=str(setting), setting=setting, lo=lo, hi=hi
        )
    if not lo <= value <= hi:
        raise InvalidInput(
            "{setting} must be from {lo} to {hi}; got {value}.",
            field=str(setting),
            setting=setting,
            lo=lo,
            hi=hi,
            value=_shown(value),
        )
    return int(value)


def _float(value: Any, setting: Label, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        raise InvalidInput("{setting} must be a number from {lo:g} to {hi:g}.", field=str(setting), setting=setting, lo=lo, hi=hi)
    if not lo <= value <= hi:  # compared as is: float() of a 400-digit int overflows
        raise InvalidInput(
            "{setting} must be from {lo:g} to {hi:g}; got {value}.",
            field=str(setting),
            setting=setting,
            lo=lo,
            hi=hi,
            value=_shown(value),
        )
    return float(value)


def _number(value: Any, param: Param) -> int | float:
    """``value`` checked against a declared numeric setting (its type and range)."""
    check = _int if param.type is int else _float
    return check(value, Label(param.name, param.caption), param.minimum, param.maximum)


def _optional_number(value: Any, param: Param) -> int | float | None:
    """None (JSON null: automatic) or a number in the declared range."""
    return None if value is None else _number(value, param)


def _shown(value: int | float) -> str:
    """A number for a message; ``{:g}`` of a 400-digit int raises OverflowError."""
    if abs(value) >= 1e15:
        return Text("a huge number") if value > 0 else Text("a hugely negative number")
    return str(value) if isinstance(value, int) else f"{value:g}"
