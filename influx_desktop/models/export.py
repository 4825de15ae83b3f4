"""Export the global model (backbone + trained head) as one self-contained ONNX file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from influx_desktop.errors import InvalidInput
from influx_desktop.models import head as head_mod


def export_global_model(
    feature_extractor_path: Path | str,
    parameters: np.ndarray,
    num_classes: int,
    class_names: list[str],
) -> bytes:
    """``"input"`` [N,3,S,S] -> ``"logits"`` [N,K] and ``"probabilities"`` [N,K] (softmax).

    The backbone graph is copied unchanged; the head is a Gemm (transB=1) whose W and b are initialisers.
    Class names (JSON list) and K go into metadata_props. Runs in a plain onnxruntime.InferenceSession.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    if len(class_names) != num_classes:
        raise InvalidInput(f"{len(class_names)} class names for {num_classes} classes.", field="classes")
    model = onnx.load(str(feature_extractor_path))
    graph = model.graph
    feat_out = [o for o in graph.output if o.name == "features"]
    if not feat_out:
        raise InvalidInput("The feature extractor has no 'features' output.", field="feature_extractor")
    dims = feat_out[0].type.tensor_type.shape.dim
    feature_dim = dims[1].dim_value if len(dims) == 2 and dims[1].dim_value else head_mod.FEATURE_DIM
    w, b = head_mod.split(parameters, num_classes, feature_dim)

    names = {n for node in graph.node for n in node.output} | {i.name for i in graph.initializer}
    wn, bn = "influx_head_weight", "influx_head_bias"
    assert wn not in names and bn not in names
    graph.initializer.extend([numpy_helper.from_array(np.array(w), wn), numpy_helper.from_array(np.array(b), bn)])
    graph.node.extend(
        [
            helper.make_node("Gemm", ["features", wn, bn], ["logits"], transB=1, name="influx_head"),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1, name="influx_softmax"),
        ]
    )
    del graph.output[:]
    graph.output.extend(
        [
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", num_classes]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", num_classes]),
        ]
    )
    props = {p.key: p.value for p in model.metadata_props}
    props.update({"influx.class_names": json.dumps(list(class_names)), "influx.num_classes": str(num_classes)})
    del model.metadata_props[:]
    for k, v in props.items():
        model.metadata_props.add(key=k, value=v)
    model.producer_name = "influx-desktop"
    onnx.checker.check_model(model)
    return model.SerializeToString()
