"""Sessions: their states, start-or-resume and listing; and where a session is served (host, adapter name,
port), remembered with it in SQLite across restarts: a change is logged with the previous address, a repeat
is not. No server is started here."""

from __future__ import annotations

import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.errors import Conflict, InvalidInput, NotFound, Text


def test_the_address_is_remembered_per_session_across_restarts_and_changes_are_logged(tmp_path):
    data = tmp_path / "data"
    c = Coordinator(data, model_cache=None)
    first = c.create_session({"title": "One", "classes": ["a", "b"]})["id"]
    other = c.create_session({"title": "Two", "classes": ["a", "b"]})["id"]
    assert c.network_choice(first) is None

    c.remember_network_choice(first, "127.0.0.1", 41234, "lo")
    c.remember_network_choice(first, "127.0.0.1", 41234, "lo")  # the same again: nothing to log
    assert c.network_choice(other) is None
    c.close()

    c = Coordinator(data, model_cache=None)
    try:
        assert c.network_choice(first) == {"host": "127.0.0.1", "interface": "lo", "port": 41234}
        # The facilitator chose another network (an address from TEST-NET-1: only stored, never bound).
        c.remember_network_choice(first, "192.0.2.7", 41234, "wlan0")
        assert c.network_choice(first) == {"host": "192.0.2.7", "interface": "wlan0", "port": 41234}
        logged = [e for e in c.event_log(first) if e["kind"] == "server_address_changed"]
        assert [e["data"] for e in logged] == [
            {"host": "127.0.0.1", "interface": "lo", "port": 41234, "previous": None},
            {"host": "192.0.2.7", "interface": "wlan0", "port": 41234, "previous": {"host": "127.0.0.1", "port": 41234}},
        ]
    finally:
        c.close()


@pytest.mark.parametrize(
    "host, port, interface, field",
    [
        ("", 5000, None, "host"),
        (None, 5000, None, "host"),
        ("127.0.0.1", 0, None, "port"),
        ("127.0.0.1", 65536, None, "port"),
        ("127.0.0.1", True, None, "port"),
        ("127.0.0.1", "80", None, "port"),
        ("127.0.0.1", 5000, "x" * 101, "interface"),
    ],
)
def test_a_bad_address_is_refused_and_nothing_is_stored(tmp_path, host, port, interface, field):
    c = Coordinator(tmp_path / "data", model_cache=None)
    try:
        sid = c.create_session({"title": "One", "classes": ["a", "b"]})["id"]
        with pytest.raises(InvalidInput) as refused:
            c.remember_network_choice(sid, host, port, interface)
        assert refused.value.field == field
        assert c.network_choice(sid) is None
        with pytest.raises(NotFound):
            c.remember_network_choice(sid + 1, "127.0.0.1", 5000)
        with pytest.raises(NotFound):
            c.network_choice(sid + 1)
    finally:
        c.close()


def test_start_or_resume_makes_a_session_running_from_any_state(coordinator):
    sid = coordinator.create_session({"title": "t", "classes": ["a", "b"]})["id"]
    said = []
    started = coordinator.start_or_resume(sid, progress=said.append)  # draft: starts, building the model files
    assert started["state"] == "running" and started["has_run"] and said
    assert coordinator.start_or_resume(sid) == coordinator.get_session(sid)  # running: left as it is
    coordinator.pause_session(sid)
    assert coordinator.start_or_resume(sid)["state"] == "running"  # paused: resumes
    coordinator.stop_session(sid)
    assert coordinator.start_or_resume(sid)["state"] == "running"  # stopped: starts again
    kinds = [e["kind"] for e in coordinator.event_log(sid)]
    assert kinds == [
        "session_created",
        "session_started",
        "session_paused",
        "session_resumed",
        "session_stopped",
        "session_started",
    ]


def test_states_change_only_along_the_allowed_paths(coordinator):
    sid = coordinator.create_session({"title": "t", "classes": ["a", "b"]})["id"]
    for refused in (coordinator.pause_session, coordinator.resume_session, coordinator.stop_session):
        with pytest.raises(Conflict) as e:
            refused(sid)
        assert e.value.code == "bad_state"
    assert coordinator.get_session(sid)["state"] == "draft" and not coordinator.get_session(sid)["has_run"]
    with pytest.raises(NotFound):
        coordinator.start_or_resume(sid + 1)


def test_a_refused_state_change_names_the_states_as_stored_and_as_words_the_desktop_translates(coordinator):
    """HTTP and the command line say the states as stored; the desktop says them in its language (Text fields)."""
    sid = coordinator.create_session({"title": "t", "classes": ["a", "b"]})["id"]
    with pytest.raises(Conflict) as refused:
        coordinator.pause_session(sid)
    error = refused.value
    assert error.message == "The session is draft; it cannot become paused from there."
    assert [(type(v), v.template) for v in error.params.values()] == [(Text, "draft"), (Text, "paused")]


def test_a_change_of_settings_is_logged_with_what_each_was_before(coordinator):
    """The event log can then say which of the aggregator's parameters changed: the desktop sends them all."""
    sid = coordinator.create_session({"title": "t", "classes": ["a", "b"], "aggregator_params": {"alpha": 0.6}})["id"]
    params = coordinator.config(sid).aggregator_params
    coordinator.update_session(sid, {"batch_size": 8, "aggregator_params": {**params, "alpha": 0.3}})
    (event,) = [e for e in coordinator.event_log(sid) if e["kind"] == "session_configured"]
    assert event["data"] == {
        "changes": {"batch_size": 8, "aggregator_params": {**params, "alpha": 0.3}},
        "previous": {"batch_size": 64, "aggregator_params": params},
    }


def test_sessions_are_listed_in_order_and_the_newest_is_known(coordinator):
    assert coordinator.list_sessions() == [] and coordinator.latest_session_id() is None
    ids = [coordinator.create_session({"title": f"s{i}", "classes": ["a", "b"]})["id"] for i in range(3)]
    assert [s["id"] for s in coordinator.list_sessions()] == ids
    assert coordinator.latest_session_id() == ids[-1]
    first = coordinator.get_session(ids[0])
    assert (first["state"], first["version"], first["participants"], len(first["join_code"])) == ("draft", 0, 0, 6)
    assert [v["version"] for v in coordinator.versions(ids[0])] == [0]
