"""The user-study log: browser interaction events stored per participant (only with study logging on and the
participant's consent), the pseudonymous timeline of browser and server events, and a per-participant summary.
The event kinds and their fields are ``study.py``; the exported columns are documented in docs/study-data.md.
A participant may leave the study (``withdraw``): their browser's events are deleted and nothing of theirs up to
then appears in the study's exports; what their updates taught the model stays in it.
"""

from __future__ import annotations

import json
import time
from typing import Any

from .errors import Conflict, Forbidden, InvalidInput
from .events import Event, EventBus, record
from .exports import event_log, session_condition, table_text
from .participants import Participant
from .store import Store, session_config
from .study import validate_batch

#: Columns are only ever added at the end: ``condition`` (issue 18) last here, ``session_id`` and ``condition`` in
#: the summary.
STUDY_EVENT_COLUMNS = ("session_id", "participant", "source", "seq", "at", "kind", "data", "condition")
STUDY_SUMMARY_COLUMNS = (
    "participant",
    "images",
    "test_images",
    "suggestions_shown",
    "suggestions_accepted",
    "corrections",
    "trainings",
    "updates_accepted",
    "updates_rejected",
    "active_seconds",
    "best_test_accuracy",
    "session_id",
    "condition",
)
ACTIVE_GAP_SECONDS = 120.0  # a longer silence between two events of a visible page is not counted as active


class StudyLog:
    def __init__(self, store: Store, bus: EventBus) -> None:
        self.store = store
        self.bus = bus

    def record_events(self, participant: Participant, payload: Any) -> dict:
        """Store a batch of browser interaction events; a re-sent event (same seq) is stored once.

        When anything new was stored, listeners hear a ``study_events_stored`` event that is not in the log.
        """
        config = self.store.read(session_config, participant.session_id)
        if not config.study_logging:
            raise Conflict(
                "Study logging is off for this session; interaction events are not recorded.", code="study_logging_off"
            )
        joined = self.store.query_one(  # the latest join: a rejoin may accept a notice the first join never saw
            "SELECT kind, data FROM events WHERE kind IN ('participant_joined', 'participant_rejoined', 'study_withdrawn') "
            "AND participant_id=? ORDER BY id DESC LIMIT 1",
            (participant.id,),
        )
        if joined is not None and joined["kind"] == "study_withdrawn":
            raise Forbidden(
                "You left the study, so nothing of yours is recorded any more. To take part in it again, join the "
                "session again and accept its notice.",
                code="consent_required",
                field="consent",
            )
        if joined is None or json.loads(joined["data"]).get("study_consent") is not True:
            # Logging was switched on after this participant joined: they never saw or accepted the notice.
            raise Forbidden(
                "You joined before study logging was switched on and have not accepted its notice, so nothing "
                "of yours is recorded. Join the session again to take part in the study.",
                code="consent_required",
                field="consent",
            )
        now = time.time()
        events = validate_batch(payload, config.classes, now)
        stored = 0
        with self.store.transaction() as db:
            for e in events:
                cur = db.execute(
                    "INSERT OR IGNORE INTO study_events (session_id, participant_id, seq, client_at, received_at, "
                    "kind, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (participant.session_id, participant.id, e.seq, e.at, now, e.kind, json.dumps(e.data, sort_keys=True)),
                )
                stored += cur.rowcount
            db.execute("UPDATE participants SET last_seen=? WHERE id=?", (now, participant.id))
        if stored:
            # Published so views of the timeline can refresh, but not appended to the event log (id 0):
            # one entry per browser batch would flood it, and the rows themselves are in study_events.
            self.bus.publish(Event(0, participant.session_id, now, "study_events_stored", participant.id, {"stored": stored}))
        return {"stored": stored, "duplicates": len(events) - stored, "max_seq": max(e.seq for e in events)}

    def withdraw(self, participant: Participant) -> dict:
        """The participant leaves the study: every interaction event their browser sent is deleted, and their
        server events up to now (joins, updates, test results: the FL core keeps them for itself) are left out
        of the study's timeline and exports from now on. From now on their browser's events are refused
        (403 ``consent_required``) until they join again accepting the notice. What their updates taught the
        model stays in it. Leaving twice changes nothing more. Returns ``{"withdrawn": True, "deleted_events": n}``.
        """
        with self.store.transaction() as db:
            deleted = db.execute(
                "DELETE FROM study_events WHERE session_id=? AND participant_id=?", (participant.session_id, participant.id)
            ).rowcount
            event = record(db, participant.session_id, "study_withdrawn", participant.id, deleted_events=deleted)
        self.bus.publish(event)
        return {"withdrawn": True, "deleted_events": deleted}

    def state(self, participant_id: int) -> dict:
        """Whether the participant's browser may record study events now (consent at the latest join, not
        withdrawn since), and whether they have left the study since their latest join."""
        latest = self.store.query_one(
            "SELECT kind, data FROM events WHERE kind IN ('participant_joined', 'participant_rejoined', 'study_withdrawn') "
            "AND participant_id=? ORDER BY id DESC LIMIT 1",
            (participant_id,),
        )
        withdrawn = latest is not None and latest["kind"] == "study_withdrawn"
        consented = latest is not None and not withdrawn and json.loads(latest["data"]).get("study_consent") is True
        return {"pseudonym": f"P{participant_id}", "consented": consented, "withdrawn": withdrawn}

    def timeline(self, session_id: int) -> list[dict]:
        """Browser and server events of every participant, pseudonymous, in time order.

        Rows: session_id, participant ("P<id>"), source ("browser" | "server"), seq (the browser's
        counter, or the server's event id), at (unix seconds), kind, data, condition (the session's label in
        its study, ``exports.session_condition``). No nicknames, devices, tokens, images or file names.
        """
        condition = self.store.read(session_condition, session_id)
        rows = [
            {
                "session_id": session_id,
                "participant": f"P{r['participant_id']}",
                "source": "browser",
                "seq": r["seq"],
                "at": r["client_at"],
                "kind": r["kind"],
                "data": json.loads(r["data"]),
                "condition": condition,
            }
            for r in self.store.query(
                "SELECT participant_id, seq, client_at, kind, data FROM study_events WHERE session_id=?", (session_id,)
            )
        ]
        # a participant who left the study: nothing of theirs up to that moment (their browser's events are deleted)
        left = {
            r["participant_id"]: r["last"]
            for r in self.store.query(
                "SELECT participant_id, MAX(id) AS last FROM events WHERE session_id=? AND kind='study_withdrawn' "
                "GROUP BY participant_id",
                (session_id,),
            )
        }
        for e in event_log(self.store, session_id):
            if e["participant_id"] is None or e["id"] <= left.get(e["participant_id"], 0):
                continue
            data = {k: v for k, v in e["data"].items() if k not in ("nickname", "device")}
            rows.append(
                {
                    "session_id": session_id,
                    "participant": f"P{e['participant_id']}",
                    "source": "server",
                    "seq": e["id"],
                    "at": e["at"],
                    "kind": e["kind"],
                    "data": data,
                    "condition": condition,
                }
            )
        rows.sort(key=lambda r: (r["at"], r["source"] == "browser", r["seq"]))
        return rows

    def summary(self, session_id: int) -> list[dict]:
        """One row per participant: what they did, from the timeline (see docs/study-data.md)."""
        summary: dict[str, dict] = {}
        last_at: dict[str, tuple[float, bool]] = {}
        for row in self.timeline(session_id):
            p = summary.setdefault(
                row["participant"],
                {
                    "participant": row["participant"],
                    "images": 0,
                    "test_images": 0,
                    "suggestions_shown": 0,
                    "suggestions_accepted": 0,
                    "corrections": 0,
                    "trainings": 0,
                    "updates_accepted": 0,
                    "updates_rejected": 0,
                    "active_seconds": 0.0,
                    "best_test_accuracy": None,
                    "session_id": row["session_id"],
                    "condition": row["condition"],
                },
            )
            _count(p, row["kind"], row["data"])
            previous = last_at.get(row["participant"])
            if previous is not None and previous[1] and row["at"] - previous[0] <= ACTIVE_GAP_SECONDS:
                p["active_seconds"] += max(0.0, row["at"] - previous[0])
            visible = previous[1] if previous else True
            if row["kind"] == "visibility":
                visible = row["data"]["state"] == "visible"
            last_at[row["participant"]] = (row["at"], visible)
        for p in summary.values():
            p["active_seconds"] = round(p["active_seconds"], 3)
        return list(summary.values())

    def export(self, session_id: int, what: str, fmt: str) -> str:
        if what not in ("events", "summary"):
            raise InvalidInput("Unknown study export '{what}'; use events or summary.", field="what", what=what)
        rows = self.timeline(session_id) if what == "events" else self.summary(session_id)
        return table_text(rows, fmt, STUDY_EVENT_COLUMNS if what == "events" else STUDY_SUMMARY_COLUMNS)


#: Summary columns that count one event kind each.
_COUNTED = {
    "suggestion_shown": "suggestions_shown",
    "suggestion_accepted": "suggestions_accepted",
    "suggestion_changed": "corrections",
    "training_finished": "trainings",
    "update_accepted": "updates_accepted",
    "update_rejected": "updates_rejected",
}


def _count(p: dict, kind: str, data: dict) -> None:
    """Add one timeline event to a participant's summary row."""
    if kind in ("image_added", "image_deleted"):
        key = "images" if data["split"] == "train" else "test_images"
        p[key] += data["count"] if kind == "image_added" else -data["count"]
    elif kind in _COUNTED:
        p[_COUNTED[kind]] += 1
    elif kind == "test_result":
        best = p["best_test_accuracy"]
        p["best_test_accuracy"] = data["accuracy"] if best is None else max(best, data["accuracy"])
