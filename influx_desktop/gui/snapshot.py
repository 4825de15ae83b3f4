"""What the dashboard shows, read from the core in one go (off the UI thread). No Qt here."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ..session import SETTING_CAPTIONS
from ..strategies import STRATEGIES
from .i18n import rejection_reason, setting_caption, tr, tr_core, tr_noop

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

    def joined(self) -> tuple[int, int]:
        """(participants not removed, of them active in the last minute)."""
        return self.session["active_participants"], sum(p["state"] == "active" for p in self.participants)

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
                    "version": data.get("version"),
                    "accuracy": data["accuracy"],
                    "n": data.get("n"),
                    "at": event["at"],
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


C = "EventLog"
#: Events told by a template of ``who`` and the event's data fields (marked for translation).
EVENT_TEMPLATES = {
    "participant_removed": tr_noop(C, "{who} was removed"),
    "device_blocked": tr_noop(C, "{who}'s device is blocked: it cannot join this session again"),
    "device_unblocked": tr_noop(C, "{who}'s device is no longer blocked: it may join again as a new participant"),
    "join_refused": tr_noop(C, "{who}'s blocked device tried to join again and was refused"),
    "update_accepted": tr_noop(C, "update from {who} accepted (base v{base_version}, staleness {staleness})"),
    "update_rejected": tr_noop(C, "update from {who} rejected: {reason}"),
    "server_evaluation": tr_noop(C, "version {version}: test accuracy {accuracy:.1%} on {n} images"),
    "test_result": tr_noop(C, "{who} tested version {version}: {accuracy:.1%} on {n} images"),
    "session_grouped": tr_noop(C, "this session became condition “{condition}” of group {group_id}"),
    "group_renamed": tr_noop(C, "group {group_id} was renamed “{title}” (was “{previous}”): participants read it before joining"),
    "session_ungrouped": tr_noop(C, "group {group_id} was deleted: its link no longer leads to this session"),
    "participant_assigned": tr_noop(C, "{who} was assigned to condition “{condition}” (#{position} in group {group_id})"),
}
_TEMPLATE_DEFAULTS = {"reason": "", "accuracy": 0}


def describe_event(event: dict, nicknames: dict[int, str] | None = None) -> str:
    """One line a facilitator can read, for the event log."""
    data = event.get("data") or {}
    participant_id = event.get("participant_id")
    known = (nicknames or {}).get(participant_id)
    who = tr(C, "participant #{id}", id=participant_id) if known is None else participant_label(known, participant_id)
    kind = event["kind"]
    if kind in EVENT_TEMPLATES:
        fields = {**_TEMPLATE_DEFAULTS, **data, "who": who}
        if kind == "update_rejected":
            fields["reason"] = rejection_reason(data)
        return tr(C, EVENT_TEMPLATES[kind]).format_map(_Fields(fields))
    if kind in ("participant_joined", "participant_rejoined"):
        if data.get("nickname"):
            who = participant_label(data["nickname"], participant_id)
        if kind == "participant_rejoined":
            if data.get("device"):
                return tr(C, "{who} joined again from the same browser ({device})", who=who, device=data["device"][:60])
            return tr(C, "{who} joined again from the same browser", who=who)
        if data.get("device"):
            return tr(C, "{who} joined ({device})", who=who, device=data["device"][:60])
        return tr(C, "{who} joined", who=who)
    if kind == "study_withdrawn":
        deleted = data.get("deleted_events") or 0
        if deleted == 1:
            return tr(
                C,
                "{who} left the study: 1 recorded interaction deleted; the study exports leave out everything of theirs up to now",
                who=who,
            )
        return tr(
            C,
            "{who} left the study: {n} recorded interactions deleted; the study exports leave out everything of theirs up to now",
            who=who,
            n=deleted,
        )
    if kind == "class_stats_received":
        counts = data.get("counts") or []
        return tr(
            C,
            "{who} sent class statistics ({photos} photos of {classes} classes): the model starts from "
            "everyone's class means (version {version})",
            who=who,
            photos=sum(counts),
            classes=sum(1 for n in counts if n),
            version=data.get("version"),
        )
    if kind == "model_version":
        if data.get("class_stats_from") is not None or data.get("class_stats_removed"):
            return tr(C, "model version {version} published (class statistics changed)", version=data.get("version"))
        return tr(
            C, "model version {version} published ({n} update(s))", version=data.get("version"), n=len(data.get("update_ids", []))
        )
    if kind == "test_set_loaded":
        skipped = len(data.get("skipped") or [])
        if skipped:
            return tr(C, "test set loaded: {n} images, {skipped} skipped", n=data.get("images"), skipped=skipped)
        return tr(C, "test set loaded: {n} images", n=data.get("images"))
    if kind == "server_address_changed":
        previous = data.get("previous") or None
        if previous:
            return tr(
                C,
                "served at {host}:{port} (was {old_host}:{old_port}: participants' join links changed)",
                host=data.get("host"),
                port=data.get("port"),
                old_host=previous.get("host"),
                old_port=previous.get("port"),
            )
        return tr(C, "served at {host}:{port}", host=data.get("host"), port=data.get("port"))
    if kind == "session_configured":
        return tr(C, "settings changed: {names}", names=changed_settings(data))
    if kind in SESSION_EVENTS:
        return tr(C, SESSION_EVENTS[kind])
    return kind.replace("_", " ")


def changed_settings(data: dict) -> str:
    """The settings a ``session_configured`` event changed, by their captions (``session.SETTING_CAPTIONS``, the
    setup form's) in the app's language and in the form's order; the aggregator's parameters each by its own
    caption where the event tells which changed, else together as "Aggregator settings". A name that is no
    setting (an older version's) is shown as stored."""
    changes = data.get("changes") or {}
    order = list(SETTING_CAPTIONS)
    names: list[str] = []
    for name in sorted(changes, key=lambda n: (order.index(n) if n in order else len(order), n)):
        names += _changed_parameters(data) if name == "aggregator_params" else [setting_caption(name)]
    return ", ".join(dict.fromkeys(names))


def _changed_parameters(data: dict) -> list[str]:
    """The captions of the aggregator's parameters whose values changed: known when the event keeps their
    values before (``previous``, recorded since this log names them) and the aggregator stayed; else (the event
    is older, the aggregator changed, a parameter no strategy declares) "Aggregator settings"."""
    changes, previous = data.get("changes") or {}, data.get("previous") or {}
    new, old = changes.get("aggregator_params"), previous.get("aggregator_params")
    switched = "aggregator" in changes and changes["aggregator"] != previous.get("aggregator")
    if switched or not isinstance(new, dict) or not isinstance(old, dict):
        return [setting_caption("aggregator_params")]
    changed = [name for name in dict.fromkeys([*old, *new]) if old.get(name) != new.get(name)]
    captions = [_parameter_caption(name) for name in changed]
    if not changed or None in captions:
        return [setting_caption("aggregator_params")]
    return [tr_core(caption) for caption in captions]


def _parameter_caption(name: str) -> str | None:
    """The caption the strategies declare for their parameter ``name`` (``Param.caption``); None if none declares
    it or two declare it with different captions (the event does not say which strategy it was)."""
    captions = {p.caption for strategy in STRATEGIES.values() for p in strategy.parameters if p.name == name}
    return captions.pop() if len(captions) == 1 else None


SESSION_EVENTS = {
    "session_created": tr_noop(C, "session created"),
    "session_started": tr_noop(C, "session started"),
    "session_paused": tr_noop(C, "session paused: updates are refused"),
    "session_resumed": tr_noop(C, "session resumed"),
    "session_stopped": tr_noop(C, "session stopped"),
}
