"""Plain-language presets of how the class model learns: the aggregator, its parameters and the session's
numeric settings in one choice. No Qt here.

A preset states only what it changes from the core's declarations (``session.NUMERIC_SETTINGS``,
``CLIP_UPDATE_NORM``, each strategy's ``parameters``); everything else is their default, so a new setting
needs nothing here. Its summary names the values it sets (filled in from ``settings()``), so what it says
and what it sets cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..session import CLIP_UPDATE_NORM, NUMERIC_SETTINGS, SessionConfig
from ..strategies import STRATEGIES
from .i18n import tr, tr_noop

#: The settings a preset decides; the form's other settings (title, classes, backbone, study) are not touched.
LEARNING_SETTINGS = ("aggregator", "aggregator_params", *(p.name for p in NUMERIC_SETTINGS), CLIP_UPDATE_NORM.name)


@dataclass(frozen=True)
class Preset:
    name: str
    title: str  # English, marked for translation
    summary: str  # English with {fields} from ``values()``, marked for translation
    changes: Mapping[str, Any] = field(default_factory=dict)  # from the declared defaults

    def settings(self) -> dict:
        """Every learning setting this preset stands for."""
        defaults = SessionConfig(title="", classes=()).to_dict()
        chosen = {key: defaults[key] for key in LEARNING_SETTINGS}
        chosen.update({k: v for k, v in self.changes.items() if k != "aggregator_params"})
        strategy = STRATEGIES[chosen["aggregator"]]
        chosen["aggregator_params"] = {p.name: p.default for p in strategy.parameters}
        chosen["aggregator_params"].update(self.changes.get("aggregator_params", {}))
        return chosen

    def values(self) -> dict:
        """The settings as the summary's fields: numbers flat, the strategy's parameters by their own names."""
        settings = self.settings()
        return {**{k: v for k, v in settings.items() if k != "aggregator_params"}, **settings["aggregator_params"]}

    def fields(self) -> dict:
        """The summary's fields: ``values()``, each fraction also as ``<name>_percent``, and the declared
        defaults as ``default_<name>`` (what the preset changes from)."""
        fields = _with_percent(self.values())
        return {**fields, **{f"default_{k}": v for k, v in _with_percent(Preset("", "", "").values()).items()}}

    def describe(self) -> str:
        return tr("Presets", self.summary, **self.fields())

    def matches(self, settings: Mapping[str, Any]) -> bool:
        """Whether ``settings`` (the form's) are this preset's, up to the form's rounding."""
        return _same({k: settings.get(k) for k in LEARNING_SETTINGS}, self.settings())


def _with_percent(values: dict) -> dict:
    percent = {f"{k}_percent": round(v * 100) for k, v in values.items() if isinstance(v, float) and 0 <= v <= 1}
    return {**values, **percent}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)
    return a == b


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "recommended",
            tr_noop("Presets", "Recommended"),
            tr_noop(
                "Presets",
                "Good for most lessons. Every contribution changes the class model as soon as it "
                "arrives; contributions made on an older model count less. Each contribution's "
                "influence is capped at what honest training can do, so no single student can drag "
                "the class model away.",
            ),
        ),
        Preset(
            "robust",
            tr_noop("Presets", "Robust to pranks"),
            tr_noop(
                "Presets",
                "For a class where someone might send nonsense on purpose. The class model waits "
                "for {buffer_size} contributions and combines them so that the most unusual ones are "
                "left out ({trim_fraction_percent} % from each end); contributions far larger than "
                "honest training makes (change above {max_update_norm:g}) are refused. The class "
                "model changes a little less often.",
            ),
            {"aggregator": "robust_fedbuff", "max_update_norm": 10.0},
        ),
        Preset(
            "fast",
            tr_noop("Presets", "Fast-moving"),
            tr_noop(
                "Presets",
                "For short activities and small groups. Each contribution changes the class model "
                "strongly (weight {alpha_percent} % instead of {default_alpha_percent} %), and contributions made on a model "
                "more than {max_staleness} versions old are refused, so everyone keeps working on a "
                "recent one.",
            ),
            {"aggregator_params": {"alpha": 0.8}, "max_staleness": 10},
        ),
    )
}
DEFAULT_PRESET = "recommended"
#: Shown when the advanced settings match no preset.
CUSTOM_TITLE = tr_noop("Presets", "Custom")
CUSTOM_SUMMARY = tr_noop("Presets", "Your own settings: see Advanced below.")


def preset_for(settings: Mapping[str, Any]) -> Preset | None:
    """The preset ``settings`` are, or None (custom)."""
    return next((p for p in PRESETS.values() if p.matches(settings)), None)
