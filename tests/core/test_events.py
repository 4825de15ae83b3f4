"""Core events: recorded in the transaction that makes the change, published after it, in order."""

from __future__ import annotations

import sqlite3

import pytest

from influx_desktop.events import Event, EventBus, record
from influx_desktop.store import Store


def test_listeners_hear_every_event_in_order_until_they_unsubscribe():
    bus = EventBus()
    heard, also = [], []
    stop = bus.subscribe(heard.append)
    bus.subscribe(also.append)
    first, second = Event(1, 7, 0.0, "a"), Event(2, 7, 0.0, "b")
    bus.publish(first, second)
    stop()
    stop()  # a second unsubscribe is harmless
    bus.publish(Event(3, 7, 0.0, "c"))
    assert heard == [first, second]
    assert [e.kind for e in also] == ["a", "b", "c"]


def test_record_appends_to_the_log_inside_the_transaction_only_if_it_commits(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    try:
        with store.transaction() as db:
            event = record(db, None, "something_happened", None, answer=42)
        assert (event.kind, event.data, event.participant_id) == ("something_happened", {"answer": 42}, None)
        (row,) = store.query("SELECT * FROM events")
        assert (row["id"], row["kind"], row["data"], row["at"]) == (event.id, event.kind, '{"answer": 42}', event.at)

        with pytest.raises(RuntimeError):
            with store.transaction() as db:
                record(db, None, "rolled_back")
                raise RuntimeError("the change failed")
        assert [r["kind"] for r in store.query("SELECT kind FROM events")] == ["something_happened"]

        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            with store.transaction() as db:
                db.execute("UPDATE events SET kind='rewritten'")
    finally:
        store.close()


def test_a_session_state_change_is_logged_and_published_once(coordinator):
    heard = []
    coordinator.events.subscribe(heard.append)
    session = coordinator.create_session({"title": "t", "classes": ["a", "b"]})
    coordinator._set_state(session["id"], "running", ("draft",), "session_started")
    assert [e.kind for e in heard] == ["session_created", "session_started"]
    assert [(e["id"], e["kind"]) for e in coordinator.event_log(session["id"])] == [(e.id, e.kind) for e in heard]
