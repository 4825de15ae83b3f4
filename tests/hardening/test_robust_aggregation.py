"""One attacker among honest participants: with norm clipping and/or a trimmed mean it cannot drag the
server's test accuracy down by more than a few points; with both off (plain FedAsync/FedBuff, no clipping,
a very high norm limit) it wrecks the model.

Real data: Fashion-MNIST features from the real EfficientNet-Lite0 extractor (the shared ``fm`` fixture).
Six honest participants hold disjoint shards and train the head with ``train_head`` on the same ORT
artifacts the browser uses. The attacker posts either a scaled update (its honest delta × −100) or a
random vector; both are kept within the default ``max_update_norm`` (100), so the norm limit alone does
not refuse them. Everything runs in-process on the Coordinator (no HTTP): this test is about arithmetic.
Accuracy is ``argmax(head.logits)`` on the held-out test features after the last round. The sessions here
set ``clip_update_norm`` explicitly (a number, or 0 for off) to test each defence alone; the default
(automatic clipping) is tested in test_safe_defaults.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.models import head
from influx_desktop.models.local_training import train_head

HONEST = 6
ROUNDS = 4
ATTACK_NORM = 0.99 * 100.0  # just inside the default max_update_norm
CLIP = 1.0  # about twice an honest update's norm here (0.35–0.55)
SAMPLE_COUNT = 30
ROBUST = {"buffer_size": 5, "rule": "trimmed_mean", "trim_fraction": 0.2}

DEFENDED = {
    "fedasync+clip": {"aggregator": "fedasync", "clip_update_norm": CLIP},
    "robust_fedbuff trimmed mean": {"aggregator": "robust_fedbuff", "aggregator_params": ROBUST, "clip_update_norm": 0},
    "robust_fedbuff trimmed mean+clip": {"aggregator": "robust_fedbuff", "aggregator_params": ROBUST, "clip_update_norm": CLIP},
}
UNDEFENDED = {
    "fedasync": {"aggregator": "fedasync", "max_update_norm": 1e6, "clip_update_norm": 0},
    "fedbuff": {"aggregator": "fedbuff", "aggregator_params": {"buffer_size": 5}, "max_update_norm": 1e6, "clip_update_norm": 0},
}
#: Allowed drop with a defence on, and the drop that must at least happen with none.
MAX_DEFENDED_DROP = 0.05
MIN_UNDEFENDED_DROP = 0.25


def _accuracy(fm, parameters: np.ndarray) -> float:
    predictions = head.logits(fm.test_features, parameters, len(fm.classes)).argmax(axis=1)
    return float((predictions == fm.test_labels).mean())


def _run(tmp_path, model_cache, fm, settings: dict, attack: str | None, seed: int = 0) -> float:
    coordinator = Coordinator(tmp_path / f"{attack}", model_cache=model_cache)
    try:
        session = coordinator.create_session(fm.session_settings("Attack", **settings))
        sid = session["id"]
        coordinator.start_session(sid)
        artifacts = model_cache.head_artifacts(len(fm.classes), coordinator.config(sid).learning_rate)
        people = [coordinator.authenticate(coordinator.join(session["join_code"], f"p{i}")["token"]) for i in range(HONEST + 1)]
        shards = [fm.shard(i, HONEST) for i in range(HONEST)]
        rng = np.random.default_rng(seed)
        for round_ in range(ROUNDS):
            order = rng.permutation(HONEST + 1)  # the attacker posts somewhere in every round
            for i in order:
                version, parameters = coordinator.parameters(sid)
                if i < HONEST:
                    new = train_head(artifacts, parameters, *shards[i], epochs=5, batch_size=16, seed=10 * round_ + i)
                elif attack is None:
                    continue
                else:
                    if attack == "scaled":
                        own = train_head(
                            artifacts, parameters, *shards[round_ % HONEST], epochs=5, batch_size=16, seed=999 + round_
                        )
                        delta = -100.0 * (own - parameters)
                    else:
                        delta = rng.standard_normal(parameters.size).astype(np.float32)
                    norm = float(np.linalg.norm(delta))
                    if norm > ATTACK_NORM:
                        delta *= ATTACK_NORM / norm
                    new = parameters + delta
                ack = coordinator.submit_update(people[i], version, SAMPLE_COUNT, new.astype("<f4").tobytes())
                assert ack["accepted"]
        return _accuracy(fm, coordinator.parameters(sid)[1])
    finally:
        coordinator.close()


def _honest_and_attacked(label: str, tmp_path, model_cache, fm, settings: dict) -> tuple[float, dict[str, float]]:
    """Final accuracy of the federation without an attacker, and with each kind of attacker."""
    honest = _run(tmp_path / "honest", model_cache, fm, settings, None)
    attacked = {attack: _run(tmp_path / attack, model_cache, fm, settings, attack) for attack in ("scaled", "random")}
    print(f"{label}: honest {honest:.3f}, scaled attacker {attacked['scaled']:.3f}, random attacker {attacked['random']:.3f}")
    return honest, attacked


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DEFENDED))
def test_a_defence_keeps_accuracy_within_a_few_points(name, tmp_path, model_cache, fm):
    honest, attacked = _honest_and_attacked(name, tmp_path, model_cache, fm, DEFENDED[name])
    assert honest >= 0.9  # the honest federation learns the task (chance is 0.25)
    for attack, accuracy in attacked.items():
        assert accuracy >= honest - MAX_DEFENDED_DROP, f"{name}: the {attack} attacker took {honest:.3f} to {accuracy:.3f}"


@pytest.mark.slow
@pytest.mark.parametrize("name", list(UNDEFENDED))
def test_without_a_defence_one_attacker_wrecks_the_model(name, tmp_path, model_cache, fm):
    honest, attacked = _honest_and_attacked(f"{name} (no defence)", tmp_path, model_cache, fm, UNDEFENDED[name])
    assert honest >= 0.9
    for attack, accuracy in attacked.items():
        assert accuracy <= honest - MIN_UNDEFENDED_DROP, f"{name}: the {attack} attacker only took {honest:.3f} to {accuracy:.3f}"
