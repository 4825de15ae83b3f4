"""Class statistics (issue 12): the start they give, how it enters the model, and how updates are put on it."""

from __future__ import annotations

import numpy as np
import pytest

from influx_desktop import class_stats
from influx_desktop.class_stats import ClassStats
from influx_desktop.models import head

K = 4


def test_pooled_statistics_give_the_start_a_central_diagonal_lda_would(fm):
    """Participants holding disjoint classes, pooled: exactly the statistics of all photos together, so the
    start is what the server would compute with every photo in one place."""
    shards = [fm.shard(0, 2, (0, 1)), fm.shard(1, 2, (2, 3)), fm.shard(0, 2, (2,))]
    pooled = class_stats.pool(ClassStats.of(f, y, K) for f, y in shards)
    union_f = np.concatenate([f for f, _ in shards])
    union_y = np.concatenate([y for _, y in shards])
    union = ClassStats.of(union_f, union_y, K)
    np.testing.assert_array_equal(pooled.counts, union.counts)
    np.testing.assert_allclose(pooled.sums, union.sums, rtol=1e-9)
    initial = head.initial_parameters(K)
    start = class_stats.start_parameters(pooled, initial, K)
    np.testing.assert_allclose(start, class_stats.start_parameters(union, initial, K), rtol=1e-6, atol=1e-9)

    # Each class's mean photo is its own class, by START_MARGIN logits at the median.
    means = union.sums / union.counts[:, None]
    logits = head.logits(means.astype(np.float32), start, K)
    assert list(logits.argmax(axis=1)) == [0, 1, 2, 3]
    lead = np.diag(logits) - np.where(np.eye(K, dtype=bool), -np.inf, logits).max(axis=1)
    assert float(np.median(lead)) == pytest.approx(class_stats.START_MARGIN, rel=1e-4)
    # And it is a classifier already: held-out photos of all four classes.
    predicted = head.logits(fm.test_features, start, K).argmax(axis=1)
    for k in range(K):
        assert (predicted[fm.test_labels == k] == k).mean() >= 0.8, k


def test_a_class_no_one_has_photos_of_keeps_its_start_row(fm):
    f, y = fm.shard(0, 1, (0, 2))
    initial = head.initial_parameters(K)
    start = class_stats.start_parameters(ClassStats.of(f, y, K), initial, K)
    w, b = head.split(start, K)
    w0, b0 = head.split(initial, K)
    np.testing.assert_array_equal(w[[1, 3]], w0[[1, 3]])
    np.testing.assert_array_equal(b[[1, 3]], b0[[1, 3]])
    assert not np.array_equal(w[0], w0[0])
    # One photo per class: no spread to estimate, so the class means alone decide (nearest class mean).
    one = ClassStats.of(f[[0, -1]], y[[0, -1]], K)
    start = class_stats.start_parameters(one, initial, K)
    assert list(head.logits(f[[0, -1]], start, K).argmax(axis=1)) == [0, 2]


def test_confine_keeps_the_logits_of_untrained_classes_at_their_means():
    rng = np.random.default_rng(0)
    means = np.abs(rng.normal(0.2, 0.3, (K, head.FEATURE_DIM)))
    start = class_stats.Start(head.initial_parameters(K), means, np.array([5, 5, 5, 0]))
    weight = np.zeros((K, head.FEATURE_DIM), np.float32)
    bias = np.zeros(K, np.float32)
    weight[:2] = rng.normal(0, 1e-3, (2, head.FEATURE_DIM))
    bias[:2] = [1e-3, -1e-3]
    confined = class_stats.confine(head.join(weight, bias), start)
    cw, cb = head.split(confined, K)
    # Class 2 (held by someone, not trained here): rows 0 and 1 give its mean photo the logits they gave.
    np.testing.assert_allclose(means[2] @ cw[:2].T + cb[:2], 0.0, atol=1e-7)
    # Nor does any class become more or less favoured overall: same logits at the balanced mean photo.
    balanced = means[:3].mean(axis=0)
    np.testing.assert_allclose(balanced @ cw[:2].T + cb[:2], 0.0, atol=1e-7)
    # Class 3 (no one's photos) sets no constraint; the untouched rows stay untouched.
    assert not cw[2:].any() and not cb[2:].any()
    # What compares the trained classes with each other is kept: the change at class 0's mean minus class 1's.
    before = (means[0] - means[1]) @ (weight[0] - weight[1])
    after = (means[0] - means[1]) @ (cw[0] - cw[1])
    assert after == pytest.approx(before, rel=0.5) and np.sign(after) == np.sign(before)
    # An update that changed every row (every class present, or a client that does not mask) keeps every
    # row's logit at the balanced mean photo, and nothing else.
    full = head.join(rng.normal(0, 1e-3, (K, head.FEATURE_DIM)), np.full(K, 1e-3))
    fw, fb = head.split(class_stats.confine(full, start), K)
    np.testing.assert_allclose(balanced @ fw.T + fb, 0.0, atol=1e-7)
    assert np.linalg.norm(fw - head.split(full, K)[0]) < 0.2 * np.linalg.norm(head.split(full, K)[0])


def _session(co, aggregator="fedasync", params=None):
    session = co.create_session(
        {"title": "t", "classes": ["a", "b", "c", "d"], "aggregator": aggregator, "aggregator_params": params or {}}
    )
    co.start_session(session["id"])
    who = [co.authenticate(co.join(session["join_code"], f"p{i}")["token"]) for i in range(3)]
    return session["id"], who


def _send(co, who, f, y):
    stats = ClassStats.of(f, y, K)
    return co.submit_class_stats(who, stats.counts_header(), stats.to_body())


def test_new_statistics_shift_trained_rows_and_stale_updates_are_rebased(coordinator, fm):
    co = coordinator
    sid, who = _session(co, params={"alpha": 0.5, "staleness_function": "constant"})
    v0, p0 = co.parameters(sid)
    f0, y0 = fm.shard(0, 2, (0, 1))
    assert _send(co, who[0], f0, y0) == {"version": 1, "applied": True, "counts": [23, 23, 0, 0]}
    _, p1 = co.parameters(sid)

    # An update trained on version 0, from before the statistics, arrives: rebased onto the start, a
    # participant who changed nothing changes nothing (without the rebase, FedAsync would pull the model
    # half way back to version 0's random start).
    answer = co.submit_update(who[1], v0, 10, p0.astype("<f4").tobytes())
    assert answer["staleness"] == 0  # the statistics' version is not counted: the update missed no training
    v2, p2 = co.parameters(sid)
    np.testing.assert_allclose(p2, p1, atol=1e-6)

    # A real change on top, then another participant's statistics: trained rows move by the change of the
    # start, they are not overwritten.
    trained = p2.copy()
    trained[:10] += 0.05
    co.submit_update(who[0], v2, 10, trained.astype("<f4").tobytes())
    v3, p3 = co.parameters(sid)
    f1, y1 = fm.shard(1, 2, (2, 3))
    _send(co, who[1], f1, y1)
    _, p4 = co.parameters(sid)
    with co.store.transaction() as db:
        old_start = class_stats.start_parameters_at(db, sid, v3)
        new_start = class_stats.start_parameters_at(db, sid, v3 + 1)
    np.testing.assert_allclose(p4 - p3, new_start - old_start, atol=1e-5)
    assert not np.allclose(p4, new_start)  # what was trained on top is still there
    events = [e["kind"] for e in co.event_log(sid)]
    assert events.count("class_stats_received") == 2


def test_resent_statistics_replace_and_removed_participants_drop_out(coordinator, fm):
    co = coordinator
    sid, who = _session(co)
    f, y = fm.shard(0, 1, (0, 1))
    _send(co, who[0], f, y)
    assert _send(co, who[0], f, y)["applied"] is False  # the same again: nothing new
    _send(co, who[0], f[y == 0], y[y == 0])  # fewer photos now: replaces, never adds
    with co.store.transaction() as db:
        pooled = class_stats.pooled(db, sid, K)
    assert pooled.counts.tolist() == [int((y == 0).sum()), 0, 0, 0]

    f2, y2 = fm.shard(0, 1, (2, 3))
    _send(co, who[1], f2, y2)
    version, parameters = co.parameters(sid)
    # Removing a participant who sent statistics publishes the start without them at once.
    co.revoke_participant(sid, who[1].id)
    assert co.current_version(sid) == version + 1
    with co.store.transaction() as db:
        pooled = class_stats.pooled(db, sid, K)
        assert pooled.counts.tolist() == [int((y == 0).sum()), 0, 0, 0]
        gone = class_stats.start_parameters_at(db, sid, version + 1) - class_stats.start_parameters_at(db, sid, version)
    np.testing.assert_allclose(co.parameters(sid)[1] - parameters, gone, atol=1e-5)
    w, _ = head.split(co.parameters(sid)[1], K)
    np.testing.assert_allclose(w[2:], head.split(head.initial_parameters(K), K)[0][2:], atol=1e-5)
    assert co.event_log(sid)[-1]["data"]["class_stats_removed"] == [who[1].id]
    co.revoke_participant(sid, who[2].id)  # sent nothing: no new version
    assert co.current_version(sid) == version + 1


def test_statistics_on_a_buffering_strategy_leave_the_buffer_alone(coordinator, fm):
    co = coordinator
    sid, who = _session(co, "fedbuff", {"buffer_size": 2})
    v0, p0 = co.parameters(sid)
    moved = p0 + np.float32(0.01)
    assert co.submit_update(who[0], v0, 5, moved.tobytes())["applied"] is False
    f, y = fm.shard(0, 1, (0, 1))
    _send(co, who[1], f, y)
    _, p1 = co.parameters(sid)
    answer = co.submit_update(who[2], v0, 5, moved.tobytes())
    assert answer["applied"] is True and answer["staleness"] == 0
    v2, p2 = co.parameters(sid)
    with co.store.transaction() as db:
        start = class_stats.start_at(db, sid, v2)
    # Both deltas (the same), confined with the statistics now in force, on top of the start.
    expected = p1 + class_stats.confine(moved - p0, start)
    np.testing.assert_allclose(p2, expected, atol=1e-6)
