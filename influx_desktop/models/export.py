"""Export the global model (backbone + trained head) as one self-contained ONNX file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from influx_desktop.errors import InvalidInput
from influx_desktop.models import head as head_mod


def export_global_model(
    feature_extractor_path: Path | str, parameters: np.ndarray, num_classes: int, class_names: list[str], heatmap: bool = False
) -> bytes:
    """``"input"`` [N,3,S,S] -> ``"logits"`` [N,K] and ``"probabilities"`` [N,K] (softmax).

    The backbone graph is copied unchanged; the head is a Gemm (transB=1) whose W and b are initialisers.
    Class names (JSON list) and K go into metadata_props. Runs in a plain onnxruntime.InferenceSession.

    ``heatmap``: a third output ``"heatmap"`` [N,K,h,w], every class's activation map over the backbone's
    feature map (``cam.py``: a 1×1 Conv with the head's W and bias b/(h·w)); the feature map output is
    added to the backbone copy first when the extractor has none (``feature_map.py``).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from influx_desktop.models.cam import spread_bias
    from influx_desktop.models.feature_map import FEATURE_MAP_NAME, add_feature_map_output

    if len(class_names) != num_classes:
        raise InvalidInput("{names} class names for {n} classes.", field="classes", names=len(class_names), n=num_classes)
    model = onnx.load(str(feature_extractor_path))
    graph = model.graph
    feat_out = [o for o in graph.output if o.name == "features"]
    if not feat_out:
        raise InvalidInput("The feature extractor has no 'features' output.", field="feature_extractor")
    dims = feat_out[0].type.tensor_type.shape.dim
    feature_dim = dims[1].dim_value if len(dims) == 2 and dims[1].dim_value else head_mod.FEATURE_DIM
    w, b = head_mod.split(parameters, num_classes, feature_dim)
    if heatmap:
        add_feature_map_output(model)
        map_dims = next(o for o in graph.output if o.name == FEATURE_MAP_NAME).type.tensor_type.shape.dim
        h, w_cells = map_dims[2].dim_value, map_dims[3].dim_value
        if not (h and w_cells):
            raise InvalidInput("The feature extractor's feature map has no fixed size.", field="feature_extractor")

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
    outputs = [
        helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", num_classes]),
        helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", num_classes]),
    ]
    if heatmap:
        cw, cb = "influx_heatmap_weight", "influx_heatmap_bias"
        assert cw not in names and cb not in names
        graph.initializer.extend(
            [
                numpy_helper.from_array(np.ascontiguousarray(w).reshape(num_classes, feature_dim, 1, 1), cw),
                numpy_helper.from_array(spread_bias(b, h * w_cells), cb),
            ]
        )
        graph.node.append(
            helper.make_node("Conv", [FEATURE_MAP_NAME, cw, cb], ["heatmap"], kernel_shape=[1, 1], name="influx_heatmap")
        )
        outputs.append(helper.make_tensor_value_info("heatmap", TensorProto.FLOAT, ["N", num_classes, h, w_cells]))
    del graph.output[:]
    graph.output.extend(outputs)
    props = {p.key: p.value for p in model.metadata_props}
    props.update({"influx.class_names": json.dumps(list(class_names)), "influx.num_classes": str(num_classes)})
    del model.metadata_props[:]
    for k, v in props.items():
        model.metadata_props.add(key=k, value=v)
    model.producer_name = "influx-desktop"
    onnx.checker.check_model(model)
    return model.SerializeToString()
