"""A new session group's settings (group_settings.py): every mistake is refused naming its field and code,
and nothing is stored; what is right is taken as given (conditions default to the sessions' titles)."""

from __future__ import annotations

import pytest

from influx_desktop.errors import Conflict, InvalidInput


def _sessions(c, *titles: str, **settings) -> list[int]:
    return [c.create_session({"title": t, "classes": ["cat", "dog"], **settings})["id"] for t in titles]


def _stored(c) -> tuple:
    count = lambda table: c.store.query_one(f"SELECT COUNT(*) AS n FROM {table}")["n"]  # noqa: E731
    return tuple(count(t) for t in ("session_groups", "group_members", "events"))


def test_a_group_takes_ids_or_labelled_members_in_the_order_given(coordinator):
    c = coordinator
    a, b, d = _sessions(c, "Fruit (async)", "Fruit (buffered)", "Fruit (control)")
    group = c.create_group(
        {"title": "  Fruit study ", "sessions": [d, {"session_id": a}, {"session_id": b, "condition": " buffered "}]}
    )
    assert group["title"] == "Fruit study"
    assert [(m["session_id"], m["condition"], m["title"], m["state"]) for m in group["members"]] == [
        (d, "Fruit (control)", "Fruit (control)", "draft"),
        (a, "Fruit (async)", "Fruit (async)", "draft"),
        (b, "buffered", "Fruit (buffered)", "draft"),
    ]
    assert c.list_groups() == [group]
    assert [e["data"] for e in c.event_log(b) if e["kind"] == "session_grouped"] == [
        {"group_id": group["id"], "condition": "buffered"}
    ]


def test_every_mistake_in_a_new_group_is_refused_naming_it_and_nothing_is_stored(coordinator):
    c = coordinator
    a, b = _sessions(c, "A", "B")
    (logged,) = _sessions(c, "Logged", study_logging=True)
    (same_title,) = _sessions(c, "a")
    before = _stored(c)
    cases = [
        ([a, b], "invalid_input", "body"),
        ({"sessions": [a, b]}, "invalid_input", "title"),
        ({"title": " ", "sessions": [a, b]}, "invalid_input", "title"),
        ({"title": "x" * 81, "sessions": [a, b]}, "invalid_input", "title"),
        ({"title": "T", "sessions": [a, b], "colour": "red"}, "invalid_input", "colour"),
        ({"title": "T"}, "invalid_input", "sessions"),
        ({"title": "T", "sessions": [a]}, "invalid_input", "sessions"),
        ({"title": "T", "sessions": list(range(1, 22))}, "invalid_input", "sessions"),
        ({"title": "T", "sessions": [a, "2"]}, "invalid_input", "sessions"),
        ({"title": "T", "sessions": [a, True]}, "invalid_input", "sessions"),
        ({"title": "T", "sessions": [a, {"session_id": b, "label": "x"}]}, "invalid_input", "sessions"),
        ({"title": "T", "sessions": [a, {"session_id": b, "condition": ""}]}, "invalid_input", "sessions"),
        ({"title": "T", "sessions": [a, {"session_id": b, "condition": "c" * 61}]}, "invalid_input", "sessions"),
        ({"title": "T", "sessions": [a, 999]}, "session_unknown", "sessions"),
        ({"title": "T", "sessions": [a, a]}, "duplicate_session", "sessions"),
        ({"title": "T", "sessions": [a, same_title]}, "duplicate_condition", "sessions"),
        ({"title": "T", "sessions": [a, {"session_id": b, "condition": "A"}]}, "duplicate_condition", "sessions"),
        ({"title": "T", "sessions": [a, logged]}, "conditions_disagree", "sessions"),
        ({"title": "T", "sessions": [a, b], "policy": "random"}, "unknown_policy", "policy"),
        ({"title": "T", "sessions": [a, b], "policy": ["sequence"]}, "unknown_policy", "policy"),
        ({"title": "T", "sessions": [a, b], "sequence": [a, b]}, "invalid_sequence", "sequence"),
        ({"title": "T", "sessions": [a, b], "policy": "sequence"}, "invalid_sequence", "sequence"),
        ({"title": "T", "sessions": [a, b], "policy": "sequence", "sequence": []}, "invalid_sequence", "sequence"),
        ({"title": "T", "sessions": [a, b], "policy": "sequence", "sequence": [a, a]}, "invalid_sequence", "sequence"),
        ({"title": "T", "sessions": [a, b], "policy": "sequence", "sequence": [a, b, 999]}, "invalid_sequence", "sequence"),
        ({"title": "T", "sessions": [a, b], "policy": "sequence", "sequence": [a, float(b)]}, "invalid_sequence", "sequence"),
        ({"title": "T", "sessions": [a, b], "policy": "sequence", "sequence": [a, {"id": b}]}, "invalid_sequence", "sequence"),
        ({"title": "T", "sessions": [a, b], "policy": "sequence", "sequence": [a, b] * 501}, "invalid_sequence", "sequence"),
    ]
    for settings, code, field in cases:
        with pytest.raises(InvalidInput) as refused:
            c.create_group(settings)
        assert (refused.value.code, refused.value.field) == (code, field), settings
        assert refused.value.message and "{" not in refused.value.message
    assert _stored(c) == before and c.list_groups(include_deleted=True) == []


def test_a_session_stands_for_one_condition_at_a_time(coordinator):
    c = coordinator
    a, b, d = _sessions(c, "A", "B", "D")
    first = c.create_group({"title": "First", "sessions": [a, b]})
    before = _stored(c)
    with pytest.raises(Conflict) as refused:
        c.create_group({"title": "Second", "sessions": [d, b]})
    assert (refused.value.code, refused.value.field) == ("session_in_group", "sessions")
    assert f"group {first['id']}" in refused.value.message
    assert _stored(c) == before
    c.delete_group(first["id"])
    assert [m["session_id"] for m in c.create_group({"title": "Second", "sessions": [d, b]})["members"]] == [d, b]
