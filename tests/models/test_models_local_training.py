"""Native head training on the browser's artifacts: it learns, and the configured learning rate is real."""

from __future__ import annotations

import numpy as np
import pytest

from influx_desktop.errors import InvalidInput
from influx_desktop.models import head
from influx_desktop.models.local_training import evaluate_loss, train_head


def test_training_on_real_features_lowers_the_loss(head3, fmnist_features):
    f, y = fmnist_features["train"]
    p0 = head.initial_parameters(3)
    p1 = train_head(head3, p0, f, y, epochs=3, batch_size=16, seed=0)
    assert p1.dtype == np.float32 and p1.shape == p0.shape and not np.array_equal(p0, p1)
    before, after = evaluate_loss(head3, p0, f, y), evaluate_loss(head3, p1, f, y)
    assert after < 0.7 * before, (before, after)
    # The eval model's loss is the numpy cross-entropy of head.logits.
    z = head.logits(f, p1, 3)
    z = z - z.max(axis=1, keepdims=True)
    ce = float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]))
    assert after == pytest.approx(ce, rel=1e-4, abs=1e-5)
    # Deterministic for a given seed; another seed shuffles differently.
    np.testing.assert_array_equal(train_head(head3, p0, f, y, 3, 16, seed=0), p1)
    assert not np.array_equal(train_head(head3, p0, f, y, 3, 16, seed=1), p1)
    np.testing.assert_array_equal(train_head(head3, p0, f, y, epochs=0, batch_size=16), p0)


def test_the_configured_learning_rate_sets_the_step_size(model_cache, head3, fmnist_features):
    """One full-batch AdamW step moves each parameter by about lr (first step: m/sqrt(v) = sign(g)).
    The optimizer is fed ORT's fixed 1e-3 as ORT-web does; the Mul in optimizer_model.onnx makes it 1e-2."""
    f, y = fmnist_features["train"]
    p0 = head.initial_parameters(3)
    fast = model_cache.head_artifacts(3, 1e-2)
    d_slow = np.abs(train_head(head3, p0, f, y, epochs=1, batch_size=len(y)) - p0)
    d_fast = np.abs(train_head(fast, p0, f, y, epochs=1, batch_size=len(y)) - p0)
    moved = d_slow > 0
    assert moved.mean() > 0.9
    assert np.median(d_slow[moved]) == pytest.approx(1e-3, rel=0.05)
    assert np.median(d_fast[moved]) == pytest.approx(1e-2, rel=0.05)
    assert np.median(d_fast[moved] / d_slow[moved]) == pytest.approx(10.0, rel=0.02)


def test_train_head_rejects_mismatched_inputs(head3):
    p = head.initial_parameters(3)
    f = np.zeros((4, 1280), np.float32)
    with pytest.raises(InvalidInput):
        train_head(head3, p, f, np.array([0, 1, 2]), 1, 2)  # 4 features, 3 labels
    with pytest.raises(InvalidInput):
        train_head(head3, p, f, np.array([0, 1, 2, 3]), 1, 2)  # label 3 with K = 3
    with pytest.raises(InvalidInput):
        train_head(head3, p[:-1], f, np.array([0, 1, 2, 0]), 1, 2)
    with pytest.raises(InvalidInput):
        train_head(head3, p, f, np.array([0, 1, 2, 0]), 1, 0)
