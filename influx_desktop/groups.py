"""Session groups: one join code for a study's conditions (issue 18).

The facilitator groups two or more sessions under one join code, drawn from the sessions' own namespace (a
code names one session or one group, never both). Each member session is a condition with a label (default:
its title), which every export of the session names (``exports.session_condition``). A browser joining
through the group's code is given a member session by the group's policy, then joins that session exactly as
through the session's own code (``participants.join_in``: the study notice, a rejoin by device key, a blocked
device). Only running sessions take new participants:

- ``round_robin``: the members in their order, each new participant going to the next running member after
  the one the previous assignment went to (A, B, A, B, …); members not running are skipped, and with none
  running the join is refused (409 ``group_not_running``).
- ``sequence``: the facilitator's list of member session ids, repeated (``[A, A, B]``: A, A, B, A, A, B, …);
  the n-th assignment goes to ``sequence[(n - 1) % len(sequence)]``. While that session is not running the
  join is refused (409 ``condition_not_running``) and the place waits for the next join: the list is followed
  exactly or not at all.

Each assignment (group, position, session, condition, participant, when) is stored in the join's transaction
with a ``participant_assigned`` event in the session's log, so the study timeline has it too. A browser that
sends its ``device_key`` and comes through the link again lands in the session it was given, never re-rolled:
running or paused, it joins that session again (a paused session takes joins, as through its own code);
stopped or back to draft, 409 ``assigned_session_not_running``. Without a device key every join is a new
assignment. A session's own code keeps working beside the group's; joins through it are not assignments.

Deleting a group stops its code (404 ``group_deleted``) and frees its sessions for another group; the
sessions, their participants, their condition labels, the assignments and the group's export all stay.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from typing import Any

from .errors import Conflict, InvalidInput, NotFound
from .events import Event, EventBus, record
from .exports import table_text
from .group_settings import check_members, checked_group, checked_group_changes, member_session
from .participants import JoinRequest, join_in, joined, normalize_join_code
from .sessions import new_join_code
from .store import Store, config_of, session_row
from .study_log import STUDY_EVENT_COLUMNS, STUDY_SUMMARY_COLUMNS, StudyLog

#: The group export's assignment table (``export(..., "assignments", ...)``; docs/study-data.md).
ASSIGNMENT_COLUMNS = ("group_id", "position", "participant", "session_id", "condition", "assigned_at")
#: The states in which a session takes joins (through its own code too); new assignments need "running".
JOINABLE = ("running", "paused")


class Groups:
    def __init__(self, store: Store, bus: EventBus, study: StudyLog) -> None:
        self.store = store
        self.bus = bus
        self.study = study

    # ------------------------------------------------------------------ the facilitator's side

    def create(self, settings: Any) -> dict:
        """A group from ``{"title", "sessions": [id | {"session_id", "condition"?}, …], "policy"?, "sequence"?}``."""
        title, members, policy, sequence = checked_group(settings)
        with self.store.transaction() as db:
            rows = [member_session(db, session_id) for session_id, _ in members]
            conditions = [label or config_of(row).title for (_, label), row in zip(members, rows)]
            check_members(db, rows, conditions)
            cur = db.execute(
                "INSERT INTO session_groups (title, join_code, policy, sequence, created_at) VALUES (?, ?, ?, ?, ?)",
                (title, new_join_code(db), policy, None if sequence is None else json.dumps(sequence), time.time()),
            )
            group_id = int(cur.lastrowid)
            events = []
            for order, (row, condition) in enumerate(zip(rows, conditions)):
                db.execute("INSERT INTO group_members VALUES (?, ?, ?, ?)", (group_id, row["id"], order, condition))
                events.append(record(db, row["id"], "session_grouped", group_id=group_id, condition=condition))
        self.bus.publish(*events)
        return self.get(group_id)

    def get(self, group_id: Any) -> dict:
        return self.store.read(_describe, group_id)

    def list_all(self, include_deleted: bool = False) -> list[dict]:
        where = "" if include_deleted else " WHERE deleted_at IS NULL"
        return [self.get(r["id"]) for r in self.store.query(f"SELECT id FROM session_groups{where} ORDER BY id")]

    def rename(self, group_id: Any, changes: Any) -> dict:
        """A new title from ``{"title"}``: what participants read before they join through the link. Its code,
        sessions, conditions and assignments stay; each member session's log records the change."""
        title = checked_group_changes(changes)
        with self.store.transaction() as db:
            group = _group_row(db, group_id)
            if group["deleted_at"] is not None:
                raise Conflict("Group {group} was deleted: its title stays as it was.", code="group_deleted", group=group["id"])
            events = []
            if title != group["title"]:
                db.execute("UPDATE session_groups SET title=? WHERE id=?", (title, group["id"]))
                events = [
                    record(db, m["session_id"], "group_renamed", group_id=group["id"], title=title, previous=group["title"])
                    for m in _members(db, group["id"])
                ]
        self.bus.publish(*events)
        return self.get(group_id)

    def delete(self, group_id: Any) -> dict:
        """Stop the group's code; everything it recorded stays (deleting again changes nothing)."""
        events: list[Event] = []
        with self.store.transaction() as db:
            group = _group_row(db, group_id)
            if group["deleted_at"] is None:
                db.execute("UPDATE session_groups SET deleted_at=? WHERE id=?", (time.time(), group["id"]))
                for member in _members(db, group["id"]):
                    events.append(record(db, member["session_id"], "session_ungrouped", group_id=group["id"]))
        self.bus.publish(*events)
        return self.get(group_id)

    def assignments(self, group_id: Any) -> list[dict]:
        """Every assignment the group made, in order (the core's own record: participants by id)."""
        self.store.read(_group_row, group_id)
        rows = self.store.query(
            "SELECT group_id, position, participant_id, session_id, condition, assigned_at FROM group_assignments "
            "WHERE group_id=? ORDER BY position",
            (group_id,),
        )
        return [dict(r) for r in rows]

    def export(self, group_id: Any, what: str, fmt: str) -> str:
        """The group's study data: its member sessions' study ``events`` or ``summary`` one after the other (each
        row names its session and condition), or its ``assignments``, pseudonymous, as CSV or JSON lines."""
        sessions = [m["session_id"] for m in self.get(group_id)["members"]]
        if what == "events":
            rows, columns = [r for s in sessions for r in self.study.timeline(s)], STUDY_EVENT_COLUMNS
        elif what == "summary":
            rows, columns = [r for s in sessions for r in self.study.summary(s)], STUDY_SUMMARY_COLUMNS
        elif what == "assignments":
            rows, columns = self.store.read(_study_assignments, group_id), ASSIGNMENT_COLUMNS
        else:
            raise InvalidInput(
                "Unknown group export '{what}'; use events, summary or assignments.", field="what", what=str(what)[:20]
            )
        return table_text(rows, fmt, columns)

    # ------------------------------------------------------------------ the participant's side

    def by_join_code(self, join_code: Any):
        """The group (deleted ones too) with this code as typed or scanned, or None."""
        if not isinstance(join_code, str) or not join_code.strip():
            return None
        return self.store.query_one("SELECT * FROM session_groups WHERE join_code=?", (normalize_join_code(join_code),))

    def join_info(self, group) -> dict:
        """What a browser shows before joining through the group's code: the answer of a session's code (its
        title, the members' classes, whether a new participant can join now, the study notice) and ``group_id``;
        never which condition the browser will get."""
        _refuse_deleted(group)
        members = self.store.read(_members, group["id"])
        if not any(m["state"] in JOINABLE for m in members):
            raise _not_running()
        try:
            self.store.read(_next_slot, group, members)
            state = "running"
        except Conflict:
            state = "paused"  # some member takes joins, but not the one a new participant would get now
        configs = [config_of(m) for m in members]
        logged = [c for c in configs if c.study_logging]
        return {
            "title": group["title"],
            "classes": list(dict.fromkeys(name for c in configs for name in c.classes)),
            "state": state,
            "study_logging": bool(logged),
            "consent_notice": logged[0].consent_notice if logged else None,
            "group_id": group["id"],
        }

    def join(self, group, nickname: Any = None, device: Any = None, consent: Any = None, device_key: Any = None) -> dict:
        """Join the member session the policy (or the device's earlier assignment) gives: a session join's
        answer plus ``group_id``, ``condition`` and ``position``. A refusal stores nothing (a blocked device's
        ``join_refused`` event aside, as through the session's own code)."""
        _refuse_deleted(group)
        request = JoinRequest.checked(nickname, device, consent, device_key)
        key = None if request.device_key is None else _hash_device_key(group["id"], request.device_key)
        try:
            with self.store.transaction() as db:
                events, assigned = _join_group_in(db, group["id"], request, key)
        except sqlite3.IntegrityError:
            # Another writer assigned this device first (the unique index on it); it is a rejoin now.
            if key is None:
                raise
            with self.store.transaction() as db:
                events, assigned = _join_group_in(db, group["id"], request, key)
        self.bus.publish(*events)
        return {**joined(events[0], request.token, assigned["session_id"]), **assigned}


# ---------------------------------------------------------------------- inside a transaction or under the lock


def _join_group_in(db, group_id: int, request: JoinRequest, key: str | None) -> tuple[list[Event], dict]:
    group = _group_row(db, group_id)  # again, inside the transaction: it may have been deleted meanwhile
    _refuse_deleted(group)
    earlier = (
        key
        and db.execute(
            "SELECT session_id, position, condition FROM group_assignments WHERE group_id=? AND device_key_sha256=?",
            (group_id, key),
        ).fetchone()
    )
    if earlier:
        row = session_row(db, earlier["session_id"])
        if row["state"] not in JOINABLE:
            raise Conflict(
                "The session this link gave you is not running any more, and you stay in it. Ask the facilitator "
                "to start it again, then try again.",
                code="assigned_session_not_running",
            )
        position, condition = earlier["position"], earlier["condition"]
    else:
        member, position = _next_slot(db, group, _members(db, group_id))
        row, condition = session_row(db, member["session_id"]), member["condition"]
    event = join_in(db, row, request)
    events = [event]
    if not earlier and event.kind != "join_refused":
        db.execute(
            "INSERT INTO group_assignments (group_id, position, session_id, participant_id, condition, device_key_sha256, "
            "assigned_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (group_id, position, row["id"], event.participant_id, condition, key, request.at),
        )
        events.append(
            record(
                db,
                row["id"],
                "participant_assigned",
                event.participant_id,
                group_id=group_id,
                condition=condition,
                position=position,
            )
        )
    return events, {"group_id": group_id, "condition": condition, "position": position, "session_id": row["id"]}


def _next_slot(db, group, members: list) -> tuple[Any, int]:
    """The member a new participant gets now and their position; ``Conflict`` when none can take them."""
    done = db.execute(
        "SELECT COUNT(*) AS n, (SELECT session_id FROM group_assignments WHERE group_id=? ORDER BY position DESC LIMIT 1) "
        "AS last FROM group_assignments WHERE group_id=?",
        (group["id"], group["id"]),
    ).fetchone()
    if not any(m["state"] == "running" for m in members):
        raise _not_running()
    by_id = {m["session_id"]: m for m in members}
    if group["policy"] == "sequence":
        sequence = json.loads(group["sequence"])
        member = by_id[sequence[done["n"] % len(sequence)]]
        if member["state"] != "running":
            raise Conflict(
                "The session this link gives the next participant is not running right now. Ask the facilitator, then try again.",
                code="condition_not_running",
            )
        return member, done["n"] + 1
    order = [m["session_id"] for m in members]
    start = order.index(done["last"]) + 1 if done["last"] in order else 0
    member = next(m for i in range(len(order)) if (m := members[(start + i) % len(order)])["state"] == "running")
    return member, done["n"] + 1


def _not_running() -> Conflict:
    return Conflict(
        "None of the sessions behind this link is running. Ask the facilitator to start them, then try again.",
        code="group_not_running",
    )


def _refuse_deleted(group) -> None:
    if group["deleted_at"] is not None:
        raise NotFound(
            "The facilitator closed this link. Ask them for the code to use now.", code="group_deleted", field="join_code"
        )


def _group_row(db, group_id: Any):
    if isinstance(group_id, bool) or not isinstance(group_id, int):
        raise NotFound("There is no session group {group!r}.", code="group_unknown", group=group_id)
    row = db.execute("SELECT * FROM session_groups WHERE id=?", (group_id,)).fetchone()
    if row is None:
        raise NotFound("There is no session group {group}.", code="group_unknown", group=group_id)
    return row


def _members(db, group_id: int) -> list:
    return db.execute(
        "SELECT m.session_id, m.condition, s.state, s.config FROM group_members m JOIN sessions s ON s.id=m.session_id "
        "WHERE m.group_id=? ORDER BY m.member_order",
        (group_id,),
    ).fetchall()


def _describe(db, group_id: Any) -> dict:
    group = _group_row(db, group_id)
    members = _members(db, group["id"])
    assigned = dict(
        db.execute("SELECT session_id, COUNT(*) FROM group_assignments WHERE group_id=? GROUP BY session_id", (group["id"],))
    )
    next_session_id = None
    if group["deleted_at"] is None:
        try:
            next_session_id = _next_slot(db, group, members)[0]["session_id"]
        except Conflict:
            pass
    return {
        "id": group["id"],
        "title": group["title"],
        "join_code": group["join_code"],
        "policy": group["policy"],
        "sequence": None if group["sequence"] is None else json.loads(group["sequence"]),
        "members": [
            {
                "session_id": m["session_id"],
                "condition": m["condition"],
                "title": config_of(m).title,
                "state": m["state"],
                "assigned": assigned.get(m["session_id"], 0),
            }
            for m in members
        ],
        "assigned": sum(assigned.values()),
        "next_session_id": next_session_id,  # where a new participant would go now (None: nowhere)
        "created_at": group["created_at"],
        "deleted": group["deleted_at"] is not None,
        "deleted_at": group["deleted_at"],
    }


def _study_assignments(db, group_id: int) -> list[dict]:
    """The assignment table of the study export: pseudonyms, and none of a participant who left the study
    after it (docs/study-data.md: nothing of theirs up to then is in any study export)."""
    rows = db.execute(
        "SELECT a.group_id, a.position, a.participant_id, a.session_id, a.condition, a.assigned_at FROM group_assignments a "
        "WHERE a.group_id=? AND NOT EXISTS (SELECT 1 FROM events e WHERE e.participant_id=a.participant_id "
        "AND e.kind='study_withdrawn' AND e.at>=a.assigned_at) ORDER BY a.position",
        (group_id,),
    ).fetchall()
    return [
        {**{k: r[k] for k in ASSIGNMENT_COLUMNS if k != "participant"}, "participant": f"P{r['participant_id']}"} for r in rows
    ]


def _hash_device_key(group_id: int, device_key: str) -> str:
    """Salted with the group, so its rows cannot be linked to the device's rows in sessions by the hash."""
    return hashlib.sha256(f"group:{group_id}:{device_key}".encode()).hexdigest()
