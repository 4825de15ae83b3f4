"""The int8 variant of an exported feature extractor: static QDQ quantisation, calibrated with no data set.

``quantize_feature_extractor(fp32, out, backbone)`` turns the float32 ``feature_extractor.onnx`` into a
QDQ model (per-channel int8 weights, uint8 activations, MinMax-calibrated) with onnxruntime.quantization,
exactly as ``bench/quantize.py`` measured it (docs/benchmarks.md, item 6): 3.6× fewer bytes, the same
head accuracy on Fashion-MNIST, identical features in ORT-web 1.19.2 and native onnxruntime.

Calibration uses synthetic images (smooth random colour fields with noise, fixed seed) through the
backbone's own preprocessing, so the app can build the model offline and with no data of its own, and the
same float32 model always gives the same int8 bytes (the browser caches artifacts by hash).

onnxruntime 1.19's ``quantize_static`` overflows the int32 biases of channels whose weights are all but zero
(``fit_biases_in_int32`` explains and repairs it; ``bias_defects`` checks a model for it).

Needs onnx, numpy, Pillow and onnxruntime (through ``load_onnxruntime``): never torch, so the frozen app
builds it from its bundled float32 model.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from influx_desktop.models.backbones import Backbone
from influx_desktop.models.runtime import load_onnxruntime, quiet_onnxruntime

#: What ``influx.quantized`` says in the model's metadata.
QUANTIZED_TAG = "int8-qdq"
CALIBRATION_IMAGES = 64
CALIBRATION_SEED = 23
INT8_WEIGHT_RANGE = 127  # symmetric per-channel int8 weights: -127..127, zero point 0
#: A repaired channel's bias is stored with about 2^30 steps of its magnitude: far finer than float32 (2^24),
#: and twice below int32's limit.
BIAS_STEPS = 2.0**30
FLOAT32_EPSILON = float(np.finfo(np.float32).eps)

_QUANTIZE_LOCK = threading.Lock()  # the logging and warning filters below are process-global


def synthetic_inputs(backbone: Backbone, n: int = CALIBRATION_IMAGES, seed: int = CALIBRATION_SEED) -> np.ndarray:
    """``[n,3,S,S]`` float32: smooth random colour fields plus noise, preprocessed for ``backbone``.

    No photo of any data set: the benchmark found this calibration as accurate as 64 Fashion-MNIST images.
    """
    from PIL import Image

    from influx_desktop.models.images import preprocess_batch

    rng = np.random.default_rng(seed)
    images = []
    for _ in range(n):
        coarse = rng.integers(0, 256, (int(rng.integers(2, 16)),) * 2 + (3,), dtype=np.uint8)
        size = backbone.input_size
        img = np.asarray(Image.fromarray(coarse).resize((size, size), Image.Resampling.BICUBIC), dtype=np.float32)
        img += rng.normal(0, rng.uniform(0, 25), img.shape)
        images.append(Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)))
    return preprocess_batch(images, backbone)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """onnxruntime.quantization logs progress at INFO/WARNING, and numpy warns "invalid value encountered in
    cast" where quantize_static overflows an int32 bias: ``fit_biases_in_int32`` repairs those afterwards."""
    quiet_onnxruntime()
    logger = logging.getLogger("onnxruntime.quantization")
    root_disable = logging.root.manager.disable
    with _QUANTIZE_LOCK, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="invalid value encountered in cast", category=RuntimeWarning)
        warnings.filterwarnings("ignore", module="onnxruntime.quantization")
        previous = logger.level
        logger.setLevel(logging.ERROR)
        logging.disable(logging.WARNING)  # the quantizer also logs through the root logger
        try:
            yield
        finally:
            logging.disable(root_disable)
            logger.setLevel(previous)


def quantize_feature_extractor(fp32: Path, out: Path, backbone: Backbone, ir_version: int) -> None:
    """Write the int8 QDQ variant of the float32 model ``fp32`` to ``out`` (metadata: influx.* + quantized)."""
    import onnx

    load_onnxruntime()  # before onnxruntime.quantization: its import runs onnxruntime's __init__
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    calib = synthetic_inputs(backbone)

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._it = iter([{"input": calib[i : i + 1]} for i in range(len(calib))])

        def get_next(self):
            return next(self._it, None)

    source = onnx.load(str(fp32))
    meta = {p.key: p.value for p in source.metadata_props if p.key.startswith("influx.")}
    workdir = Path(tempfile.mkdtemp(prefix="quantize-", dir=out.parent))
    try:
        pre = workdir / "pre.onnx"
        raw = workdir / "int8.onnx"
        with _quiet():
            quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
            quantize_static(
                str(pre),
                str(raw),
                Reader(),
                quant_format=QuantFormat.QDQ,
                per_channel=True,
                weight_type=QuantType.QInt8,
                activation_type=QuantType.QUInt8,
            )
        model = onnx.load(str(raw))
        fit_biases_in_int32(model, onnx.load(str(pre)))
        model.ir_version = min(model.ir_version, ir_version)  # ORT(-web) 1.19 refuses IR versions above 10
        del model.metadata_props[:]
        meta["influx.quantized"] = QUANTIZED_TAG
        meta["influx.calibration"] = json.dumps({"images": CALIBRATION_IMAGES, "seed": CALIBRATION_SEED, "kind": "synthetic"})
        for key, value in sorted(meta.items()):
            model.metadata_props.add(key=key, value=value)
        onnx.save(model, str(out))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass(frozen=True)
class BiasDefect:
    """One output channel of a quantised convolution whose stored bias is not its float bias."""

    bias: str  # the float bias initializer's name
    channel: int
    float_bias: float
    scale: float  # the bias's dequantisation scale (input scale x the channel's weight scale)
    stored: int  # the int32 in the model; it should be round(float_bias / scale)


def _quantised_convs(model):
    """(conv, input DQ, weight DQ, bias DQ) for every Conv whose three inputs come out of DequantizeLinear."""
    producer = {out: node for node in model.graph.node for out in node.output}
    for conv in model.graph.node:
        if conv.op_type != "Conv" or len(conv.input) < 3:
            continue
        dqs = [producer.get(name) for name in conv.input[:3]]
        if all(dq is not None and dq.op_type == "DequantizeLinear" for dq in dqs):
            yield conv, *dqs


def _float_name(quantised: str) -> str:
    return quantised.removesuffix("_quantized")  # onnxruntime.quantization's TENSOR_NAME_QUANT_SUFFIX


def bias_defects(model, float_model) -> list[BiasDefect]:
    """Every bias channel of the QDQ ``model`` that does not hold its float value from ``float_model``: a
    zero or non-finite scale, or an int32 that is not ``round(float bias / scale)``. Empty for a sound model."""
    from onnx import numpy_helper

    inits = {t.name: t for t in model.graph.initializer}
    floats = {t.name: t for t in float_model.graph.initializer}
    defects = []
    for _conv, _x_dq, _w_dq, b_dq in _quantised_convs(model):
        name = _float_name(b_dq.input[0])
        stored = numpy_helper.to_array(inits[b_dq.input[0]]).reshape(-1)
        scale = np.broadcast_to(numpy_helper.to_array(inits[b_dq.input[1]]).reshape(-1), stored.shape)
        bias = numpy_helper.to_array(floats[name]).reshape(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            quotient = bias.astype(np.float64) / scale
            # rounded, up to the float32 arithmetic quantize_static divides with
            off = np.abs(stored - quotient) > 0.5 + np.abs(quotient) * FLOAT32_EPSILON
        bad = ~np.isfinite(scale) | (scale <= 0) | off
        defects += [BiasDefect(name, int(c), float(bias[c]), float(scale[c]), int(stored[c])) for c in np.flatnonzero(bad)]
    return defects


def fit_biases_in_int32(model, float_model) -> list[BiasDefect]:
    """Repair, in place, the int32 biases ``quantize_static`` (onnxruntime 1.19) overflowed; return what was
    wrong (``bias_defects`` before the repair).

    A QDQ convolution stores its bias as ``round(b / (x_scale * w_scale))`` in int32, where ``x_scale`` is
    its input's scale and ``w_scale`` the channel's weight scale (the largest weight / 127). EfficientNet-Lite0
    has dead channels: BatchNorm folding left weights of 1e-10..1e-8 next to a bias of about -1 (up to -7
    and +0.74). Their quotient is 1e10 or more, past int32; numpy's cast warns "invalid value encountered
    in cast" and stores -2^31, which dequantises to anything from -2.7 to -0.0 (84 channels of 26 convs,
    three of them with the sign flipped). Like onnxruntime >= 1.20, raise such a channel's weight scale
    until its bias fits in 2^30 steps: its weights, a million times smaller than its neighbours', then
    round to (almost) zero, and the bias is exact again. Scales and weights of every other channel are
    untouched.
    """
    from onnx import numpy_helper

    defects = bias_defects(model, float_model)
    if not defects:
        return defects
    broken = {(d.bias, d.channel) for d in defects}
    inits = {t.name: t for t in model.graph.initializer}
    floats = {t.name: t for t in float_model.graph.initializer}

    def replace(name: str, array: np.ndarray) -> None:
        inits[name].CopyFrom(numpy_helper.from_array(array, name))

    for _conv, x_dq, w_dq, b_dq in _quantised_convs(model):
        bias_name = _float_name(b_dq.input[0])
        channels = sorted(c for b, c in broken if b == bias_name)
        if not channels:
            continue
        x_scale = numpy_helper.to_array(inits[x_dq.input[1]]).astype(np.float32)
        if x_scale.size != 1:
            raise ValueError(f"{bias_name}: expected a per-tensor input scale, got {x_scale.size} values")
        w_q = numpy_helper.to_array(inits[w_dq.input[0]]).copy()
        w_scale = numpy_helper.to_array(inits[w_dq.input[1]]).astype(np.float32).copy()
        w_zero = numpy_helper.to_array(inits[w_dq.input[2]])
        axis = next((a.i for a in w_dq.attribute if a.name == "axis"), 1)
        if w_q.dtype != np.int8 or axis != 0 or np.any(w_zero != 0):
            raise ValueError(f"{bias_name}: expected symmetric per-output-channel int8 weights")
        weights = numpy_helper.to_array(floats[_float_name(w_dq.input[0])])
        bias = numpy_helper.to_array(floats[bias_name]).astype(np.float32)
        b_q = numpy_helper.to_array(inits[b_dq.input[0]]).copy()
        b_scale = numpy_helper.to_array(inits[b_dq.input[1]]).astype(np.float32).copy()
        for c in channels:
            w_scale[c] = max(w_scale[c], np.float32(abs(float(bias[c])) / (float(x_scale.item()) * BIAS_STEPS)))
            w_q[c] = np.clip(np.round(weights[c] / w_scale[c]), -INT8_WEIGHT_RANGE, INT8_WEIGHT_RANGE)
            b_scale[c] = np.float32(x_scale.item()) * w_scale[c]  # float32 x float32, as quantize_static computes it
            b_q[c] = np.round(np.float64(bias[c]) / np.float64(b_scale[c]))
        replace(w_dq.input[0], w_q)
        replace(w_dq.input[1], w_scale)
        replace(b_dq.input[0], b_q)
        replace(b_dq.input[1], b_scale)
    left = bias_defects(model, float_model)
    if left:
        raise ValueError(f"{len(left)} int32 biases still do not hold their float value, e.g. {left[0]}")
    return defects
