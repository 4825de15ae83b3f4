"""What the dashboard shows, read from the core in one go (off the UI thread). No Qt here."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

EVENTS_SHOWN = 500
UPDATE_RATE_WINDOW = 60.0  # seconds


@dataclass(frozen=True)
class SessionSnapshot:
    session: dict
    participants: list[dict]
    updates: list[dict]
    accuracy: list[dict]
    test_set: dict
    events: list[dict]
    taken_at: float = field(default_factory=time.time)

    @property
    def session_id(self) -> int:
        return self.session["id"]

    @property
    def version(self) -> int:
        return self.session["version"]

    def updates_per_minute(self, now: float | None = None) -> float:
        """Updates received (accepted or rejected) in the last minute."""
        now = self.taken_at if now is None else now
        return float(sum(1 for u in self.updates if now - u["received_at"] <= UPDATE_RATE_WINDOW))

    def rejected_updates(self) -> list[dict]:
        return [u for u in self.updates if u["status"] == "rejected"]

    def accuracy_by_version(self) -> list[tuple[float, float]]:
        """(version, accuracy) of the server-side test set; the latest evaluation of each version."""
        latest: dict[int, float] = {}
        for row in self.accuracy:
            latest[row["version"]] = row["accuracy"]
        return sorted((float(v), a) for v, a in latest.items())

    def latest_tests(self) -> dict[int, dict]:
        """Each participant's latest test on their own test photos among the events read:
        ``{participant id: {version, accuracy, n, at}}``."""
        latest: dict[int, dict] = {}
        for event in self.events:
            data = event.get("data") or {}
            if event["kind"] == "test_result" and event.get("participant_id") is not None and "accuracy" in data:
                latest[event["participant_id"]] = {
                    "version": data.get("version"), "accuracy": data["accuracy"], "n": data.get("n"), "at": event["at"],
                }
        return latest

    def staleness_by_update(self) -> list[tuple[float, float]]:
        """(update number, staleness) of every accepted update, in arrival order."""
        accepted = [u for u in self.updates if u["status"] != "rejected"]
        return [(float(i + 1), float(u["staleness"])) for i, u in enumerate(accepted)]


def load_snapshot(coordinator: Any, session_id: int) -> SessionSnapshot:
    events = coordinator.event_log(session_id)[-EVENTS_SHOWN:]
    return SessionSnapshot(
        session=coordinator.get_session(session_id),
        participants=coordinator.participants(session_id),
        updates=coordinator.updates(session_id),
        accuracy=coordinator.accuracy_history(session_id),
        test_set=coordinator.test_set_status(session_id),
        events=events,
    )


def participant_label(nickname: str, participant_id: int) -> str:
    """A nickname with the participant's id: nicknames are not unique, ids are (a study export's P<id>)."""
    return f"{nickname} · #{participant_id}"


class _Fields(dict):
    """An event's data for ``str.format_map``: a field it lacks reads "None"."""

    def __missing__(self, key: str) -> None:
        return None


#: Events told by a template of ``who`` and the event's data fields.
EVENT_TEMPLATES = {
    "participant_removed": "{who} was removed",
    "device_blocked": "{who}'s device is blocked: it cannot join this session again",
    "device_unblocked": "{who}'s device is no longer blocked: it may join again as a new participant",
    "join_refused": "{who}'s blocked device tried to join again and was refused",
    "update_accepted": "update from {who} accepted (base v{base_version}, staleness {staleness})",
    "update_rejected": "update from {who} rejected: {reason}",
    "server_evaluation": "version {version}: test accuracy {accuracy:.1%} on {n} images",
    "test_result": "{who} tested version {version}: {accuracy:.1%} on {n} images",
}
_TEMPLATE_DEFAULTS = {"reason": "", "accuracy": 0}


def describe_event(event: dict, nicknames: dict[int, str] | None = None) -> str:
    """One line a facilitator can read, for the event log."""
    data = event.get("data") or {}
    participant_id = event.get("participant_id")
    known = (nicknames or {}).get(participant_id)
    who = f"participant #{participant_id}" if known is None else participant_label(known, participant_id)
    kind = event["kind"]
    if kind in EVENT_TEMPLATES:
        return EVENT_TEMPLATES[kind].format_map(_Fields({**_TEMPLATE_DEFAULTS, **data, "who": who}))
    if kind == "participant_joined":
        if data.get("nickname"):
            who = participant_label(data["nickname"], participant_id)
        return f"{who} joined" + (f" ({data['device'][:60]})" if data.get("device") else "")
    if kind == "class_stats_received":
        counts = data.get("counts") or []
        return (f"{who} sent class statistics ({sum(counts)} photos of {sum(1 for n in counts if n)} classes): "
                f"the model starts from everyone's class means (version {data.get('version')})")
    if kind == "model_version":
        if data.get("class_stats_from") is not None or data.get("class_stats_removed"):
            return f"model version {data.get('version')} published (class statistics changed)"
        return f"model version {data.get('version')} published ({len(data.get('update_ids', []))} update(s))"
    if kind == "test_set_loaded":
        skipped = len(data.get("skipped") or [])
        return f"test set loaded: {data.get('images')} images" + (f", {skipped} skipped" if skipped else "")
    if kind == "server_address_changed":
        previous = data.get("previous") or None
        text = f"served at {data.get('host')}:{data.get('port')}"
        if previous:
            text += f" (was {previous.get('host')}:{previous.get('port')}: participants' join links changed)"
        return text
    if kind == "session_configured":
        return "settings changed: " + ", ".join(sorted((data.get("changes") or {}).keys()))
    return kind.replace("_", " ")
