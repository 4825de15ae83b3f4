"""Every text field takes any JSON string: a lone UTF-16 surrogate ("\\ud800", legal JSON, not encodable as
UTF-8) is a 400 naming the field, never a 500, and nothing is stored (issue 13, item 5)."""

from __future__ import annotations

import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.server.app import create_app
from influx_desktop.server.limits import RateLimits

LONE = "\\ud800"  # as it travels in JSON: an escape, since raw surrogate bytes are not UTF-8 at all
LOW = "x\\udfff"


@pytest.fixture
def running(tmp_path):
    coordinator = Coordinator(tmp_path)
    session = coordinator.create_session({"title": "t", "classes": ["cat", "dog"], "study_logging": True})
    coordinator._set_state(session["id"], "running", ("draft",), "session_started")
    token = coordinator.join(session["join_code"], consent=True)["token"]
    client = create_app(coordinator, "admin", webclient_dir=None, limits=RateLimits.off()).test_client()
    yield coordinator, session, client, token
    coordinator.close()


def _counts(coordinator) -> list[int]:
    q = coordinator.store.query
    return [q(f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("sessions", "participants", "events", "test_results", "study_events")]


def _post(client, path: str, body: str, token: str | None = None, method: str = "POST"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(path, method=method, data=body.encode("ascii"), content_type="application/json", headers=headers)


def _join(field: str, body: str):
    return pytest.param(field, "POST", "/api/v1/join", body, id=f"join-{field}")


def _session_settings(field: str, settings: str) -> list:
    """The settings as a new session, and as changes to the running one (which keeps its classes)."""
    changes = settings.replace('"classes": ["a", "b"]', '"local_epochs": 3')
    return [
        pytest.param(field, "POST", "/api/v1/admin/sessions", settings, id=f"new-session-{field}"),
        pytest.param(field, "PATCH", "/api/v1/admin/sessions/{id}", changes, id=f"session-change-{field}"),
    ]


@pytest.mark.parametrize(
    "field, method, path, body",
    [
        _join("join_code", '{"join_code": "%s", "consent": true}' % LONE),
        _join("nickname", '{"join_code": "{code}", "nickname": "%s", "consent": true}' % LONE),
        _join("device", '{"join_code": "{code}", "device": "%s", "consent": true}' % LOW),
        _join("device_key", '{"join_code": "{code}", "device_key": "abcdefghijklmnop%s", "consent": true}' % LONE),
        *_session_settings("title", '{"title": "Fruit %s", "classes": ["a", "b"]}' % LONE),
        *_session_settings("classes", '{"title": "Fruit", "classes": ["a", "b%s"]}' % LOW),
        *_session_settings(
            "consent_notice", '{"title": "Fruit", "classes": ["a", "b"], "study_logging": true, "consent_notice": "%s"}' % LONE
        ),
    ],
)
def test_join_and_session_fields(running, field, method, path, body):
    coordinator, session, client, _ = running
    before = _counts(coordinator), coordinator.get_session(session["id"])
    token = "admin" if path.startswith("/api/v1/admin/") else None
    path = path.replace("{id}", str(session["id"]))
    response = _post(client, path, body.replace("{code}", session["join_code"]), token, method)
    assert response.status_code == 400, (method, response.get_json())
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("invalid_text", field)
    assert field in error["message"] and "surrogate" in error["message"]
    assert (_counts(coordinator), coordinator.get_session(session["id"])) == before


def test_participant_post_fields(running):
    coordinator, session, client, token = running
    before = _counts(coordinator)
    result = '{"version": 0, "accuracy": 0.5, "n": 2, "per_class": {"%s": {"correct": 1, "total": 2}}}' % LONE
    response = _post(client, "/api/v1/test-results", result, token)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "per_class"
    event = '{"events": [{"seq": 1, "at": 1.0, "kind": "suggestion_accepted", "data": {"image": 1, "label": "%s"}}]}'
    response = _post(client, "/api/v1/events", event % LONE, token)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "events" and "events[0].data.label" in error["message"]
    assert _counts(coordinator) == before


def test_surrogate_pairs_are_text_and_pass(running):
    """An escaped pair ("\\ud83d\\ude00") is one character, 😀: it is not refused."""
    coordinator, session, client, _ = running
    body = '{"join_code": "%s", "nickname": "Ana \\ud83d\\ude00", "consent": true}' % session["join_code"]
    response = _post(client, "/api/v1/join", body)
    assert response.status_code == 200, response.get_json()
    assert coordinator.participants(session["id"])[-1]["nickname"] == "Ana \U0001f600"
