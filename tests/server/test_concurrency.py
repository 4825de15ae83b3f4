"""Twenty participants post ten updates each, all at once: every accepted update is aggregated exactly
once, versions have no gaps, and the final model is what a sequential replay of the accepted updates
(in the order the server accepted them, with the staleness it recorded) gives, bit for bit."""

from __future__ import annotations

import threading
from collections import Counter

import numpy as np
import pytest
from participant_sim import ApiError, SimulatedParticipant

from influx_desktop.strategies import ClientUpdate, make_strategy

PARTICIPANTS = 20
UPDATES_EACH = 10
CLASSES = ["t-shirt", "trouser", "sneaker", "bag"]


@pytest.mark.parametrize(
    "aggregator, params, max_staleness",
    [
        # A tight staleness limit, so some concurrent updates are refused and the books must still balance.
        ("fedasync", {"alpha": 0.5, "staleness_function": "hinge", "a": 0.5, "b": 2}, 6),
        ("fedbuff", {"buffer_size": 4, "server_learning_rate": 0.8}, 1000),
    ],
)
def test_concurrent_updates_are_each_applied_exactly_once(fl_server, tmp_path, aggregator, params, max_staleness):
    server = fl_server(threads=8)
    admin = server.admin()
    session = admin.create_session(
        {
            "title": "Rush hour",
            "classes": CLASSES,
            "aggregator": aggregator,
            "aggregator_params": params,
            "max_staleness": max_staleness,
        }
    )
    sid = session["id"]
    admin.start(sid)

    no_data = np.zeros((0, 1280), np.float32), np.zeros(0, np.int64)
    sims = [
        SimulatedParticipant(server.url, *no_data, artifact_dir=tmp_path / "artifacts", nickname=f"p{i}")
        for i in range(PARTICIPANTS)
    ]
    for sim in sims:
        sim.join(session["join_code"])

    acks: list[dict] = []
    refusals: list[tuple[int, str]] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(PARTICIPANTS)

    def participate(i: int, sim: SimulatedParticipant) -> None:
        rng = np.random.default_rng(i)
        try:
            barrier.wait()
            for _ in range(UPDATES_EACH):
                version, parameters = sim.model()
                # honest-sized (within the automatic clip), so replaying the stored updates needs no clipping
                trained = parameters + rng.normal(0, 0.002, parameters.shape).astype(np.float32)
                try:
                    ack = sim.submit(trained, version, sample_count=1 + i)
                    with lock:
                        acks.append(ack)
                except ApiError as exc:
                    with lock:
                        refusals.append((exc.status, exc.code))
        except BaseException as exc:  # surfaced below: a thread's assertion must fail the test
            failures.append(exc)

    threads = [threading.Thread(target=participate, args=(i, sim)) for i, sim in enumerate(sims)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures
    assert len(acks) + len(refusals) == PARTICIPANTS * UPDATES_EACH
    assert set(refusals) <= {(409, "too_stale")}

    updates = admin.updates(sid)
    versions = admin.versions(sid)
    accepted = [u for u in updates if u["status"] != "rejected"]
    rejected = [u for u in updates if u["status"] == "rejected"]
    print(
        f"{aggregator}: {len(accepted)} accepted, {len(rejected)} refused as too stale, "
        f"{len(versions) - 1} versions, max staleness seen {max(u['staleness'] for u in updates)}"
    )
    assert len(updates) == PARTICIPANTS * UPDATES_EACH
    assert len(rejected) == len(refusals)
    assert all(u["staleness"] > max_staleness and "limit is" in u["reason"] for u in rejected)
    assert Counter(u["participant_id"] for u in updates) == {s.participant_id: UPDATES_EACH for s in sims}

    # What the participants were told matches what the server stored.
    assert sorted(a["update_id"] for a in acks) == [u["id"] for u in accepted]
    by_id = {u["id"]: u for u in updates}
    for ack in acks:
        stored = by_id[ack["update_id"]]
        assert (ack["staleness"], ack["weight"], ack["base_version"]) == (
            stored["staleness"],
            stored["weight"],
            stored["base_version"],
        )

    # Versions are 0..N without gaps; each applied update is in exactly one version.
    assert [v["version"] for v in versions] == list(range(len(versions)))
    assert versions[0]["update_ids"] == []
    applied_ids = [uid for v in versions for uid in v["update_ids"]]
    assert len(applied_ids) == len(set(applied_ids))
    assert sorted(applied_ids) == [u["id"] for u in accepted if u["status"] == "applied"]
    for u in accepted:
        if u["status"] == "applied":
            assert u["id"] in versions[u["applied_version"]]["update_ids"]

    # Sequential replay with the strategy's pure functions.
    strategy = make_strategy(aggregator, params)
    client_parameters = dict(server.coordinator.accepted_update_parameters(sid))
    assert sorted(client_parameters) == [u["id"] for u in accepted]
    replayed = [server.coordinator.parameters(sid, 0)[1]]
    pending: list[ClientUpdate] = []
    pending_ids: list[int] = []
    for u in accepted:  # in id order: the order the server accepted them
        # The staleness the server recorded is the number of versions published since the base.
        assert u["staleness"] == len(replayed) - 1 - u["base_version"]
        assert u["weight"] == pytest.approx(strategy.weight(u["staleness"], u["sample_count"]), rel=1e-12)
        pending.append(ClientUpdate(client_parameters[u["id"]], replayed[u["base_version"]], u["staleness"], u["sample_count"]))
        pending_ids.append(u["id"])
        if len(pending) == strategy.buffer_size:
            replayed.append(strategy.aggregate(replayed[-1], pending))
            assert versions[len(replayed) - 1]["update_ids"] == pending_ids
            pending, pending_ids = [], []
    assert len(replayed) == len(versions)
    assert pending_ids == [u["id"] for u in accepted if u["status"] == "buffered"]
    for version, expected in enumerate(replayed):
        _, stored = server.coordinator.parameters(sid, version)
        assert stored.tobytes() == expected.astype("<f4").tobytes(), f"version {version} differs from the replay"
    if aggregator == "fedasync":
        assert len(versions) - 1 == len(accepted)
    else:
        assert len(versions) - 1 == len(accepted) // 4
