"""A feature extractor that also returns its unpooled feature map, for class activation maps (issue 16).

The backbones end in ``GlobalAveragePool`` over the last feature map ``F`` ``[N,D,h,w]`` (``[N,1280,7,7]``
for a 224 px input) and then flatten it to ``"features"`` ``[N,D]``. ``add_feature_map_output`` exposes
``F`` as a second graph output, ``"feature_map"``, without touching any node the pooled features come
from: a float32 model gets one ``Identity`` on the pool's input; an int8 QDQ model gets its own copy of
the ``DequantizeLinear`` that feeds the pool (so onnxruntime still fuses the original one into the
quantised pool). The pooled ``"features"`` stay bit-identical to the model's without the output
(``tests/models/test_models_feature_map.py``), so cached features and running sessions keep working.

It is graph surgery on the exported file, not a second torch export: the frozen app (no torch) derives it
from its bundled extractor, and the int8 variant gets it from the int8 model itself, whose calibration
never sees the extra output. Needs onnx and onnxruntime (for the map's size), never torch.
"""

from __future__ import annotations

from pathlib import Path

FEATURES_NAME = "features"
FEATURE_MAP_NAME = "feature_map"
#: Metadata key naming the feature-map output (absent in extractors made before issue 16).
FEATURE_MAP_META = "influx.feature_map"

_PASS_THROUGH = {"Flatten", "Reshape", "Squeeze", "QuantizeLinear", "DequantizeLinear", "Identity"}


def _pool_input(model) -> str:
    """The name of the tensor the global average pool behind ``"features"`` averages."""
    producer = {out: node for node in model.graph.node for out in node.output}
    name = FEATURES_NAME
    for _ in range(16):
        node = producer.get(name)
        if node is None:
            break
        if node.op_type == "GlobalAveragePool":
            return node.input[0]
        if node.op_type not in _PASS_THROUGH:
            break
        name = node.input[0]
    raise ValueError("The feature extractor's 'features' do not come from a global average pool.")


def has_feature_map(model) -> bool:
    return any(o.name == FEATURE_MAP_NAME for o in model.graph.output)


def add_feature_map_output(model) -> None:
    """Add the ``"feature_map"`` output ``[N,D,h,w]`` (float32, NCHW) to an extractor ``ModelProto``, in place.

    Nothing happens when it already has one.
    """
    import onnx
    from onnx import TensorProto, helper

    if has_feature_map(model):
        return
    graph = model.graph
    source = _pool_input(model)
    producer = {out: node for node in graph.node for out in node.output}.get(source)
    if producer is not None and producer.op_type == "DequantizeLinear":
        node = helper.make_node(
            "DequantizeLinear",
            list(producer.input),
            [FEATURE_MAP_NAME],
            name="influx_feature_map",
            **{a.name: helper.get_attribute_value(a) for a in producer.attribute},
        )
    else:
        node = helper.make_node("Identity", [source], [FEATURE_MAP_NAME], name="influx_feature_map")
    # After the pool's input is computed, so the graph stays topologically sorted.
    position = max((i for i, n in enumerate(graph.node) if source in n.output), default=-1) + 1
    graph.node.insert(position, node)

    features = next(o for o in graph.output if o.name == FEATURES_NAME)
    batch, depth = (features.type.tensor_type.shape.dim[i] for i in (0, 1))
    graph.output.append(
        helper.make_tensor_value_info(
            FEATURE_MAP_NAME,
            TensorProto.FLOAT,
            [batch.dim_param or batch.dim_value or "N", depth.dim_value or depth.dim_param or "D", "H", "W"],
        )
    )
    height, width = _spatial_size(model)
    dims = graph.output[-1].type.tensor_type.shape.dim
    for dim, size in zip(dims[2:], (height, width)):
        dim.Clear()
        dim.dim_value = size
    props = {p.key: p.value for p in model.metadata_props}
    props[FEATURE_MAP_META] = FEATURE_MAP_NAME
    del model.metadata_props[:]
    for key, value in props.items():
        model.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(model)


def _spatial_size(model) -> tuple[int, int]:
    """``(h, w)`` of the feature map for the model's fixed input size. onnx's shape inference loses them at
    the backbones' computed ``Pad``s, so this asks onnxruntime, running one blank image if it must."""
    import numpy as np

    from influx_desktop.models.runtime import load_onnxruntime

    ort = load_onnxruntime()
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model.SerializeToString(), sess_options=opts, providers=["CPUExecutionProvider"])
    shape = next(o.shape for o in session.get_outputs() if o.name == FEATURE_MAP_NAME)
    if all(isinstance(d, int) for d in shape[2:]):
        return int(shape[2]), int(shape[3])
    inp = session.get_inputs()[0]
    if not all(isinstance(d, int) for d in inp.shape[1:]):
        raise ValueError("The feature extractor's input has no fixed size, so its feature map has none either.")
    blank = np.zeros([1, *inp.shape[1:]], np.float32)
    out = session.run([FEATURE_MAP_NAME], {inp.name: blank})[0]
    return int(out.shape[2]), int(out.shape[3])


def write_with_feature_map(src: Path | str, out: Path | str) -> None:
    """Copy the extractor at ``src`` to ``out`` with the ``"feature_map"`` output added."""
    import onnx

    model = onnx.load(str(src))
    add_feature_map_output(model)
    onnx.save(model, str(out))
