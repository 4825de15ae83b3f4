"""Aggregation: the session's strategy with its clipping; changing the aggregator of a running session keeps
accepting updates and loses none."""

from __future__ import annotations

import numpy as np

from influx_desktop.aggregation import session_strategy
from influx_desktop.session import SessionConfig, honest_update_bound
from influx_desktop.strategies.aggregate import fedasync_mix, polynomial_staleness
from influx_desktop.strategies.clipping import ClipUpdates
from influx_desktop.strategies.fedbuff import FedBuff


def test_switching_from_fedbuff_with_a_full_buffer_to_fedasync_applies_every_buffered_update(coordinator):
    session = coordinator.create_session(
        {"title": "t", "classes": ["a", "b"], "aggregator": "fedbuff", "aggregator_params": {"buffer_size": 3}}
    )
    sid = session["id"]
    coordinator.start_session(sid)
    who = coordinator.authenticate(coordinator.join(session["join_code"])["token"])
    _, start = coordinator.parameters(sid)
    rng = np.random.default_rng(0)
    # honest-sized changes (within the automatic clip: lr × epochs × √parameters ≈ 0.5 here)
    clients = [start + rng.normal(0, 0.002, start.shape).astype(np.float32) for _ in range(3)]
    for client in clients[:2]:
        assert coordinator.submit_update(who, 0, 10, client.astype("<f4").tobytes())["applied"] is False

    coordinator.update_session(sid, {"aggregator": "fedasync", "aggregator_params": {"alpha": 0.5}})
    ack = coordinator.submit_update(who, 0, 10, clients[2].astype("<f4").tobytes())

    # The two updates left in FedBuff's buffer and the new one are all applied, in arrival order,
    # each with FedAsync's weight for the staleness it had on arrival (0: nothing was published).
    assert ack["applied"] is True
    expected = start
    for client in clients:
        expected = fedasync_mix(expected, client, 0.5 * polynomial_staleness(0, 0.5))
    version, parameters = coordinator.parameters(sid)
    np.testing.assert_array_equal(parameters, expected)
    assert [u["status"] for u in coordinator.updates(sid)] == ["applied"] * 3
    assert sorted(uid for v in coordinator.versions(sid) for uid in v["update_ids"]) == [
        u["id"] for u in coordinator.updates(sid)
    ]
    assert version == ack["version"]


def test_the_session_strategy_is_its_aggregator_with_its_parameters_wrapped_in_its_clipping():
    config = SessionConfig.from_dict(
        {"title": "t", "classes": ["a", "b"], "aggregator": "fedbuff", "aggregator_params": {"buffer_size": 2}}
    )
    automatic = session_strategy(config, 2563)
    assert isinstance(automatic, ClipUpdates) and isinstance(automatic.strategy, FedBuff)
    assert automatic.buffer_size == 2 and automatic.max_norm == honest_update_bound(1e-3, 10, 2563)
    assert session_strategy(config.replace({"clip_update_norm": 0.5}), 2563).max_norm == 0.5
    unclipped = session_strategy(config.replace({"clip_update_norm": 0}), 2563)
    assert isinstance(unclipped, FedBuff) and unclipped.settings["buffer_size"] == 2
