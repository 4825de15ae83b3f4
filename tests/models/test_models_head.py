"""The flat head parameter vector, proved against the real ORT training artifacts."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from influx_desktop.errors import InvalidInput
from influx_desktop.models import head
from influx_desktop.models.local_training import contiguous_parameters


def test_parameter_count_and_initial_parameters():
    assert head.parameter_count(3) == 3 * 1280 + 3 == 3843
    assert head.parameter_count(10) == 12810
    p = head.initial_parameters(3)
    assert p.dtype == np.float32 and p.shape == (3843,)
    np.testing.assert_array_equal(p, head.initial_parameters(3, seed=0))
    assert not np.array_equal(p, head.initial_parameters(3, seed=1))
    w, b = head.split(p, 3)
    assert w.shape == (3, 1280) and b.shape == (3,)
    assert np.all(b == 0) and 0.005 < w.std() < 0.02
    for bad in (1, 0, -2, 2.5, True, "3"):
        with pytest.raises(InvalidInput):
            head.parameter_count(bad)


def test_split_is_w_row_major_then_b_and_logits_match():
    k = 4
    v = np.arange(head.parameter_count(k), dtype=np.float32)
    w, b = head.split(v, k)
    assert w[1, 0] == 1280 and w[2, 5] == 2 * 1280 + 5
    np.testing.assert_array_equal(b, [5120, 5121, 5122, 5123])
    np.testing.assert_array_equal(head.join(w, b), v)
    f = np.random.default_rng(0).standard_normal((5, 1280)).astype(np.float32)
    np.testing.assert_allclose(head.logits(f, v / 1e4, k), f @ (w / 1e4).T + b / 1e4, rtol=1e-5)
    with pytest.raises(InvalidInput):
        head.split(v[:-1], k)
    with pytest.raises(InvalidInput):
        head.logits(f[0], v, k)


def test_layout_is_the_order_of_the_trainable_inputs_of_training_model(head3):
    """getContiguousParameters(true) (ORT-web) and get_contiguous_parameters(True) (Python) both return
    the trainable parameters in the order of the trainable inputs of training_model.onnx. Prove that
    order is weight then bias, and that loading our vector puts W and b exactly where split() says."""
    from onnxruntime import OrtValue
    from onnxruntime.training.api import CheckpointState, Module

    model = onnx.load(str(head3.training_model.path))
    inputs = [i.name for i in model.graph.input]
    params = [n for n in inputs if n in ("weight", "bias")]
    assert params == ["weight", "bias"]
    assert inputs[:3] == ["features", "labels", "logit_offset"]
    assert inputs.index("weight") < inputs.index("bias") < inputs.index("weight_grad.accumulation.buffer")

    k = 3
    v = (np.arange(head.parameter_count(k), dtype=np.float32) - 1900) / 1000  # every value distinct
    state = CheckpointState.load_checkpoint(str(head3.checkpoint.path))
    module = Module(str(head3.training_model.path), state, str(head3.eval_model.path), device="cpu")
    assert module.get_parameters_size(True) == v.size
    module.copy_buffer_to_parameters(OrtValue.ortvalue_from_numpy(v)._ortvalue, True)
    w, b = head.split(v, k)
    np.testing.assert_array_equal(state.parameters["weight"].data, w)
    np.testing.assert_array_equal(state.parameters["bias"].data, b)
    np.testing.assert_array_equal(contiguous_parameters(module), v)

    # The eval model's logits are head.logits of the same vector.
    f = np.random.default_rng(1).standard_normal((6, 1280)).astype(np.float32)
    module.eval()
    _loss, logits = module(f, np.array([0, 1, 2, 0, 1, 2], dtype=np.int64), np.zeros(k, np.float32))
    np.testing.assert_allclose(logits, head.logits(f, v, k), rtol=1e-5, atol=1e-4)
