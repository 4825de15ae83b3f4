"""A new session group's settings, checked (``groups.py``): nothing is stored until all of them are right."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import Conflict, InvalidInput, NotFound
from .store import config_of, session_row

POLICIES = ("round_robin", "sequence")
MIN_MEMBERS, MAX_MEMBERS = 2, 20
MAX_SEQUENCE = 1000
MAX_GROUP_TITLE = 80
MAX_CONDITION = 60
GROUP_FIELDS = ("title", "sessions", "policy", "sequence")


def checked_group_title(title: Any) -> str:
    """A group's title, stripped, or ``InvalidInput`` (participants read it before they join)."""
    stripped = title.strip() if isinstance(title, str) else ""
    if not stripped or len(stripped) > MAX_GROUP_TITLE:
        raise InvalidInput(
            "The group needs a title of 1 to {n} characters: participants see it before they join (never the conditions).",
            field="title",
            n=MAX_GROUP_TITLE,
        )
    return stripped


def checked_group_changes(changes: Any) -> str:
    """The new title from ``{"title"}``, the one thing of a group that may change (``Groups.rename``)."""
    if not isinstance(changes, Mapping) or set(changes) != {"title"}:
        raise InvalidInput("Only a group's title can change: send a JSON object with its new title alone.", field="body")
    return checked_group_title(changes["title"])


def checked_group(settings: Any) -> tuple[str, list[tuple[int, str | None]], str, list[int] | None]:
    """``(title, [(session_id, condition or None)], policy, sequence or None)`` from a new group's JSON
    (``Groups.create``), or ``InvalidInput`` naming the field to fix."""
    if not isinstance(settings, Mapping):
        raise InvalidInput("The group must be a JSON object with its title, sessions and policy.", field="body")
    for key in settings:
        if key not in GROUP_FIELDS:
            raise InvalidInput(
                "Unknown group field '{key}'; known: {known}.",
                field=str(key)[:40],
                key=str(key)[:40],
                known=", ".join(GROUP_FIELDS),
            )
    title = checked_group_title(settings.get("title"))
    entries = settings.get("sessions")
    if not isinstance(entries, list) or not MIN_MEMBERS <= len(entries) <= MAX_MEMBERS:
        raise InvalidInput(
            "sessions must be a list of {lo} to {hi} sessions: their ids, or objects with session_id and condition.",
            field="sessions",
            lo=MIN_MEMBERS,
            hi=MAX_MEMBERS,
        )
    members = [_member_entry(entry) for entry in entries]
    ids = [session_id for session_id, _ in members]
    if len(set(ids)) != len(ids):
        raise InvalidInput("A session may be in the group once.", code="duplicate_session", field="sessions")
    policy = settings.get("policy", "round_robin")
    if policy not in POLICIES:
        raise InvalidInput(
            "Unknown policy '{policy}'; use round_robin or sequence.",
            code="unknown_policy",
            field="policy",
            policy=str(policy)[:20],
        )
    sequence = settings.get("sequence")
    if policy == "round_robin" and sequence is not None:
        raise InvalidInput("A sequence goes with policy sequence only.", code="invalid_sequence", field="sequence")
    if policy == "sequence":
        if (
            not isinstance(sequence, list)
            or not 1 <= len(sequence) <= MAX_SEQUENCE
            or any(isinstance(s, bool) or not isinstance(s, int) or s not in ids for s in sequence)
            or set(sequence) != set(ids)
        ):
            raise InvalidInput(
                "sequence must list 1 to {n} session ids of the group, each of them at least once (e.g. [4, 4, 5]: "
                "two participants for session 4, one for 5, repeated).",
                code="invalid_sequence",
                field="sequence",
                n=MAX_SEQUENCE,
            )
    return title, members, policy, sequence


def _member_entry(entry: Any) -> tuple[int, str | None]:
    """A member as given: a session id, or ``{"session_id": id, "condition": label?}``."""
    if isinstance(entry, Mapping) and set(entry) <= {"session_id", "condition"}:
        session_id, condition = entry.get("session_id"), entry.get("condition")
    else:
        session_id, condition = entry, None
    if isinstance(session_id, bool) or not isinstance(session_id, int):
        raise InvalidInput(
            "Each of sessions is a session id or an object with session_id and, if wanted, condition.", field="sessions"
        )
    if condition is not None and (not isinstance(condition, str) or not 0 < len(condition.strip()) <= MAX_CONDITION):
        raise InvalidInput("A condition is a label of 1 to {n} characters.", field="sessions", n=MAX_CONDITION)
    return session_id, None if condition is None else condition.strip()


def member_session(db, session_id: int):
    """The session's row; an unknown id is a mistake in the request (400 ``session_unknown``)."""
    try:
        return session_row(db, session_id)
    except NotFound:
        raise InvalidInput(
            "There is no session {session}.", code="session_unknown", field="sessions", session=session_id
        ) from None


def check_members(db, rows: list, conditions: list[str]) -> None:
    """The member sessions (``rows``) may form a group with these labels: none is in another group that was not
    deleted, the labels differ, and all have the same study settings (one notice is shown before assigning)."""
    for row in rows:
        other = db.execute(
            "SELECT g.id FROM group_members m JOIN session_groups g ON g.id=m.group_id "
            "WHERE m.session_id=? AND g.deleted_at IS NULL",
            (row["id"],),
        ).fetchone()
        if other is not None:
            raise Conflict(
                "Session {session} is in group {group} already: a session stands for one condition at a time. Delete "
                "that group first.",
                code="session_in_group",
                field="sessions",
                session=row["id"],
                group=other["id"],
            )
    if len({c.casefold() for c in conditions}) != len(conditions):
        raise InvalidInput(
            "Two sessions have the condition '{condition}'; each condition needs its own label.",
            code="duplicate_condition",
            field="sessions",
            condition=next(c for i, c in enumerate(conditions) if c.casefold() in {d.casefold() for d in conditions[:i]}),
        )
    notices = [(c.study_logging, c.consent_notice if c.study_logging else None) for c in map(config_of, rows)]
    if len(set(notices)) > 1:
        raise InvalidInput(
            "The sessions differ in study logging or its notice, but a group's participants accept one notice before "
            "they are given a session. Make them the same first.",
            code="conditions_disagree",
            field="sessions",
        )
