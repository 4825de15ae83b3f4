"""Per-participant limits on every participant POST, joins per address that let a whole class behind one
shared address in while keeping join-code guessing impractical, and implausible test results refused
(issue 13, items 4 and 8). Flask's test client: no socket, seconds."""

from __future__ import annotations

import time

import numpy as np
import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.evaluation import MAX_TEST_IMAGES
from influx_desktop.server.app import create_app
from influx_desktop.server.limits import FAILED_JOIN_WINDOW_SECONDS, RateLimits
from influx_desktop.sessions import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH

CLASSES = ["cat", "dog", "owl"]


@pytest.fixture
def coordinator(tmp_path):
    c = Coordinator(tmp_path)
    c.store._db.execute("PRAGMA synchronous=OFF")  # many small commits; durability is not this file's subject
    yield c
    c.close()


@pytest.fixture
def session(coordinator):
    created = coordinator.create_session({"title": "t", "classes": CLASSES, "study_logging": True})
    coordinator._set_state(created["id"], "running", ("draft",), "session_started")  # no model files needed
    return created


def _client(coordinator, **limits):
    return create_app(coordinator, "admin", webclient_dir=None, limits=RateLimits(**limits)).test_client()


def _counts(coordinator) -> list[int]:
    q = coordinator.store.query
    return [q(f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("participants", "updates", "test_results", "study_events", "events")]


def _limited(response) -> None:
    assert response.status_code == 429, response.get_json()
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= FAILED_JOIN_WINDOW_SECONDS


# ------------------------------------------------------------------ per participant, per POST route


def _event_batch(seq: int) -> dict:
    return {"events": [{"seq": seq, "at": time.time(), "kind": "visibility", "data": {"state": "visible"}}]}


def _result() -> dict:
    return {
        "version": 0,
        "accuracy": 0.5,
        "n": 4,
        "per_class": {"cat": {"correct": 1, "total": 2}, "dog": {"correct": 1, "total": 2}},
    }


def _class_stats(coordinator, session, client, headers, i):
    """Per-class feature sums and sums of squares of three made-up photos (class_stats.py's wire format)."""
    rng = np.random.default_rng(i)
    features, labels = rng.uniform(0, 6, size=(3, 1280)), np.array([0, 0, 1])  # features lie in [0, 6]
    sums = np.stack([features[labels == k].sum(axis=0) for k in range(len(CLASSES))])
    squares = np.stack([(features[labels == k] ** 2).sum(axis=0) for k in range(len(CLASSES))])
    return client.post(
        "/api/v1/class-stats",
        data=sums.astype("<f4").tobytes() + squares.astype("<f4").tobytes(),
        headers={**headers, "X-Class-Counts": "2,1,0", "Content-Type": "application/octet-stream"},
    )


def _update(coordinator, session, client, headers, i):
    _, params = coordinator.parameters(session["id"])
    return client.post(
        "/api/v1/updates",
        data=(params + 0.01).astype("<f4").tobytes(),
        headers={
            **headers,
            "X-Base-Version": str(coordinator.current_version(session["id"])),
            "X-Sample-Count": "4",
            "Content-Type": "application/octet-stream",
        },
    )


#: route -> (RateLimits field, how to send one valid request)
PARTICIPANT_POSTS = {
    "/api/v1/events": (
        "events_per_participant",
        lambda c, s, client, h, i: client.post("/api/v1/events", json=_event_batch(i), headers=h),
    ),
    "/api/v1/test-results": (
        "test_results_per_participant",
        lambda c, s, client, h, i: client.post("/api/v1/test-results", json=_result(), headers=h),
    ),
    "/api/v1/updates": ("updates_per_participant", _update),
    "/api/v1/class-stats": ("class_stats_per_participant", _class_stats),
    "/api/v1/withdraw": ("withdrawals_per_participant", lambda c, s, client, h, i: client.post("/api/v1/withdraw", headers=h)),
}


def _participant_posts(coordinator) -> set[str]:
    app = create_app(coordinator, "admin", webclient_dir=None)
    return {
        r.rule
        for r in app.url_map.iter_rules()
        if "POST" in r.methods and r.rule.startswith("/api/v1/") and "/admin" not in r.rule
    }


def test_every_participant_post_route_has_a_limit_tested_here(coordinator):
    """A new participant POST route needs its limit and a case in PARTICIPANT_POSTS."""
    assert _participant_posts(coordinator) <= set(PARTICIPANT_POSTS) | {"/api/v1/join"}  # /join: per address, below


@pytest.mark.parametrize("route", sorted(PARTICIPANT_POSTS))
def test_each_participant_post_is_limited_per_participant(coordinator, session, route):
    assert route in _participant_posts(coordinator), f"{route} is no longer a route: drop its case"
    field, send = PARTICIPANT_POSTS[route]
    client = _client(coordinator, **{field: 3})
    tokens = [coordinator.join(session["join_code"], consent=True)["token"] for _ in range(2)]
    first, second = ({"Authorization": f"Bearer {t}"} for t in tokens)
    for i in range(3):
        ok = send(coordinator, session, client, first, i)
        assert ok.status_code in (200, 201), ok.get_json()
    before = _counts(coordinator)
    _limited(send(coordinator, session, client, first, 3))
    assert _counts(coordinator) == before  # the refused one stored nothing
    other = send(coordinator, session, client, second, 0)  # another participant has its own budget
    assert other.status_code in (200, 201), other.get_json()


def test_the_default_limits_stop_a_flood_of_study_events_and_test_results(coordinator, session):
    """The attack run stored 67,400 study rows and 168 test results in 20 s from one participant."""
    client = _client(coordinator)
    headers = {"Authorization": f"Bearer {coordinator.join(session['join_code'], consent=True)['token']}"}
    events = [
        client.post(
            "/api/v1/events",
            json={
                "events": [
                    {"seq": i * 200 + j, "at": time.time(), "kind": "visibility", "data": {"state": "visible"}}
                    for j in range(200)
                ]
            },
            headers=headers,
        ).status_code
        for i in range(60)
    ]
    results = [client.post("/api/v1/test-results", json=_result(), headers=headers).status_code for _ in range(60)]
    assert events.count(200) == RateLimits().events_per_participant and set(events) == {200, 429}
    assert results.count(201) == RateLimits().test_results_per_participant and set(results) == {201, 429}
    assert coordinator.store.query("SELECT COUNT(*) FROM study_events")[0][0] == 200 * RateLimits().events_per_participant


# ------------------------------------------------------------------ implausible test results


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"version": 0, "accuracy": 1.0, "n": 1_000_000}, "n"),
        ({"version": 0, "accuracy": 1.0, "n": MAX_TEST_IMAGES + 1}, "n"),
        ({"version": 0, "accuracy": 1.5, "n": 10}, "accuracy"),
        ({"version": 0, "accuracy": -0.1, "n": 10}, "accuracy"),
        ({"version": 0, "accuracy": 0.3, "n": 2}, "accuracy"),  # 0.6 of an image correct
        ({"version": 0, "accuracy": 0.5, "n": 4, "per_class": {"cat": {"correct": 1, "total": 3}}}, "per_class"),
        (
            {
                "version": 0,
                "accuracy": 0.5,
                "n": 4,
                "per_class": {"cat": {"correct": 2, "total": 2}, "dog": {"correct": 1, "total": 2}},
            },
            "per_class",
        ),
        ({"version": 0, "accuracy": 0.5, "n": 4, "per_class": {"cat": {"correct": 3, "total": 2}}}, "per_class"),
    ],
)
def test_implausible_test_results_are_refused(coordinator, session, payload, field):
    client = _client(coordinator)
    headers = {"Authorization": f"Bearer {coordinator.join(session['join_code'], consent=True)['token']}"}
    response = client.post("/api/v1/test-results", json=payload, headers=headers)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == field, response.get_json()
    assert coordinator.store.query("SELECT COUNT(*) FROM test_results")[0][0] == 0


def test_a_plausible_test_result_is_stored(coordinator, session):
    client = _client(coordinator)
    headers = {"Authorization": f"Bearer {coordinator.join(session['join_code'], consent=True)['token']}"}
    summary = {
        "version": 0,
        "accuracy": 2 / 3,
        "n": 3,  # what the web app's summarizeTest sends
        "per_class": {"cat": {"correct": 2, "total": 2}, "dog": {"correct": 0, "total": 1}, "owl": {"correct": 0, "total": 0}},
    }
    assert client.post("/api/v1/test-results", json=summary, headers=headers).status_code == 201
    largest = {"version": 0, "accuracy": 0.9, "n": MAX_TEST_IMAGES}
    assert client.post("/api/v1/test-results", json=largest, headers=headers).status_code == 201


# ------------------------------------------------------------------ joins per address


def test_forty_participants_behind_one_address_all_join_within_a_minute(coordinator, session):
    """A guest network behind NAT: every phone has the same address. Each browser join is two requests
    (GET /join/<code> for the title and notice, then POST /join); the product's default limits."""
    client = _client(coordinator)
    started = time.monotonic()
    for i in range(40):
        info = client.get(f"/api/v1/join/{session['join_code']}")
        assert info.status_code == 200, (i, info.get_json())
        joined = client.post(
            "/api/v1/join",
            json={"join_code": session["join_code"], "nickname": f"P{i}", "consent": True, "device_key": f"device-key-{i:08d}"},
        )
        assert joined.status_code == 200, (i, joined.get_json())
    assert time.monotonic() - started < 60
    assert len(coordinator.participants(session["id"])) == 40
    # ... and a few typed the code wrong on the way: still no one is locked out.
    for _ in range(5):
        assert client.post("/api/v1/join", json={"join_code": "WRONG2"}).status_code == 404
    assert client.post("/api/v1/join", json={"join_code": session["join_code"], "consent": True}).status_code == 200


def test_guessing_join_codes_is_cut_off_and_successful_joins_do_not_spend_the_guess_budget(coordinator, session):
    limits = RateLimits()
    client = _client(coordinator)
    for _ in range(60):  # many good joins first: they do not count as failures
        assert client.post("/api/v1/join", json={"join_code": session["join_code"], "consent": True}).status_code == 200
    wrong = [code for code in ("ZZZZZZ", "YYYYYY", "XXXXXX") if code != session["join_code"]]
    answers = []
    for i in range(limits.failed_joins_per_ip):  # GET and POST lookups share one budget
        if i % 2:
            answers.append(client.get(f"/api/v1/join/{wrong[i % 2]}").status_code)
        else:
            answers.append(client.post("/api/v1/join", json={"join_code": wrong[0]}).status_code)
    assert answers == [404] * limits.failed_joins_per_ip
    # The budget is spent: now even the right code is refused without being looked up (no oracle).
    _limited(client.post("/api/v1/join", json={"join_code": session["join_code"], "consent": True}))
    _limited(client.get(f"/api/v1/join/{session['join_code']}"))
    # Another address still joins.
    assert (
        client.post(
            "/api/v1/join", json={"join_code": session["join_code"], "consent": True}, environ_base={"REMOTE_ADDR": "127.0.0.2"}
        ).status_code
        == 200
    )
    # What that means for a guesser with one address (docs/security.md):
    code_space = len(JOIN_CODE_ALPHABET) ** JOIN_CODE_LENGTH
    guesses_per_hour = limits.failed_joins_per_ip * 3600 / FAILED_JOIN_WINDOW_SECONDS
    years_for_even_odds = code_space / 2 / guesses_per_hour / 24 / 365
    print(
        f"code space {code_space:,}; {guesses_per_hour:.0f} guesses/hour per address; "
        f"~{years_for_even_odds:,.0f} years for a 50 % chance at one session's code"
    )
    assert guesses_per_hour <= 200 and years_for_even_odds > 100


def test_requests_that_are_not_guesses_do_not_spend_the_guess_budget(coordinator, session):
    """Malformed bodies, a missing code, a session that is not running: none is a wrong code."""
    client = _client(coordinator, failed_joins_per_ip=2)
    draft = coordinator.create_session({"title": "d", "classes": ["a", "b"]})
    for _ in range(10):
        assert client.post("/api/v1/join", json={"nickname": "x"}).status_code == 400
        assert client.post("/api/v1/join", data=b"{", content_type="application/json").status_code == 400
        assert client.post("/api/v1/join", json={"join_code": draft["join_code"]}).status_code == 409
        assert client.post("/api/v1/join", json={"join_code": session["join_code"]}).status_code == 403  # no consent
    assert client.post("/api/v1/join", json={"join_code": "ZZZZZZ"}).status_code == 404
    assert client.post("/api/v1/join", json={"join_code": "ZZZZZZ"}).status_code == 404
    _limited(client.post("/api/v1/join", json={"join_code": "ZZZZZZ"}))


def test_rate_limits_off_switches_every_limit_off():
    assert all(v == 0 for v in RateLimits.off().__dict__.values())
    assert np.all([v > 0 for v in RateLimits().__dict__.values()])
