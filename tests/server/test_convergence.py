"""Federated learning works end to end: three simulated participants on disjoint real Fashion-MNIST shards
train against a real server on 127.0.0.1, and the server's own test accuracy climbs from chance."""

from __future__ import annotations

import pytest
from participant_sim import SimulatedParticipant

from influx_desktop.models import head

ROUNDS = 4
#: Each participant's classes (positions in fm.classes): no one holds every class but the last.
PARTICIPANT_CLASSES = ((0, 1, 2), (1, 2, 3), (0, 1, 2, 3))


@pytest.mark.parametrize(
    "aggregator, params",
    [
        ("fedasync", {"alpha": 0.6, "staleness_function": "polynomial", "a": 0.5}),
        ("fedbuff", {"buffer_size": 3, "server_learning_rate": 1.0}),
    ],
)
def test_server_accuracy_rises_from_chance(fl_server, fm, tmp_path, aggregator, params):
    server = fl_server()
    admin = server.admin()
    session = admin.create_session(
        fm.session_settings("Clothes and bags", aggregator=aggregator, aggregator_params=params, local_epochs=5, batch_size=16)
    )
    sid = session["id"]
    admin.start(sid)
    loaded = admin.upload_test_set(sid, fm.test_set_zip())
    assert loaded["state"] == "extracting" and loaded["images"] == len(fm.test_labels)

    participants = []
    for i, classes in enumerate(PARTICIPANT_CLASSES):
        features, labels = fm.shard(i, len(PARTICIPANT_CLASSES), classes)
        sim = SimulatedParticipant(
            server.url,
            features,
            labels,
            artifact_dir=tmp_path / "artifacts",
            nickname=f"sim{i}",
            feature_sha256=fm.feature_sha256,
            seed=i,
        )
        sim.join(session["join_code"])
        assert sim.task()["classes"] == fm.classes
        participants.append(sim)

    acks = []
    for _ in range(ROUNDS):
        # All three start from the same global model, then post one after another: the 2nd and 3rd
        # updates of a round arrive stale under FedAsync and fill one buffer under FedBuff.
        starts = [sim.model() for sim in participants]
        for sim, (version, parameters) in zip(participants, starts):
            acks.append(sim.submit(sim.train(parameters), version))

    assert all(a["accepted"] for a in acks)
    assert all(sim.stats_sent_counts is not None for sim in participants)
    final_version = server.coordinator.current_version(sid)
    # Each participant's class statistics, sent before its first update, published one version each;
    # those versions do not count as staleness (the updates are moved onto their start).
    stats_versions = len(participants)
    if aggregator == "fedasync":
        assert final_version == ROUNDS * len(participants) + stats_versions
        assert [a["staleness"] for a in acks[:3]] == [0, 1, 2]
        assert acks[1]["weight"] == pytest.approx(0.6 * 2**-0.5)
    else:
        assert final_version == ROUNDS + stats_versions
        assert [a["applied"] for a in acks[:3]] == [False, False, True]

    server.coordinator.evaluator.wait_idle()
    assert admin.test_set_status(sid)["state"] == "ready"
    # Every version is scored exactly once, those published while the test set was still being
    # extracted included.
    history = admin.accuracy(sid)
    assert [h["version"] for h in history] == list(range(final_version + 1))
    history = {h["version"]: h for h in history}
    before, after = history[0]["accuracy"], history[final_version]["accuracy"]
    print(f"{aggregator}: server accuracy {before:.3f} at version 0 -> {after:.3f} at version {final_version}")
    assert before <= 0.45  # chance is 0.25 with four classes
    assert after >= 0.85
    assert history[final_version]["n"] == len(fm.test_labels)
    per_class = history[final_version]["per_class"]
    assert sum(c["total"] for c in per_class.values()) == len(fm.test_labels)

    # The server scored exactly what a local evaluation of the final parameters gives.
    _, final = server.coordinator.parameters(sid)
    local = (head.logits(fm.test_features, final, len(fm.classes)).argmax(axis=1) == fm.test_labels).mean()
    assert after == pytest.approx(float(local), abs=1e-9)
