"""Every kind of bad request gets a 4xx JSON error a person can act on, and changes nothing stored.

The session under attack is mid-flight: FedBuff (buffer of 2) at version 3 with one update waiting in
the buffer, two participants (one of them revoked), max staleness 2 and max update norm 5. Before and
after each bad request we compare the version, the parameters, every version's update list, the
participants, the accepted (applied and buffered) updates with their parameters and the event log. A
well-formed update that the session's rules refuse (too stale, too large) is the one thing allowed to
leave a trace: one row with status "rejected" and its reason, and one "update_rejected" event.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np
import pytest
from image_zip import zip_bytes
from participant_sim import HttpClient, Response, SimulatedParticipant

CLASSES = ["t-shirt", "trouser", "sneaker", "bag"]
PARAMETER_COUNT = 4 * 1280 + 4
MAX_STALENESS = 2
MAX_NORM = 5.0


@dataclass
class Target:
    url: str
    sid: int
    coordinator: object
    admin: object
    participant: SimulatedParticipant
    revoked_token: str
    version: int
    parameters: np.ndarray

    def client(self, token: str | None = None) -> HttpClient:
        return HttpClient(self.url, token)

    def post_update(
        self,
        body: bytes,
        headers: dict | None = None,
        *,
        content_type="application/octet-stream",
        token: str | None | bool = True,
    ) -> Response:
        if headers is None:
            headers = {"X-Base-Version": str(self.version), "X-Sample-Count": "10"}
        return self.participant.request("POST", "/api/v1/updates", body, content_type=content_type, headers=headers, token=token)

    def moved(self, scale: float = 0.01, seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return self.parameters + rng.normal(0, scale, self.parameters.shape).astype(np.float32)


@pytest.fixture(scope="module")
def server(tmp_path_factory, launch_server):
    from influx_desktop.server.limits import RateLimits

    # Rate limits off: this module alone joins and posts more from 127.0.0.1 than a minute allows.
    running = launch_server(tmp_path_factory.mktemp("bad-input"), limits=RateLimits(0, 0, 0))
    yield running
    running.stop()


@pytest.fixture
def target(server, tmp_path) -> Target:
    """A fresh session on the module's server (a server per test would cost a second to stop)."""
    admin = server.admin()
    session = admin.create_session(
        {
            "title": "Under attack",
            "classes": CLASSES,
            "aggregator": "fedbuff",
            "aggregator_params": {"buffer_size": 2},
            "max_staleness": MAX_STALENESS,
            "max_update_norm": MAX_NORM,
        }
    )
    sid = session["id"]
    admin.start(sid)
    no_data = np.zeros((0, 1280), np.float32), np.zeros(0, np.int64)
    sim = SimulatedParticipant(server.url, *no_data, artifact_dir=tmp_path / "a", nickname="Ada")
    sim.join(session["join_code"])
    gone = SimulatedParticipant(server.url, *no_data, artifact_dir=tmp_path / "a", nickname="Gone")
    gone.join(session["join_code"])
    admin.revoke(sid, gone.participant_id)
    rng = np.random.default_rng(1)
    for _ in range(7):  # versions 1, 2, 3 and one update left in the buffer
        version, parameters = sim.model()
        sim.submit(parameters + rng.normal(0, 0.01, parameters.shape).astype(np.float32), version, sample_count=10)
    version, parameters = sim.model()
    assert version == 3 and admin.session(sid)["updates_buffered"] == 1
    return Target(server.url, sid, server.coordinator, admin, sim, gone.token, version, parameters)


def stored(t: Target) -> dict:
    c, sid = t.coordinator, t.sid
    version, parameters = c.parameters(sid)
    session = c.get_session(sid)
    session.pop("updates_rejected")
    return {
        "session": session,
        "version": version,
        "parameters": parameters.tobytes(),
        "versions": c.versions(sid),
        "participants": [
            (p["id"], p["nickname"], p["device"], p["joined_at"], p["revoked"], p["accepted"]) for p in c.participants(sid)
        ],
        "accepted_updates": [u for u in c.updates(sid) if u["status"] != "rejected"],
        "accepted_parameters": [(i, p.tobytes()) for i, p in c.accepted_update_parameters(sid)],
        "events": [e for e in c.event_log(sid) if e["kind"] != "update_rejected"],
        "test_results": [tuple(r) for r in c.store.query("SELECT * FROM test_results")],
        "sessions": [s["id"] for s in c.list_sessions()],
    }


def rejected_rows(t: Target) -> list[dict]:
    return [u for u in t.coordinator.updates(t.sid) if u["status"] == "rejected"]


def _raw(t: Target, method: str, path: str, body: bytes, headers: dict) -> Response:
    """A request with exactly these headers (urllib always adds a Content-Type to a body)."""
    port = urlsplit(t.url).port
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body, headers)
        reply = connection.getresponse()
        return Response(reply.status, reply.msg, reply.read())
    finally:
        connection.close()


def _with(vector: np.ndarray, index: int, value: float) -> bytes:
    v = vector.copy()
    v[index] = value
    return v.astype("<f4").tobytes()


@dataclass(frozen=True)
class Case:
    id: str
    send: Callable[[Target], Response]
    status: int
    code: str
    message: str  # a phrase the message must contain
    field: str | None = None
    audited: bool = False  # a well-formed update refused by the session's rules: one rejected row


def _versions(base: str, count: str):
    """Send a good update with these X-Base-Version and X-Sample-Count headers."""
    return lambda t: t.post_update(t.moved().tobytes(), {"X-Base-Version": base, "X-Sample-Count": count})


def _join(body: bytes, content_type: str = "application/json"):
    return lambda t: t.client().request("POST", "/api/v1/join", body, content_type=content_type)


def _test_result(body: bytes):
    return lambda t: t.participant.request("POST", "/api/v1/test-results", body, content_type="application/json")


def _admin(method: str, path: str, body: bytes | None = None, content_type: str | None = None, token=True):
    """A facilitator request; ``{sid}`` in ``path`` stands for the test's session."""
    return lambda t: t.admin.request(
        method, "/api/v1/admin" + path.replace("{sid}", str(t.sid)), body, content_type=content_type, token=token
    )


UPDATE_CASES = [
    Case(
        "wrong vector length",
        lambda t: t.post_update(t.moved()[:-1].tobytes()),
        400,
        "wrong_length",
        f"must hold {PARAMETER_COUNT} float32 values",
        "body",
    ),
    Case("empty body", lambda t: t.post_update(b""), 400, "wrong_length", "it has 0 bytes", "body"),
    Case("NaN", lambda t: t.post_update(_with(t.moved(), 17, np.nan)), 400, "not_finite", "NaN or infinite", "body"),
    Case("Inf", lambda t: t.post_update(_with(t.moved(), 5000, -np.inf)), 400, "not_finite", "NaN or infinite", "body"),
    Case(
        "norm above the limit",
        lambda t: t.post_update((t.parameters + 0.1).tobytes()),
        400,
        "norm_too_large",
        f"the limit is {MAX_NORM:g}",
        "body",
        audited=True,
    ),
    Case(
        "unknown token",
        lambda t: t.post_update(t.moved().tobytes(), token="not-a-token"),
        401,
        "token_unknown",
        "join the session again",
    ),
    Case(
        "revoked token",
        lambda t: t.post_update(t.moved().tobytes(), token=t.revoked_token),
        401,
        "token_revoked",
        "removed this participant",
    ),
    Case(
        "no Authorization header",
        lambda t: t.post_update(t.moved().tobytes(), token=None),
        401,
        "token_missing",
        "Authorization: Bearer",
    ),
    Case(
        "not a bearer token",
        lambda t: t.post_update(
            t.moved().tobytes(), {"Authorization": "Basic dXNlcjpwdw==", "X-Base-Version": "3", "X-Sample-Count": "1"}, token=None
        ),
        401,
        "token_missing",
        "Authorization: Bearer",
    ),
    Case(
        "base version from the future",
        lambda t: t.post_update(t.moved().tobytes(), {"X-Base-Version": str(t.version + 1), "X-Sample-Count": "10"}),
        400,
        "unknown_base_version",
        "newest version is 3",
        "base_version",
    ),
    Case("negative base version", _versions("-1", "10"), 400, "unknown_base_version", "does not exist", "base_version"),
    Case(
        "staleness over the limit",
        _versions("0", "10"),
        409,
        "too_stale",
        f"3 versions behind (the limit is {MAX_STALENESS})",
        audited=True,
    ),
    Case(
        "oversized body",
        lambda t: t.post_update(bytes(1024 * 1024 + 4)),
        413,
        "payload_too_large",
        "at most 1048576 bytes",
        "body",
    ),
    Case(
        "wrong content type",
        lambda t: t.post_update(t.moved().tobytes(), content_type="application/json"),
        415,
        "unsupported_media_type",
        "application/octet-stream",
        "Content-Type",
    ),
    Case(
        "form content type",
        lambda t: t.post_update(t.moved().tobytes(), content_type=None),  # urllib's default
        415,
        "unsupported_media_type",
        "'application/x-www-form-urlencoded'",
        "Content-Type",
    ),
    Case(
        "no content type",
        lambda t: _raw(
            t,
            "POST",
            "/api/v1/updates",
            t.moved().tobytes(),
            {"Authorization": f"Bearer {t.participant.token}", "X-Base-Version": "3", "X-Sample-Count": "1"},
        ),
        415,
        "unsupported_media_type",
        "'untyped'",
        "Content-Type",
    ),
    Case(
        "missing X-Base-Version",
        lambda t: t.post_update(t.moved().tobytes(), {"X-Sample-Count": "10"}),
        400,
        "invalid_input",
        "X-Base-Version must be a whole number",
        "base_version",
    ),
    Case(
        "missing X-Sample-Count",
        lambda t: t.post_update(t.moved().tobytes(), {"X-Base-Version": "3"}),
        400,
        "invalid_input",
        "X-Sample-Count must be a whole number",
        "sample_count",
    ),
    Case("X-Base-Version not a number", _versions("three", "10"), 400, "invalid_input", "got 'three'", "base_version"),
    Case("X-Base-Version with two minus signs", _versions("--3", "10"), 400, "invalid_input", "got '--3'", "base_version"),
    Case(
        "X-Sample-Count in superscript digits",
        _versions("3", "\u00b2"),
        400,
        "invalid_input",
        "X-Sample-Count must be a whole number",
        "sample_count",
    ),
    Case("sample count zero", _versions("3", "0"), 400, "invalid_input", "sample_count must be between 1", "sample_count"),
]

OTHER_PARTICIPANT_CASES = [
    Case(
        "unknown join code",
        _join(b'{"join_code": "ZZZZZZ"}'),
        404,
        "join_code_unknown",
        "No session has the join code 'ZZZZZZ'",
        "join_code",
    ),
    Case("join without a code", _join(b'{"nickname": "Bo"}'), 400, "invalid_input", "A join code is needed", "join_code"),
    Case("join with malformed JSON", _join(b'{"join_code": '), 400, "malformed_json", "not valid JSON", "body"),
    Case(
        "join as a form",
        _join(b"join_code=ABC", "application/x-www-form-urlencoded"),
        415,
        "unsupported_media_type",
        "application/json",
        "Content-Type",
    ),
    Case("join with a JSON list", _join(b'["ABCDEF"]'), 400, "invalid_input", "A join code is needed", "join_code"),
    Case(
        "task without a token", lambda t: t.client().request("GET", "/api/v1/task"), 401, "token_missing", "Authorization: Bearer"
    ),
    Case(
        "model with a revoked token",
        lambda t: t.client(t.revoked_token).request("GET", "/api/v1/model"),
        401,
        "token_revoked",
        "removed this participant",
    ),
    Case("test result with malformed JSON", _test_result(b"{nope}"), 400, "malformed_json", "not valid JSON", "body"),
    Case(
        "test result accuracy out of range",
        _test_result(b'{"version": 1, "accuracy": 1.5, "n": 10}'),
        400,
        "invalid_input",
        "from 0 to 1",
        "accuracy",
    ),
    Case(
        "test result for a future version",
        _test_result(b'{"version": 9, "accuracy": 0.5, "n": 10}'),
        400,
        "invalid_input",
        "version 9 does not exist",
        "version",
    ),
    Case(
        "test result for an unknown class",
        _test_result(b'{"version": 1, "accuracy": 0.5, "n": 2, "per_class": {"cat": {"correct": 1, "total": 2}}}'),
        400,
        "invalid_input",
        "not a class of this session",
        "per_class",
    ),
    Case(
        "unknown artifact",
        lambda t: t.client().request("GET", "/api/v1/artifacts/" + "0" * 64),
        404,
        "artifact_unknown",
        "No model file has this content hash",
    ),
    Case(
        "artifact path escape",
        lambda t: t.client().request("GET", "/api/v1/artifacts/..%2F..%2Finflux.sqlite3"),
        404,
        "not_found",
        "nothing at this address",
    ),
    Case(
        "artifact name that is no hash",
        lambda t: t.client().request("GET", "/api/v1/artifacts/influx.sqlite3"),
        404,
        "artifact_unknown",
        "No model file has this content hash",
    ),
    Case(
        "unknown address",
        lambda t: t.client().request("GET", "/api/v1/nothing-here"),
        404,
        "not_found",
        "nothing at this address",
    ),
    Case(
        "wrong method",
        lambda t: t.client().request("DELETE", "/api/v1/model"),
        405,
        "method_not_allowed",
        "does not take that method",
    ),
]


UNKNOWN = 999
FACILITATOR_CASES = [
    Case(
        f"unknown session: {method} {path}",
        _admin(method, path.format(UNKNOWN), body, ctype),
        404,
        "session_unknown",
        f"There is no session {UNKNOWN}",
    )
    for method, path, body, ctype in [
        ("GET", "/sessions/{}", None, None),
        ("PATCH", "/sessions/{}", b'{"title": "x"}', "application/json"),
        ("POST", "/sessions/{}/start", None, None),
        ("POST", "/sessions/{}/stop", None, None),
        ("GET", "/sessions/{}/participants", None, None),
        ("DELETE", "/sessions/{}/participants/1", None, None),
        ("GET", "/sessions/{}/versions", None, None),
        ("GET", "/sessions/{}/updates", None, None),
        ("GET", "/sessions/{}/model.onnx", None, None),
        ("GET", "/sessions/{}/events.csv", None, None),
        ("GET", "/sessions/{}/events.jsonl", None, None),
        ("PUT", "/sessions/{}/testset", b"PK", "application/zip"),
        ("GET", "/sessions/{}/testset", None, None),
        ("GET", "/sessions/{}/accuracy", None, None),
    ]
] + [
    Case("wrong admin token", _admin("GET", "/sessions", token="guess"), 401, "admin_token_wrong", "not the admin token"),
    Case("no admin token", _admin("GET", "/sessions", token=None), 401, "token_missing", "Authorization: Bearer"),
    Case(
        "participant token on an admin route",
        lambda t: t.participant.request("GET", "/api/v1/admin/sessions"),
        401,
        "admin_token_wrong",
        "not the admin token",
    ),
    Case(
        "create session with malformed JSON",
        _admin("POST", "/sessions", b'{"title": "x",', "application/json"),
        400,
        "malformed_json",
        "not valid JSON",
        "body",
    ),
    Case(
        "create session with one class",
        _admin("POST", "/sessions", b'{"title": "x", "classes": ["a"]}', "application/json"),
        400,
        "invalid_input",
        "2 to 50 classes",
        "classes",
    ),
    Case(
        "change classes after the session ran",
        _admin("PATCH", "/sessions/{sid}", b'{"classes": ["a", "b"]}', "application/json"),
        409,
        "session_has_run",
        "cannot change once the session has run",
        "classes",
    ),
    Case(
        "bad learning rate",
        _admin("PATCH", "/sessions/{sid}", b'{"learning_rate": -1}', "application/json"),
        400,
        "invalid_input",
        "learning_rate must be from",
        "learning_rate",
    ),
    Case("unknown action", _admin("POST", "/sessions/{sid}/explode"), 400, "invalid_input", "Unknown action 'explode'", "action"),
    Case(
        "unknown participant",
        _admin("DELETE", "/sessions/{sid}/participants/77"),
        404,
        "participant_unknown",
        "has no participant 77",
    ),
    Case(
        "unknown export format", _admin("GET", "/sessions/{sid}/events.xml"), 400, "invalid_input", "use csv or jsonl", "format"
    ),
    Case(
        "test set that is not a zip",
        _admin("PUT", "/sessions/{sid}/testset", b"not a zip", "application/zip"),
        400,
        "invalid_input",
        "must be a zip file",
        "body",
    ),
    Case(
        "test set as JSON",
        _admin("PUT", "/sessions/{sid}/testset", b"{}", "application/json"),
        415,
        "unsupported_media_type",
        "application/zip",
        "Content-Type",
    ),
    Case(
        "test set with a folder that is no class",
        _admin("PUT", "/sessions/{sid}/testset", zip_bytes({"cat/a.png": b"x"}), "application/zip"),
        400,
        "invalid_input",
        "Folders cat name no class",
        "folder",
    ),
]


@pytest.mark.parametrize("case", UPDATE_CASES + OTHER_PARTICIPANT_CASES + FACILITATOR_CASES, ids=lambda c: c.id)
def test_bad_request_is_refused_and_changes_nothing(target, case):
    before, rejected_before = stored(target), rejected_rows(target)

    response = case.send(target)

    assert response.status == case.status, response.body[:300]
    assert response.headers["Content-Type"] == "application/json"
    error = response.error
    assert error["code"] == case.code
    assert case.message in error["message"], error["message"]
    assert error["field"] == case.field
    if case.status == 401:
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert stored(target) == before
    rejected = rejected_rows(target)
    if case.audited:
        (new,) = rejected[len(rejected_before) :]
        assert new["participant_id"] == target.participant.participant_id
        assert new["reason"] == error["message"] and new["applied_version"] is None
        assert target.coordinator.event_log(target.sid)[-1]["kind"] == "update_rejected"
    else:
        assert rejected == rejected_before

    # The session still takes a good update afterwards.
    ack = target.participant.submit(target.moved(seed=5), target.version, sample_count=10)
    assert ack["accepted"] and ack["version"] == target.version + 1


def test_updates_while_paused_or_stopped_are_refused_without_a_trace(target):
    for action, status, code in [("pause", 409, "session_paused"), ("stop", 409, "session_not_running")]:
        target.admin.action(target.sid, action)
        before, rejected_before = stored(target), rejected_rows(target)
        response = target.post_update(target.moved().tobytes())
        assert (response.status, response.error["code"]) == (status, code)
        assert stored(target) == before and rejected_rows(target) == rejected_before
    joined = target.client().request(
        "POST",
        "/api/v1/join",
        f'{{"join_code": "{target.admin.session(target.sid)["join_code"]}"}}'.encode(),
        content_type="application/json",
    )
    assert (joined.status, joined.error["code"]) == (409, "session_not_running")


def test_facilitator_routes_refuse_clients_that_are_not_on_loopback(target):
    """Unit-level (Flask's test client): no real traffic to another address."""
    from influx_desktop.server.app import create_app

    app = create_app(target.coordinator, "admin-secret", webclient_dir=None)
    remote = app.test_client()
    headers = {"Authorization": "Bearer admin-secret"}
    far = remote.get("/api/v1/admin/sessions", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert far.status_code == 403
    assert far.get_json()["error"]["code"] == "not_loopback"
    assert "facilitator's own machine" in far.get_json()["error"]["message"]
    near = remote.get("/api/v1/admin/sessions", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert near.status_code == 200 and target.sid in [s["id"] for s in near.get_json()]
    ipv6 = remote.get("/api/v1/admin/sessions", headers=headers, environ_base={"REMOTE_ADDR": "::1"})
    assert ipv6.status_code == 200
    # Participant routes answer any address.
    assert remote.get("/api/v1/status", environ_base={"REMOTE_ADDR": "10.0.0.5"}).status_code == 200
