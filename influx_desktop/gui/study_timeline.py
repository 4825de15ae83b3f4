"""What the study replay view shows: a session's pseudonymous study timeline, read in one go off the UI
thread, its filters, and one readable line per event. No Qt here."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable


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
            r for r in self.rows
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


def _images(count: int, split: str) -> str:
    return f"{count} {'test ' if split == 'test' else ''}image{'' if count == 1 else 's'}"


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024**2:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024**2:.1f} MB"


def _losses(values: list) -> str:
    if not values:
        return "no loss reported"
    if len(values) == 1:
        return f"loss {values[0]:.3g}"
    return f"loss {values[0]:.3g} → {values[-1]:.3g}"


_DESCRIPTIONS: dict[str, Callable[[dict], str]] = {
    # browser events (study.BROWSER_EVENTS)
    "image_added": lambda d: f"added {_images(d['count'], d['split'])} ({_size(d['bytes'])})",
    "image_deleted": lambda d: f"deleted {_images(d['count'], d['split'])}",
    "suggestion_shown": lambda d: f"image {d['image']}: model suggested “{d['suggested']}” ({d['confidence']:.0%})",
    "suggestion_accepted": lambda d: f"image {d['image']}: accepted “{d['label']}”",
    "suggestion_changed": lambda d: f"image {d['image']}: changed “{d['from']}” to “{d['to']}”",
    "training_started": lambda d: (
        f"started training on {d['samples']} images from version {d['base_version']} "
        f"({d['epochs']} epochs, batch {d['batch_size']})"
    ),
    "training_finished": lambda d: (
        f"finished training in {d['duration_ms'] / 1000:.1f} s, {d['epochs']} epochs, {_losses(d['loss_per_epoch'])}"
    ),
    "update_submitted": lambda d: f"sent an update from version {d['base_version']} ({d['sample_count']} images)",
    "visibility": lambda d: "page in view" if d["state"] == "visible" else "page hidden (other tab or app)",
    # server events (what the FL core records itself)
    "participant_joined": lambda d: "joined, accepted the study notice" if d.get("study_consent") else "joined (no study consent)",
    "participant_removed": lambda d: "removed by the facilitator",
    "device_blocked": lambda d: "device blocked from joining again by the facilitator",
    "device_unblocked": lambda d: "device unblocked by the facilitator",
    "join_refused": lambda d: "tried to join again from a blocked device: refused",
    "update_accepted": lambda d: (
        f"update accepted (from version {d['base_version']}, staleness {d['staleness']}, weight {d['weight']:.3g})"
    ),
    "update_rejected": lambda d: f"update rejected: {d['reason']}",
    "test_result": lambda d: f"tested version {d['version']}: {d['accuracy']:.1%} on {d['n']} images",
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
