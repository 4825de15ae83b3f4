"""The int8 extractor's biases hold their float values (issue 17, item 2).

onnxruntime 1.19's ``quantize_static`` stores a convolution's bias as ``round(b / (input scale x weight
scale))`` in int32. A channel whose weights are all but zero next to a sizeable bias overflows that
(numpy warns "invalid value encountered in cast") and gets -2^31: garbage. EfficientNet-Lite0 has 84 such
channels; ``fit_biases_in_int32`` repairs them. Here: the shipped model has no bad channel, and on a tiny
model whose dead-weight channel carries a live bias, the int8 output matches float32 only with the repair.
"""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from influx_desktop.models import quantize
from influx_desktop.models.backbones import get_backbone
from influx_desktop.models.features import FeatureExtractor
from influx_desktop.models.quantize import bias_defects, quantize_feature_extractor
from influx_desktop.models.runtime import IR_VERSION

DEAD = 2  # the channel whose weights are ~1e-9 and whose bias is +0.7
DEAD_BIAS = 0.7


def test_every_bias_of_the_shipped_int8_model_is_its_float_bias_rounded(int8_artifact, lite0_artifact):
    model, float_model = onnx.load(str(int8_artifact.path)), onnx.load(str(lite0_artifact.path))
    int32_biases = [t.name for t in model.graph.initializer if t.data_type == TensorProto.INT32 and t.name.endswith("_quantized")]
    assert len(int32_biases) == sum(n.op_type == "Conv" for n in model.graph.node) == 49  # each conv has one
    assert bias_defects(model, float_model) == []


def _tiny_extractor(path) -> None:
    """input [N,3,224,224] -> Conv 1x1 (4 channels, one dead with a positive bias) -> average -> features [N,4]."""
    rng = np.random.default_rng(0)
    weights = rng.normal(0, 0.5, (4, 3, 1, 1)).astype(np.float32)
    weights[DEAD] = 1e-9  # what BatchNorm folding leaves of a dead channel
    bias = np.array([0.1, -0.2, DEAD_BIAS, 0.3], np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["input", "w", "b"], ["conv"]),
            helper.make_node("GlobalAveragePool", ["conv"], ["pooled"]),
            helper.make_node("Flatten", ["pooled"], ["features"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 224, 224])],
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 4])],
        [numpy_helper.from_array(weights, "w"), numpy_helper.from_array(bias, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = IR_VERSION
    onnx.save(model, str(path))


def _quantize_tiny(tmp_path, repair: bool, monkeypatch):
    fp32, out = tmp_path / "fp32.onnx", tmp_path / f"int8-{repair}.onnx"
    _tiny_extractor(fp32)
    if not repair:
        monkeypatch.setattr(quantize, "fit_biases_in_int32", lambda model, float_model: [])
    quantize_feature_extractor(fp32, out, get_backbone("efficientnet_lite0"), IR_VERSION)
    monkeypatch.undo()
    return fp32, out


@pytest.mark.parametrize("repair", [True, False], ids=["repaired", "as onnxruntime leaves it"])
def test_a_dead_channel_keeps_its_bias_through_quantisation(tmp_path, monkeypatch, repair):
    fp32, out = _quantize_tiny(tmp_path, repair, monkeypatch)
    x = quantize.synthetic_inputs(get_backbone("efficientnet_lite0"), n=4, seed=5)
    want, got = FeatureExtractor(fp32).extract(x), FeatureExtractor(out).extract(x)
    defects = bias_defects(onnx.load(str(out)), onnx.load(str(fp32)))
    assert want[:, DEAD] == pytest.approx(DEAD_BIAS, abs=1e-3)
    step = float(np.ptp(want)) / 255  # one step of the uint8 activations the output passes through
    if repair:
        assert defects == []
        np.testing.assert_allclose(got, want, atol=2 * step)
    else:  # the overflow this guards against: -2^31 in place of +0.7 / (a ~1e-13 scale)
        assert [(d.channel, d.stored) for d in defects] == [(DEAD, -(2**31))]
        assert np.all(np.abs(got[:, DEAD] - DEAD_BIAS) > 0.5), got[:, DEAD]
