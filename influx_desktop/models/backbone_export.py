"""A backbone from the registry exported to ONNX: the feature extractor every browser downloads.

``export_backbone`` is the only place in the app that runs torch (imported inside the function, never at
import time): ``torch.onnx.export(..., dynamo=False, opset_version=17)`` in eval mode with a dynamic batch
axis, IR version lowered to what ORT(-web) 1.19 reads, and the preprocessing the browser must apply
written into the model's metadata (``influx.*``). ``cache.py`` decides when to call it and stores the file.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

from influx_desktop.errors import ModelUnavailable, Text
from influx_desktop.models.backbones import Backbone
from influx_desktop.models.runtime import IR_VERSION, OPSET, import_torch_quietly


def export_backbone(backbone: Backbone, pretrained: bool, out: Path, say: Callable[[str], None]) -> None:
    """Write ``backbone`` to ``out``: input ``"input"`` [N,3,S,S] -> ``"features"`` [N,D].

    Raises ImportError where torch is absent (the frozen app; the caller knows what else to offer),
    ModelUnavailable when the weights cannot be loaded or the export fails.
    """
    import onnx

    import_torch_quietly()
    import torch

    say(Text("Loading weights…"))
    module = backbone.build(pretrained)  # raises ModelUnavailable with an actionable message
    module.eval()
    s = backbone.input_size
    dummy = torch.zeros(1, 3, s, s, dtype=torch.float32)
    try:
        say(Text("Exporting to ONNX…"))
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module,
                (dummy,),
                str(out),
                dynamo=False,
                opset_version=OPSET,
                input_names=["input"],
                output_names=["features"],
                dynamic_axes={"input": {0: "N"}, "features": {0: "N"}},
                do_constant_folding=True,
            )
        model = onnx.load(str(out))
        if model.ir_version > IR_VERSION:
            model.ir_version = IR_VERSION
        meta = {
            "influx.backbone": backbone.name,
            "influx.pretrained": "true" if pretrained else "false",
            "influx.input_size": str(s),
            "influx.mean": json.dumps(list(backbone.mean)),
            "influx.std": json.dumps(list(backbone.std)),
            "influx.feature_dim": str(backbone.feature_dim),
        }
        del model.metadata_props[:]
        for k, v in meta.items():
            model.metadata_props.add(key=k, value=v)
        onnx.save(model, str(out))
    except Exception as exc:
        raise ModelUnavailable(
            "Exporting the backbone {name!r} failed: {error}", field="backbone", name=backbone.name, error=str(exc)
        ) from exc
