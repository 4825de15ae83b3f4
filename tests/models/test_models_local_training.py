"""Native head training on the browser's artifacts: it learns, and the configured learning rate is real."""

from __future__ import annotations

import numpy as np
import pytest

from influx_desktop.errors import InvalidInput
from influx_desktop.models import head
from influx_desktop.models.local_training import evaluate_loss, load_parameters, train_head


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


def test_logit_offset_masks_the_classes_a_participant_has_no_photos_of(head3, fmnist_features):
    """training_model.onnx's third input: −10000 for a class gives its row exactly zero gradient, so AdamW
    returns it bit for bit; the loss is the softmax cross-entropy over the other classes only."""
    from influx_desktop.models.runtime import import_training_api

    f, y = fmnist_features["train"]
    held = y != 2  # this participant photographed classes 0 and 1 only
    p0 = head.initial_parameters(3)
    masked = train_head(head3, p0, f[held], y[held], epochs=3, batch_size=16, seed=0)
    plain = train_head(head3, p0, f[held], y[held], epochs=3, batch_size=16, seed=0, mask_absent_classes=False)
    (w0, b0), (wm, bm), (wp, bp) = (head.split(p, 3) for p in (p0, masked, plain))
    np.testing.assert_array_equal(wm[2], w0[2])
    assert bm[2] == b0[2]
    assert not np.array_equal(wm[0], w0[0]) and not np.array_equal(wm[1], w0[1])
    # Without the mask, two-class training pushes the absent class's logit down: what issue 12 was about.
    assert bp[2] < b0[2] - 1e-3 and not np.array_equal(wp[2], w0[2])

    offset = head.logit_offset(y[held], 3)
    np.testing.assert_array_equal(offset, [0.0, 0.0, head.ABSENT_CLASS_OFFSET])
    api = import_training_api()
    state = api.CheckpointState.load_checkpoint(str(head3.checkpoint.path))
    module = api.Module(str(head3.training_model.path), state, str(head3.eval_model.path), device="cpu")
    load_parameters(module, masked)
    module.eval()
    loss, logits = module(np.ascontiguousarray(f[held]), y[held].astype(np.int64), offset)
    z = head.logits(f[held], masked, 3)[:, :2]
    z = z - z.max(axis=1, keepdims=True)
    ce = float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(held.sum()), y[held]]))
    assert float(loss) == pytest.approx(ce, rel=1e-4, abs=1e-5)
    np.testing.assert_allclose(logits, head.logits(f[held], masked, 3), rtol=1e-5, atol=1e-4)
