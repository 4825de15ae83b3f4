"""ORT training artifacts for the head ``Linear(feature_dim -> K)``: what ORT-web's TrainingSession loads.

``build_head_artifacts`` writes ``training_model.onnx``, ``eval_model.onnx``, ``optimizer_model.onnx`` and
``checkpoint`` with onnxruntime.training's ``generate_artifacts`` (AdamW, a masked softmax cross-entropy),
and then rewrites two things ORT-web cannot do itself:

- every generated model gets IR version ``runtime.IR_VERSION`` (onnx 1.23 writes 14; ORT 1.19 refuses > 10);
- ORT-web has no setLearningRate and always feeds 1e-3 (``BASE_LEARNING_RATE``): the optimizer model
  multiplies its ``learning_rate`` input by ``learning_rate / BASE_LEARNING_RATE`` (``_scale_learning_rate``),
  so the configured rate is the one applied.

The files depend only on (feature_dim, K, learning rate, ``HEAD_FORMAT``): ``head_key`` names them in the
cache. No torch: ``runtime.import_training_artifacts`` skips the torch imports of onnxruntime.training.
"""

from __future__ import annotations

import contextlib
import math
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from influx_desktop.errors import InvalidInput, ModelUnavailable
from influx_desktop.models.blob_store import Artifact
from influx_desktop.models.head import BIAS_NAME, LOGIT_OFFSET_NAME, WEIGHT_NAME
from influx_desktop.models.runtime import IR_VERSION, OPSET, import_training_artifacts, quiet_onnxruntime

#: The learning rate ORT-web's optimizer always feeds (it has no setLearningRate). The optimizer model
#: multiplies it by ``learning_rate / BASE_LEARNING_RATE`` so the effective rate is the configured one.
BASE_LEARNING_RATE = 1e-3
#: The head training graph's format, part of its cache key: 2 added the ``logit_offset`` input (masked softmax).
HEAD_FORMAT = 2
HEAD_ROLES = ("training_model", "eval_model", "optimizer_model", "checkpoint")
HEAD_FILES = {
    "training_model": "training_model.onnx",
    "eval_model": "eval_model.onnx",
    "optimizer_model": "optimizer_model.onnx",
    "checkpoint": "checkpoint",
}


@dataclass(frozen=True)
class HeadArtifacts:
    training_model: Artifact
    eval_model: Artifact
    optimizer_model: Artifact
    checkpoint: Artifact

    def items(self) -> list[tuple[str, Artifact]]:
        return [(role, getattr(self, role)) for role in HEAD_ROLES]


def head_key(num_classes: int, learning_rate: float, feature_dim: int) -> tuple[str, float]:
    """The cache key of these settings and the learning rate as a float; InvalidInput for bad settings."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise InvalidInput("The number of classes must be an integer of at least 2, got {n!r}.", field="classes", n=num_classes)
    try:
        lr = float(learning_rate)
    except (TypeError, ValueError):
        lr = float("nan")
    if not math.isfinite(lr) or not 0.0 < lr <= 1.0:
        raise InvalidInput(
            "The learning rate must be a number in (0, 1], got {rate!r}.", field="learning_rate", rate=learning_rate
        )
    if isinstance(feature_dim, bool) or not isinstance(feature_dim, int) or feature_dim < 1:
        raise InvalidInput("Bad feature dimension {dim!r}.", field="feature_dim", dim=feature_dim)
    return f"d{feature_dim}-k{num_classes}-lr{lr!r}-f{HEAD_FORMAT}", lr


_GENERATION_LOCK = threading.Lock()  # the patches below are process-global


@contextlib.contextmanager
def artifact_generation() -> Iterator[None]:
    """Make generate_artifacts quiet and deterministic.

    - It optimises the graph with a fresh SessionOptions whose logger prints one INFO line per graph
      transformer, whatever the default severity: hand it options with severity ERROR.
    - It names generated values from a process-global counter (``onnx::loss::<n>``), so the same head
      built later in a process would get other names and another hash: restart the counter.
    """
    quiet_onnxruntime()
    import_training_artifacts()  # no torch: see runtime.py
    from onnxruntime.training.onnxblock import _graph_utils, _training_graph_utils as tgu

    with _GENERATION_LOCK:
        _graph_utils._GRAPH_TOKEN = 0
        original = tgu.SessionOptions

        def quiet_options():
            opts = original()
            opts.log_severity_level = 3
            return opts

        tgu.SessionOptions = quiet_options
        try:
            yield
        finally:
            tgu.SessionOptions = original


def build_head_artifacts(workdir: Path, num_classes: int, lr: float, feature_dim: int) -> dict[str, Path]:
    """Write the head's four files into ``workdir``; returns their paths by role.

    ``training_model.onnx`` takes ``features`` [N, feature_dim], ``labels`` [N] (int64) and ``logit_offset``
    [K], added to the logits before the softmax cross-entropy (``_masked_cross_entropy``); so does the eval
    model, which also returns ``logits``.
    """
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    quiet_onnxruntime()
    ort_artifacts = import_training_artifacts()  # torch-free, see runtime.py

    k = num_classes
    # Zero-valued initialisers: the real values always arrive through loadParametersBuffer.
    head = helper.make_graph(
        [helper.make_node("Gemm", ["features", WEIGHT_NAME, BIAS_NAME], ["logits"], transB=1)],
        "influx_head",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", feature_dim])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", k])],
        [
            numpy_helper.from_array(np.zeros((k, feature_dim), np.float32), WEIGHT_NAME),
            numpy_helper.from_array(np.zeros((k,), np.float32), BIAS_NAME),
        ],
    )
    model = helper.make_model(head, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="influx-desktop")
    model.ir_version = IR_VERSION

    with warnings.catch_warnings(), artifact_generation():
        warnings.simplefilter("ignore")
        ort_artifacts.generate_artifacts(
            model,
            requires_grad=[WEIGHT_NAME, BIAS_NAME],
            frozen_params=[],
            loss=_masked_cross_entropy(k),
            optimizer=ort_artifacts.OptimType.AdamW,
            artifact_directory=str(workdir),
            additional_output_names=["logits"],
        )
    for role in ("training_model", "eval_model", "optimizer_model"):
        path = workdir / HEAD_FILES[role]
        m = onnx.load(str(path))
        m.ir_version = min(m.ir_version, IR_VERSION)
        if role == "optimizer_model":
            _scale_learning_rate(m, lr / BASE_LEARNING_RATE)
            m.metadata_props.add(key="influx.learning_rate", value=repr(lr))
            m.metadata_props.add(key="influx.base_learning_rate", value=repr(BASE_LEARNING_RATE))
        onnx.save(m, str(path))
    return {role: workdir / HEAD_FILES[role] for role in HEAD_ROLES}


def _masked_cross_entropy(num_classes: int):
    """The loss block: ``SoftmaxCrossEntropyLoss(logits + logit_offset, labels)``, mean over the batch.

    ``logit_offset`` [K] is a graph input after ``labels``. A participant feeds 0 for the classes in its
    training data and ``head.ABSENT_CLASS_OFFSET`` (−10000) for the others: their softmax probability is
    then exactly 0, so the rows of classes it has no photos of get exactly zero gradient and AdamW leaves
    them as they came. Local training on two classes no longer pushes the other classes' logits down.
    """
    from onnx import TensorProto, helper
    from onnxruntime.training import onnxblock
    from onnxruntime.training.onnxblock import _graph_utils

    class MaskedCrossEntropy(onnxblock.Block):
        def build(self, scores_input_name: str, labels_name: str = "labels") -> str:
            graph = self.base.graph
            graph.input.append(helper.make_tensor_value_info(labels_name, TensorProto.INT64, ["N"]))
            graph.input.append(helper.make_tensor_value_info(LOGIT_OFFSET_NAME, TensorProto.FLOAT, [num_classes]))
            masked = _graph_utils.generate_graph_name("influx_masked_logits")
            loss = _graph_utils.generate_graph_name("loss")
            log_prob = _graph_utils.generate_graph_name("log_prob")
            graph.node.append(
                helper.make_node(
                    "Add",
                    [scores_input_name, LOGIT_OFFSET_NAME],
                    [masked],
                    name=_graph_utils.generate_graph_name("influx_logit_offset"),
                )
            )
            graph.node.append(
                helper.make_node(
                    "SoftmaxCrossEntropyLoss",
                    [masked, labels_name],
                    [loss, log_prob],
                    reduction="mean",
                    name=_graph_utils.generate_graph_name("SoftmaxCrossEntropyLoss"),
                )
            )
            return loss

    return MaskedCrossEntropy()


def _scale_learning_rate(model, factor: float) -> None:
    """Insert ``learning_rate_scaled = Mul(learning_rate, factor)`` before the optimizer node(s)."""
    import numpy as np
    from onnx import helper, numpy_helper

    graph = model.graph
    if "learning_rate" not in [i.name for i in graph.input]:
        raise ModelUnavailable("The generated optimizer model has no 'learning_rate' input.")
    scaled = "influx_learning_rate_scaled"
    consumers = 0
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name == "learning_rate":
                node.input[i] = scaled
                consumers += 1
    if consumers == 0:
        raise ModelUnavailable("Nothing in the generated optimizer model reads 'learning_rate'.")
    factor_const = helper.make_node(
        "Constant",
        [],
        ["influx_learning_rate_factor"],
        value=numpy_helper.from_array(np.array([factor], dtype=np.float32), "influx_learning_rate_factor"),
    )
    mul = helper.make_node("Mul", ["learning_rate", "influx_learning_rate_factor"], [scaled], name="influx_learning_rate_mul")
    nodes = [factor_const, mul, *graph.node]
    del graph.node[:]
    graph.node.extend(nodes)
