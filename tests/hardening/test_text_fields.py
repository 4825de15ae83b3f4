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


@pytest.mark.parametrize(
    "field, body",
    [
        ("join_code", '{"join_code": "%s", "consent": true}' % LONE),
        ("nickname", '{"join_code": "{code}", "nickname": "%s", "consent": true}' % LONE),
        ("device", '{"join_code": "{code}", "device": "%s", "consent": true}' % LOW),
        ("device_key", '{"join_code": "{code}", "device_key": "abcdefghijklmnop%s", "consent": true}' % LONE),
    ],
)
def test_join_fields(running, field, body):
    coordinator, session, client, _ = running
    before = _counts(coordinator)
    response = _post(client, "/api/v1/join", body.replace("{code}", session["join_code"]))
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("invalid_text", field)
    assert field in error["message"] and "surrogate" in error["message"]
    assert _counts(coordinator) == before


@pytest.mark.parametrize(
    "field, settings",
    [
        ("title", '{"title": "Fruit %s", "classes": ["a", "b"]}' % LONE),
        ("classes", '{"title": "Fruit", "classes": ["a", "b%s"]}' % LOW),
        ("consent_notice", '{"title": "Fruit", "classes": ["a", "b"], "study_logging": true, "consent_notice": "%s"}' % LONE),
    ],
)
def test_admin_session_fields(running, field, settings):
    coordinator, session, client, _ = running
    before = _counts(coordinator)
    for method, path in (("POST", "/api/v1/admin/sessions"), ("PATCH", f"/api/v1/admin/sessions/{session['id']}")):
        body = settings if method == "POST" else settings.replace('"classes": ["a", "b"]', '"local_epochs": 3')
        response = _post(client, path, body, token="admin", method=method)
        assert response.status_code == 400, (method, response.get_json())
        assert response.get_json()["error"]["field"] == field
    assert _counts(coordinator) == before
    assert coordinator.get_session(session["id"])["config"]["title"] == "t"


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
