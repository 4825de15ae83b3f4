"""Session groups (issue 18): one join code for a study's conditions, on a real SQLite file.

Four participants through one link are assigned to two conditions round robin (A, B, A, B) or by the
facilitator's sequence; a device that comes again through the link keeps its session; only running sessions
take new participants; the study exports name each participant's condition; a refused join stores nothing;
deleting a group keeps its sessions, assignments and export; a data folder of schema 3 opens and migrates."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.errors import Conflict, Forbidden, InvalidInput, NotFound
from influx_desktop.store import SCHEMA_VERSION

KEYS = [f"browser-profile-key-{i:04d}" for i in range(8)]


def _sessions(c: Coordinator, *titles: str, start: bool = True, **settings) -> list[int]:
    ids = []
    for title in titles:
        session = c.create_session({"title": title, "classes": ["cat", "dog"], **settings})
        if start:
            c.start_session(session["id"])
        ids.append(session["id"])
    return ids


def _stored(c: Coordinator) -> tuple:
    """Everything a refused join must leave as it was."""
    count = lambda table: c.store.query_one(f"SELECT COUNT(*) AS n FROM {table}")["n"]  # noqa: E731
    return tuple(count(t) for t in ("participants", "group_assignments", "events", "session_groups", "group_members"))


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_four_participants_through_one_link_are_assigned_round_robin_and_every_export_names_their_condition(coordinator):
    c = coordinator
    a, b = _sessions(c, "Fruit 1", "Fruit 2")
    group = c.create_group(
        {
            "title": "Fruit study",
            "sessions": [{"session_id": a, "condition": "FedAsync"}, {"session_id": b, "condition": "FedBuff"}],
        }
    )
    assert (group["policy"], group["sequence"], group["next_session_id"]) == ("round_robin", None, a)
    assert len(group["join_code"]) == 6 and group["join_code"] not in {c.get_session(s)["join_code"] for s in (a, b)}
    info = c.join_info(" ".join(group["join_code"].lower()))  # typed as a session's code may be
    assert info == {
        "title": "Fruit study",
        "classes": ["cat", "dog"],
        "state": "running",
        "study_logging": False,
        "consent_notice": None,
        "group_id": group["id"],
    }

    joined = [c.join(group["join_code"], f"P{i}", device_key=KEYS[i]) for i in range(4)]

    assert [j["session_id"] for j in joined] == [a, b, a, b]
    assert [j["condition"] for j in joined] == ["FedAsync", "FedBuff", "FedAsync", "FedBuff"]
    assert [j["position"] for j in joined] == [1, 2, 3, 4]
    assert all(j["group_id"] == group["id"] and j["rejoined"] is False for j in joined)
    for j in joined:  # each token is a participant of its assigned session, as through the session's code
        assert c.authenticate(j["token"]).session_id == j["session_id"]
    assert [p["id"] for p in c.participants(a)] == [joined[0]["participant_id"], joined[2]["participant_id"]]
    assert [(r["position"], r["participant_id"], r["session_id"], r["condition"]) for r in c.group_assignments(group["id"])] == [
        (j["position"], j["participant_id"], j["session_id"], j["condition"]) for j in joined
    ]
    after = c.get_group(group["id"])
    assert [(m["session_id"], m["condition"], m["assigned"]) for m in after["members"]] == [(a, "FedAsync", 2), (b, "FedBuff", 2)]
    assert (after["assigned"], after["next_session_id"]) == (4, a)

    condition_of = {f"P{j['participant_id']}": j["condition"] for j in joined}
    session_of = {f"P{j['participant_id']}": str(j["session_id"]) for j in joined}
    assigned = _csv(c.export_group_study(group["id"], "assignments", "csv"))
    assert [(r["participant"], r["session_id"], r["condition"], r["position"]) for r in assigned] == [
        (f"P{j['participant_id']}", str(j["session_id"]), j["condition"], str(j["position"])) for j in joined
    ]
    events = _csv(c.export_group_study(group["id"], "events", "csv"))
    assert list(events[0])[-2:] == ["data", "condition"]  # the new column comes last
    assert [r["session_id"] for r in events] == sorted(r["session_id"] for r in events)  # member after member
    assert all(
        r["condition"] == condition_of[r["participant"]] and r["session_id"] == session_of[r["participant"]] for r in events
    )
    assignments_logged = [json.loads(r["data"]) for r in events if r["kind"] == "participant_assigned"]
    assert sorted(d["position"] for d in assignments_logged) == [1, 2, 3, 4]
    summary = [json.loads(line) for line in c.export_group_study(group["id"], "summary", "jsonl").splitlines()]
    assert {(r["participant"], r["condition"], str(r["session_id"])) for r in summary} == {
        (p, condition_of[p], session_of[p]) for p in condition_of
    }
    # Each session's own exports say its condition too: the study timeline and summary, and the event log.
    assert {r["condition"] for r in _csv(c.export_study(b, "events", "csv"))} == {"FedBuff"}
    assert {r["condition"] for r in _csv(c.export_study(a, "summary", "csv"))} == {"FedAsync"}
    assert {r["condition"] for r in _csv(c.export_events(a, "csv"))} == {"FedAsync"}
    assert c.condition(a) == "FedAsync"


def test_a_sequence_assigns_in_the_facilitators_order_and_repeats_it(coordinator):
    c = coordinator
    a, b = _sessions(c, "Suggestions on", "Suggestions off")
    group = c.create_group({"title": "Labels", "sessions": [a, b], "policy": "sequence", "sequence": [a, a, b]})
    assert group["sequence"] == [a, a, b]
    joined = [c.join(group["join_code"], device_key=KEYS[i]) for i in range(4)]
    assert [j["session_id"] for j in joined] == [a, a, b, a]
    assert [j["condition"] for j in joined] == ["Suggestions on", "Suggestions on", "Suggestions off", "Suggestions on"]
    assert c.get_group(group["id"])["next_session_id"] == a  # the 5th place: sequence[4 % 3] = a


def test_a_device_that_joins_again_through_the_link_keeps_its_session_and_participant(coordinator):
    c = coordinator
    a, b = _sessions(c, "A", "B")
    group = c.create_group({"title": "Study", "sessions": [a, b]})
    code = group["join_code"]
    c.join(code, device_key=KEYS[0])
    first = c.join(code, "Ben", device_key=KEYS[1])
    assert first["session_id"] == b
    c.join(code, device_key=KEYS[2])  # the next new participant goes to b's turn again… but not Ben

    again = c.join(code, "", device_key=KEYS[1])
    assert (again["session_id"], again["participant_id"], again["position"], again["condition"]) == (
        b,
        first["participant_id"],
        2,
        "B",
    )
    assert again["rejoined"] is True and again["token"] != first["token"]
    assert len(c.group_assignments(group["id"])) == 3  # a rejoin is no new assignment
    assert c.get_group(group["id"])["next_session_id"] == b

    # Paused, the session still takes Ben back (as its own code would); stopped, he is told and stays assigned.
    c.pause_session(b)
    assert c.join(code, device_key=KEYS[1])["session_id"] == b
    c.stop_session(b)
    before = _stored(c)
    with pytest.raises(Conflict) as refused:
        c.join(code, device_key=KEYS[1])
    assert refused.value.code == "assigned_session_not_running"
    assert _stored(c) == before
    # Without a device key a browser cannot be recognised: each join is a new assignment.
    plain = [c.join(code)["position"] for _ in range(2)]
    assert plain == [4, 5]


def test_only_running_sessions_take_new_participants(coordinator):
    c = coordinator
    a, b = _sessions(c, "A", "B")
    round_robin = c.create_group({"title": "RR", "sessions": [a, b]})
    c.pause_session(b)
    assert [c.join(round_robin["join_code"])["session_id"] for _ in range(2)] == [a, a]  # b is skipped while paused
    c.resume_session(b)
    assert c.join(round_robin["join_code"])["session_id"] == b
    c.pause_session(a)
    c.pause_session(b)
    assert c.join_info(round_robin["join_code"])["state"] == "paused"
    with pytest.raises(Conflict) as refused:
        c.join(round_robin["join_code"])
    assert refused.value.code == "group_not_running"
    c.stop_session(a)
    c.stop_session(b)
    with pytest.raises(Conflict) as refused:
        c.join_info(round_robin["join_code"])
    assert refused.value.code == "group_not_running"

    d, e = _sessions(c, "D", "E")
    sequence = c.create_group({"title": "Seq", "sessions": [d, e], "policy": "sequence", "sequence": [d, e]})
    c.join(sequence["join_code"])
    c.pause_session(e)
    before = _stored(c)
    assert c.join_info(sequence["join_code"])["state"] == "paused"
    with pytest.raises(Conflict) as refused:
        c.join(sequence["join_code"])  # e's place is next: the list is followed exactly, not skipped
    assert refused.value.code == "condition_not_running"
    assert _stored(c) == before and c.get_group(sequence["id"])["next_session_id"] is None
    c.resume_session(e)
    assert c.join(sequence["join_code"])["session_id"] == e  # the place waited for it


def test_a_refused_join_through_a_group_stores_nothing(coordinator):
    c = coordinator
    a, b = _sessions(c, "A", "B", study_logging=True, consent_notice="Clicks are recorded.")
    group = c.create_group({"title": "Study", "sessions": [a, b]})
    code = group["join_code"]
    assert c.join_info(code)["consent_notice"] == "Clicks are recorded."
    before = _stored(c)
    for kwargs, error, error_code, field in (
        ({}, Forbidden, "consent_required", "consent"),
        ({"consent": "yes"}, Forbidden, "consent_required", "consent"),
        ({"consent": True, "device_key": "short"}, InvalidInput, "invalid_input", "device_key"),
        ({"consent": True, "nickname": 7}, InvalidInput, "invalid_input", "nickname"),
    ):
        with pytest.raises(error) as refused:
            c.join(code, **kwargs)
        assert (refused.value.code, refused.value.field) == (error_code, field)
    assert _stored(c) == before
    assert c.get_group(group["id"])["next_session_id"] == a  # no place was used up

    # A device the facilitator blocked in its session is refused through the group as through the session's code.
    mia = c.join(code, consent=True, device_key=KEYS[0])
    c.revoke_participant(a, mia["participant_id"], block_device=True)
    with pytest.raises(Forbidden) as refused:
        c.join(code, consent=True, device_key=KEYS[0])
    assert refused.value.code == "device_blocked"
    assert len(c.group_assignments(group["id"])) == 1
    # A device blocked in the session whose turn it is (it had joined by the session's own code) gets no place.
    ben = c.join(c.get_session(b)["join_code"], consent=True, device_key=KEYS[1])
    c.revoke_participant(b, ben["participant_id"], block_device=True)
    with pytest.raises(Forbidden) as refused:
        c.join(code, consent=True, device_key=KEYS[1])
    assert refused.value.code == "device_blocked"
    assert len(c.group_assignments(group["id"])) == 1 and c.get_group(group["id"])["next_session_id"] == b


def test_deleting_a_group_stops_its_code_and_keeps_sessions_assignments_and_exports(coordinator, monkeypatch):
    c = coordinator
    a, b = _sessions(c, "A", "B")
    group = c.create_group({"title": "Study", "sessions": [a, {"session_id": b, "condition": "treatment"}]})
    joined = [c.join(group["join_code"], device_key=KEYS[i]) for i in range(2)]

    deleted = c.delete_group(group["id"])
    assert deleted["deleted"] is True and deleted["next_session_id"] is None
    assert c.delete_group(group["id"])["deleted_at"] == deleted["deleted_at"]  # deleting again changes nothing
    for attempt in (c.join_info, c.join):
        with pytest.raises(NotFound) as refused:
            attempt(group["join_code"])
        assert refused.value.code == "group_deleted"
    assert c.list_groups() == [] and [g["id"] for g in c.list_groups(include_deleted=True)] == [group["id"]]
    assert len(_csv(c.export_group_study(group["id"], "assignments", "csv"))) == 2
    assert c.condition(b) == "treatment"  # what the exports called it stays
    assert [p["id"] for p in c.participants(b)] == [joined[1]["participant_id"]]
    kinds = [e["kind"] for e in c.event_log(b)]
    assert kinds.count("session_grouped") == 1 and kinds[-1] == "session_ungrouped"
    assert c.join(c.get_session(a)["join_code"])["session_id"] == a  # the sessions' own codes keep working

    # Its sessions may form a new group; the deleted group's code is never given out again.
    again = c.create_group({"title": "Study 2", "sessions": [b, a]})
    assert again["join_code"] != group["join_code"] and c.condition(b) == "B"
    letters = iter(group["join_code"] + "HJKMNP")
    monkeypatch.setattr("influx_desktop.sessions.secrets.choice", lambda alphabet: next(letters))
    assert c.create_session({"title": "C", "classes": ["x", "y"]})["join_code"] == "HJKMNP"


def test_renaming_a_group_changes_the_title_participants_read_and_nothing_else(coordinator):
    c = coordinator
    a, b = _sessions(c, "A", "B")
    group = c.create_group({"title": "Frut study", "sessions": [a, {"session_id": b, "condition": "treatment"}]})
    c.join(group["join_code"], device_key=KEYS[0])
    before = c.get_group(group["id"])

    assert c.rename_group(group["id"], {"title": "  Fruit study "}) == {**before, "title": "Fruit study"}
    assert c.join_info(group["join_code"])["title"] == "Fruit study"
    for session_id in (a, b):
        renamed = [e["data"] for e in c.event_log(session_id) if e["kind"] == "group_renamed"]
        assert renamed == [{"group_id": group["id"], "title": "Fruit study", "previous": "Frut study"}]
    events = _stored(c)
    assert c.rename_group(group["id"], {"title": "Fruit study"})["title"] == "Fruit study"
    assert _stored(c) == events  # the same title again: nothing to record

    for changes, field in (
        ({"title": ""}, "title"),
        ({"title": "x" * 81}, "title"),
        ({"title": 7}, "title"),
        ({"title": "T", "policy": "sequence"}, "body"),
        ({}, "body"),
        ("Fruit", "body"),
    ):
        with pytest.raises(InvalidInput) as refused:
            c.rename_group(group["id"], changes)
        assert refused.value.field == field, changes
    with pytest.raises(NotFound) as refused:
        c.rename_group(999, {"title": "T"})
    assert refused.value.code == "group_unknown"
    c.delete_group(group["id"])
    with pytest.raises(Conflict) as refused:
        c.rename_group(group["id"], {"title": "Later"})
    assert refused.value.code == "group_deleted"
    assert c.get_group(group["id"])["title"] == "Fruit study" and _stored(c)[:2] == events[:2]


def test_the_study_export_leaves_out_the_assignment_of_a_participant_who_left_the_study(coordinator):
    c = coordinator
    a, b = _sessions(c, "A", "B", study_logging=True)
    group = c.create_group({"title": "Study", "sessions": [a, b]})
    joined = [c.join(group["join_code"], consent=True) for _ in range(2)]
    c.withdraw_from_study(c.authenticate(joined[0]["token"]))
    assert [r["participant"] for r in _csv(c.export_group_study(group["id"], "assignments", "csv"))] == [
        f"P{joined[1]['participant_id']}"
    ]
    assert len(c.group_assignments(group["id"])) == 2  # the core's own record keeps it


def test_unknown_groups_and_exports_are_refused(coordinator):
    c = coordinator
    a, b = _sessions(c, "A", "B", start=False)
    group = c.create_group({"title": "Drafts", "sessions": [a, b]})
    assert group["next_session_id"] is None  # drafts take no one
    for group_id in (999, "1", True, None):
        with pytest.raises(NotFound) as refused:
            c.get_group(group_id)
        assert refused.value.code == "group_unknown"
    for what, fmt, field in (("everything", "csv", "what"), ("events", "xlsx", "format")):
        with pytest.raises(InvalidInput) as refused:
            c.export_group_study(group["id"], what, fmt)
        assert refused.value.field == field
    assert c.condition(a) == "A"  # a session's default label is its title


def test_a_data_folder_of_schema_3_opens_and_gains_the_group_tables(tmp_path, model_cache):
    data = tmp_path / "data"
    c = Coordinator(data, model_cache=model_cache)
    a, b = _sessions(c, "A", "B")
    joined = c.join(c.get_session(a)["join_code"], "Ada")
    c.close()
    db = sqlite3.connect(data / "influx.sqlite3")
    db.executescript("""
        DROP TABLE group_assignments;
        DROP TABLE group_members;
        DROP TABLE session_groups;
        UPDATE meta SET value='3' WHERE key='schema_version';
    """)
    db.close()

    c = Coordinator(data, model_cache=model_cache)
    try:
        assert c.store.query_one("SELECT value FROM meta WHERE key='schema_version'")["value"] == str(SCHEMA_VERSION) == "4"
        assert c.authenticate(joined["token"]).session_id == a
        group = c.create_group({"title": "After", "sessions": [a, b]})
        assert c.join(group["join_code"])["session_id"] == a
        assert c.condition(b) == "B"
    finally:
        c.close()
