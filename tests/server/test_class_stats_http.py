"""POST /api/v1/class-stats through a real waitress server on 127.0.0.1: what it stores, and every refusal.

A participant's per-class feature statistics (K×D float32 sums, then K×D sums of squares, counts in
X-Class-Counts) move the model onto the start computed from everyone's (class_stats.py) in a new version.
Malformed statistics get a 4xx JSON error naming the header or the body and change nothing: the version,
the parameters, the stored statistics and the event log are compared before and after each.
"""

from __future__ import annotations

import numpy as np
import pytest
from participant_sim import SimulatedParticipant

from influx_desktop.class_stats import ClassStats
from influx_desktop.models import head

CLASSES = ["t-shirt", "trouser", "sneaker", "bag"]
K, D = len(CLASSES), head.FEATURE_DIM


@pytest.fixture(scope="module")
def server(tmp_path_factory, launch_server):
    from influx_desktop.server.limits import RateLimits

    running = launch_server(tmp_path_factory.mktemp("class-stats"), limits=RateLimits.off())
    yield running
    running.stop()


def features(n: int, seed: int) -> np.ndarray:
    return np.abs(np.random.default_rng(seed).normal(0.2, 0.3, (n, D))).astype(np.float32)


@pytest.fixture
def session(server, tmp_path):
    admin = server.admin()
    created = admin.create_session({"title": "Statistics", "classes": CLASSES})
    admin.start(created["id"])
    sim = SimulatedParticipant(server.url, features(12, 0), np.array([0] * 6 + [1] * 6), artifact_dir=tmp_path / "a")
    sim.join(created["join_code"])
    return created["id"], sim


def snapshot(server, sid: int) -> tuple:
    co = server.coordinator
    version, parameters = co.parameters(sid)
    rows = co.store.query("SELECT participant_id, counts, statistics FROM class_stats WHERE session_id=?", (sid,))
    return version, parameters.tobytes(), [tuple(r) for r in rows], len(co.event_log(sid))


def post(sim, body: bytes, counts: str | None, *, token=True, content_type="application/octet-stream"):
    headers = {} if counts is None else {"X-Class-Counts": counts}
    return sim.request("POST", "/api/v1/class-stats", body, content_type=content_type, headers=headers, token=token)


def test_statistics_publish_a_version_on_the_class_statistics_start(server, session):
    sid, sim = session
    assert sim.task()["training"]["send_class_stats"] is True
    assert sim.task()["training"]["mask_absent_classes"] is True
    v0, p0 = server.coordinator.parameters(sid)

    answer = sim.send_class_stats()
    assert answer["applied"] is True and answer["version"] == v0 + 1
    version, parameters = server.coordinator.parameters(sid)
    assert version == v0 + 1
    w, b = head.split(parameters, K)
    w0, b0 = head.split(p0, K)
    # The two classes it holds got class-statistics rows; the others kept their start.
    assert not np.array_equal(w[0], w0[0]) and not np.array_equal(w[1], w0[1])
    np.testing.assert_array_equal(w[2:], w0[2:])
    np.testing.assert_array_equal(b[2:], b0[2:])
    kinds = [e["kind"] for e in server.coordinator.event_log(sid)[-2:]]
    assert kinds == ["class_stats_received", "model_version"]

    # The same statistics again (a retry after a lost answer): nothing changes.
    before = snapshot(server, sid)
    again = sim.send_class_stats()
    assert again == {"version": version, "applied": False}
    assert snapshot(server, sid) == before

    # After adding photos the participant sends new statistics: they replace the old ones, not add to them.
    sim.features = np.concatenate([sim.features, features(4, 1)])
    sim.labels = np.concatenate([sim.labels, [2, 2, 3, 3]])
    assert sim.send_class_stats_if_changed()["applied"] is True
    rows = server.coordinator.store.query("SELECT counts FROM class_stats WHERE session_id=?", (sid,))
    assert [r["counts"] for r in rows] == ["[6, 6, 2, 2]"]
    assert sim.send_class_stats_if_changed() is None  # counts unchanged since the last successful send


BAD_REQUESTS = {
    # name: (body and counts header from good statistics) -> (body, counts, status, code, field)
    "no counts header": lambda body, counts: (body, None, 400, "counts_missing", "X-Class-Counts"),
    "counts not numbers": lambda body, counts: (body, "6,six,0,0", 400, "bad_counts", "X-Class-Counts"),
    "negative count": lambda body, counts: (body, "6,-6,0,0", 400, "bad_counts", "X-Class-Counts"),
    "too few counts": lambda body, counts: (body, "6,6,0", 400, "bad_counts", "X-Class-Counts"),
    "all counts zero": lambda body, counts: (
        np.zeros(2 * K * D, "<f4").tobytes(),
        "0,0,0,0",
        400,
        "bad_counts",
        "X-Class-Counts",
    ),
    "body one float short": lambda body, counts: (body[:-4], counts, 400, "wrong_length", "body"),
    "body for 3 classes": lambda body, counts: (body[: 2 * 3 * D * 4], counts, 400, "wrong_length", "body"),
    "empty body": lambda body, counts: (b"", counts, 400, "wrong_length", "body"),
    "NaN in a sum": lambda body, counts: (_with(body, 5, np.nan), counts, 400, "not_finite", "body"),
    "infinity in a square": lambda body, counts: (_with(body, K * D + 7, np.inf), counts, 400, "not_finite", "body"),
    "class with count 0 has a sum": lambda body, counts: (_with(body, 2 * D + 3, 1.0), counts, 400, "counts_mismatch", "body"),
    "class with count 0 has a square": lambda body, counts: (
        _with(body, K * D + 3 * D, 1.0),
        counts,
        400,
        "counts_mismatch",
        "body",
    ),
    "negative variance": lambda body, counts: (_with(body, K * D, 0.0), counts, 400, "inconsistent_statistics", "body"),
    # every feature lies in [0, 6] (ReLU6, then pooling): class 0 holds 6 photos
    "count above the cap": lambda body, counts: (body, "6,1001,2,2", 400, "bad_counts", "X-Class-Counts"),
    "a sum above 6 × count": lambda body, counts: (_with(body, 0, 6 * 6 * 1.05), counts, 400, "out_of_range", "body"),
    "a negative sum": lambda body, counts: (_with(body, 0, -1.0), counts, 400, "out_of_range", "body"),
    "a square above 36 × count": lambda body, counts: (_with(body, K * D, 36 * 6 * 1.05), counts, 400, "out_of_range", "body"),
}


def _with(body: bytes, index: int, value: float) -> bytes:
    values = np.frombuffer(body, dtype="<f4").copy()
    values[index] = value
    return values.tobytes()


@pytest.mark.parametrize("name", list(BAD_REQUESTS))
def test_malformed_statistics_are_refused_and_change_nothing(server, session, name):
    sid, sim = session
    good = sim.class_stats()
    body, counts, status, code, field = BAD_REQUESTS[name](good.to_body(), good.counts_header())
    before = snapshot(server, sid)
    response = post(sim, body, counts)
    assert response.status == status, response.body
    assert response.error["code"] == code and response.error["field"] == field
    assert response.error["message"]
    assert snapshot(server, sid) == before


def test_refused_without_a_token_a_wrong_type_an_oversized_body_or_a_paused_session(server, session):
    sid, sim = session
    good = sim.class_stats()
    before = snapshot(server, sid)

    response = post(sim, good.to_body(), good.counts_header(), token=None)
    assert response.status == 401 and response.error["code"] == "token_missing"
    response = post(sim, good.to_body(), good.counts_header(), token="not-a-token")
    assert response.status == 401 and response.error["code"] == "token_unknown"
    response = post(sim, good.to_body(), good.counts_header(), content_type="application/json")
    assert response.status == 415
    response = post(sim, b"\0" * (1024 * 1024 + 1), good.counts_header())
    assert response.status == 413 and response.error["code"] == "payload_too_large"

    server.admin().action(sid, "pause")
    response = post(sim, good.to_body(), good.counts_header())
    assert response.status == 409 and response.error["code"] == "session_paused"
    server.admin().action(sid, "resume")
    events = len(server.coordinator.event_log(sid))
    assert snapshot(server, sid)[:3] == before[:3]
    assert events == before[3] + 2  # the pause and the resume, nothing else

    assert post(sim, good.to_body(), good.counts_header()).status == 200


def test_a_revoked_participant_cannot_send_statistics(server, session):
    sid, sim = session
    good = sim.class_stats()
    server.admin().revoke(sid, sim.participant_id)
    before = snapshot(server, sid)
    response = post(sim, good.to_body(), good.counts_header())
    assert response.status == 401 and response.error["code"] == "token_revoked"
    assert snapshot(server, sid)[:3] == before[:3]


def test_the_statistics_a_browser_would_compute_round_trip(server, session):
    """ClassStats.of is what the simulator sends: float32 sums and squares, zero rows for absent classes."""
    _, sim = session
    stats = sim.class_stats()
    assert stats.counts.tolist() == [6, 6, 0, 0]
    values = np.frombuffer(stats.to_body(), dtype="<f4").reshape(2, K, D)
    np.testing.assert_allclose(values[0, 0], sim.features[:6].sum(axis=0), rtol=1e-5)
    np.testing.assert_allclose(values[1, 1], (sim.features[6:12] ** 2).sum(axis=0), rtol=1e-5)
    assert not values[:, 2:].any()
    assert ClassStats.of(sim.features, sim.labels, K).counts_header() == "6,6,0,0"
