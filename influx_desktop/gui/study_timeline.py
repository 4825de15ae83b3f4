"""What the study replay view shows: a session's pseudonymous study timeline, read in one go off the UI
thread, its filters, and one readable line per event. No Qt here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .i18n import rejection_reason, tr


@dataclass(frozen=True)
class StudyTimeline:
    session_id: int
    study_logging: bool
    rows: list[dict]  # coordinator.study_timeline rows, in time order

    def participants(self) -> list[str]:
        """The pseudonyms present, P2 before P10."""
        return sorted({r["participant"] for r in self.rows}, key=_pseudonym_order)

    def kinds(self) -> list[str]:
        return sorted({r["kind"] for r in self.rows})

    def filtered(self, participant: str | None = None, kind: str | None = None) -> list[dict]:
        """Rows of one participant and/or one kind; None means any."""
        return [
            r
            for r in self.rows
            if (participant is None or r["participant"] == participant) and (kind is None or r["kind"] == kind)
        ]


def load_study_timeline(coordinator: Any, session_id: int) -> StudyTimeline:
    return StudyTimeline(
        session_id=session_id,
        study_logging=coordinator.config(session_id).study_logging,
        rows=coordinator.study_timeline(session_id),
    )


def _pseudonym_order(name: str) -> tuple[int, str]:
    match = re.fullmatch(r"P(\d+)", name)
    return (int(match.group(1)), name) if match else (2**63, name)


C = "StudyReplay"


def _images(count: int, split: str) -> str:
    if split == "test":
        return tr(C, "1 test image") if count == 1 else tr(C, "{n} test images", n=count)
    return tr(C, "1 image") if count == 1 else tr(C, "{n} images", n=count)


def _size(n: int) -> str:
    if n < 1024:
        return tr(C, "{n} bytes", n=n)
    if n < 1024**2:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024**2:.1f} MB"


def _losses(values: list) -> str:
    if not values:
        return tr(C, "no loss reported")
    if len(values) == 1:
        return tr(C, "loss {loss}", loss=f"{values[0]:.3g}")
    return tr(C, "loss {first} → {last}", first=f"{values[0]:.3g}", last=f"{values[-1]:.3g}")


def _photo(number: int) -> str:
    """A "Why?" names the photo by its number; 0 is the photo being tried in "Try it" (never stored)."""
    return tr(C, "the photo being tried") if number == 0 else tr(C, "image {image}", image=number)


def _model(kind: str) -> str:
    return tr(C, "their own model") if kind == "own" else tr(C, "the class model")


_DESCRIPTIONS: dict[str, Callable[[dict], str]] = {
    # browser events (study.BROWSER_EVENTS)
    "image_added": lambda d: tr(C, "added {images} ({size})", images=_images(d["count"], d["split"]), size=_size(d["bytes"])),
    "image_deleted": lambda d: tr(C, "deleted {images}", images=_images(d["count"], d["split"])),
    "suggestion_shown": lambda d: tr(
        C,
        "image {image}: model suggested “{suggested}” ({confidence})",
        image=d["image"],
        suggested=d["suggested"],
        confidence=f"{d['confidence']:.0%}",
    ),
    "suggestion_accepted": lambda d: tr(C, "image {image}: accepted “{label}”", image=d["image"], label=d["label"]),
    "suggestion_changed": lambda d: tr(
        C, "image {image}: changed “{old}” to “{new}”", image=d["image"], old=d["from"], new=d["to"]
    ),
    "training_started": lambda d: tr(
        C,
        "started training on {samples} images from version {version} ({epochs} epochs, batch {batch})",
        samples=d["samples"],
        version=d["base_version"],
        epochs=d["epochs"],
        batch=d["batch_size"],
    ),
    "training_finished": lambda d: tr(
        C,
        "finished training in {seconds} s, {epochs} epochs, {losses}",
        seconds=f"{d['duration_ms'] / 1000:.1f}",
        epochs=d["epochs"],
        losses=_losses(d["loss_per_epoch"]),
    ),
    "update_submitted": lambda d: tr(
        C, "sent an update from version {version} ({n} images)", version=d["base_version"], n=d["sample_count"]
    ),
    "visibility": lambda d: tr(C, "page in view") if d["state"] == "visible" else tr(C, "page hidden (other tab or app)"),
    "explanation_viewed": lambda d: tr(
        C,
        "{photo}: looked at where {model} saw “{cls}” (version {version})",
        photo=_photo(d["image"]),
        model=_model(d["model"]),
        cls=d["class"],
        version=d["version"],
    ),
    "photo_tried": lambda d: tr(
        C,
        "tried a photo (not kept): {model} said “{top}” ({confidence}, version {version})",
        model=_model(d["model"]),
        top=d["top"],
        confidence=f"{d['confidence']:.0%}",
        version=d["version"],
    ),
    # server events (what the FL core records itself)
    "participant_joined": lambda d: (
        tr(C, "joined, accepted the study notice") if d.get("study_consent") else tr(C, "joined (no study consent)")
    ),
    "participant_removed": lambda d: tr(C, "removed by the facilitator"),
    "device_blocked": lambda d: tr(C, "device blocked from joining again by the facilitator"),
    "device_unblocked": lambda d: tr(C, "device unblocked by the facilitator"),
    "join_refused": lambda d: tr(C, "tried to join again from a blocked device: refused"),
    "update_accepted": lambda d: tr(
        C,
        "update accepted (from version {version}, staleness {staleness}, weight {weight})",
        version=d["base_version"],
        staleness=d["staleness"],
        weight=f"{d['weight']:.3g}",
    ),
    "update_rejected": lambda d: tr(C, "update rejected: {reason}", reason=rejection_reason(d)),
    "test_result": lambda d: tr(
        C, "tested version {version}: {accuracy} on {n} images", version=d["version"], accuracy=f"{d['accuracy']:.1%}", n=d["n"]
    ),
}


def describe_study_row(row: dict) -> str:
    """One line a researcher can read; unknown kinds (or unexpected data) show their data as JSON."""
    describe = _DESCRIPTIONS.get(row["kind"])
    if describe is not None:
        try:
            return describe(row["data"])
        except (KeyError, TypeError, ValueError):
            pass
    return json.dumps(row["data"], sort_keys=True)
