"""The InFL-UX seed's way of doing things, rebuilt from the paper's description, as the benchmarks' baseline.

The seed (Maurer & Eiletz 2025, arXiv 2503.04318) trains MobileNetV2 in the browser with ORT-web's
TrainingSession over the *whole* network: the backbone is frozen and only the classifier is trainable,
but every training step pushes the images through all of MobileNetV2 (forward and the backward pass the
graph needs). After each client update the server writes the new classifier into the ONNX model and
regenerates the ORT training artifacts from it, inside the update request; clients send their parameters
as a JSON list of floats.

Here:

- ``export_seed_model`` exports ``mobilenet_v2`` from this project's backbone registry with
  ``pretrained=False`` (these machines have no internet, so torchvision cannot fetch the ImageNet weights;
  the graph, and so every cost measured here, is the same with either weights) plus the classifier
  ``Linear(1280 -> K)``; eval mode, opset 17, dynamic batch. ``--quick`` runs use a tiny stand-in CNN.
- ``generate_seed_artifacts`` builds ORT training artifacts of that graph with only the classifier
  trainable (CrossEntropyLoss, AdamW), with the IR-version fix any ORT-web 1.19 client needs.
- ``SeedServer`` / ``make_seed_blueprint``: ``POST /seed/update`` takes ``{"parameters": [floats],
  "base_version": int, "sample_count": int}``, mixes it into the global classifier FedAsync-style,
  rewrites the ONNX model file with the new classifier and regenerates the artifacts, all before it
  answers. The files are shared, so a lock serialises that work (two requests rewriting the same files
  at once would corrupt them). ``GET /seed/artifacts/<name>`` serves the files as Flask does by default
  (uncompressed); ``GET /seed/model`` returns the classifier as JSON.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import warnings
from pathlib import Path

import numpy as np

from influx_desktop.models.runtime import IR_VERSION

CLASSIFIER_WEIGHT = "classifier.weight"
CLASSIFIER_BIAS = "classifier.bias"
FILES = ("training_model.onnx", "eval_model.onnx", "optimizer_model.onnx", "checkpoint")


def _torch():
    from influx_desktop.models.runtime import import_torch_quietly

    import_torch_quietly()
    import torch

    return torch


def build_seed_module(num_classes: int, quick: bool = False):
    """MobileNetV2 (random init, the registry's ``mobilenet_v2`` backbone) + Linear(1280 -> K); quick: tiny CNN."""
    torch = _torch()

    if quick:
        torch.manual_seed(0)
        body = torch.nn.Sequential(
            torch.nn.Conv2d(3, 32, 8, stride=8), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten()
        )
        dim = 32
    else:
        from influx_desktop.models.backbones import get_backbone

        backbone = get_backbone("mobilenet_v2")
        body = backbone.build(False)  # pretrained=False: no internet here; same graph, same cost
        dim = backbone.feature_dim

    class SeedNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = body
            self.classifier = torch.nn.Linear(dim, num_classes)

        def forward(self, x):
            return self.classifier(self.body(x))

    torch.manual_seed(1)
    return SeedNet().eval(), dim


def export_seed_model(path: Path, num_classes: int, quick: bool = False) -> tuple[Path, int]:
    """Export the seed's full network to ``path`` (ONNX, input ``"input"`` -> ``"logits"``); returns (path, D)."""
    import onnx

    torch = _torch()
    module, dim = build_seed_module(num_classes, quick)
    size = 32 if quick else 224
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (torch.zeros(1, 3, size, size),),
            str(path),
            dynamo=False,
            opset_version=17,
            input_names=["input"],
            output_names=["logits"],
            dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
            do_constant_folding=True,
        )
    model = onnx.load(str(path))
    names = {i.name for i in model.graph.initializer}
    if not {CLASSIFIER_WEIGHT, CLASSIFIER_BIAS} <= names:
        raise RuntimeError(f"the exported seed model lost its classifier initialisers: {sorted(names)[-5:]}")
    model.ir_version = min(model.ir_version, IR_VERSION)
    onnx.save(model, str(path))
    return path, dim


def generate_seed_artifacts(model, out_dir: Path) -> None:
    """ORT training artifacts of the full graph, only the classifier trainable (what the seed regenerates)."""
    import onnx

    from influx_desktop.models.head_artifacts import artifact_generation  # quiet, deterministic, process-wide lock

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    trainable = [CLASSIFIER_WEIGHT, CLASSIFIER_BIAS]
    frozen = [i.name for i in model.graph.initializer if i.name not in trainable]
    with warnings.catch_warnings(), artifact_generation():
        warnings.simplefilter("ignore")
        from onnxruntime.training import artifacts

        artifacts.generate_artifacts(
            model,
            requires_grad=trainable,
            frozen_params=frozen,
            loss=artifacts.LossType.CrossEntropyLoss,
            optimizer=artifacts.OptimType.AdamW,
            artifact_directory=str(out_dir),
            additional_output_names=["logits"],
        )
    for name in ("training_model.onnx", "eval_model.onnx", "optimizer_model.onnx"):
        m = onnx.load(str(out_dir / name))
        if m.ir_version > IR_VERSION:  # ORT(-web) 1.19 refuses the IR 14 onnx 1.23 writes
            m.ir_version = IR_VERSION
            onnx.save(m, str(out_dir / name))


class SeedServer:
    """The seed's server state: one ONNX model file, its training artifacts, a version counter."""

    def __init__(self, workdir: Path, num_classes: int, quick: bool = False, alpha: float = 0.6, a: float = 0.5) -> None:
        import onnx
        from onnx import numpy_helper

        self.workdir = Path(workdir)
        self.model_path, self.feature_dim = export_seed_model(self.workdir / "model.onnx", num_classes, quick)
        self.artifact_dir = self.workdir / "artifacts"
        self.num_classes = num_classes
        self.input_size = 32 if quick else 224
        self.alpha, self.a = alpha, a
        self.lock = threading.Lock()
        model = onnx.load(str(self.model_path))
        init = {i.name: i for i in model.graph.initializer}
        self.weight = numpy_helper.to_array(init[CLASSIFIER_WEIGHT]).astype(np.float32)
        self.bias = numpy_helper.to_array(init[CLASSIFIER_BIAS]).astype(np.float32)
        self.version = 0
        generate_seed_artifacts(model, self.artifact_dir)
        self.regenerations: list[float] = []

    @property
    def parameter_count(self) -> int:
        return self.weight.size + self.bias.size

    def parameters(self) -> np.ndarray:
        return np.concatenate([self.weight.ravel(), self.bias])

    def handle_update(self, payload: dict) -> dict:
        """Everything the seed does between receiving an update and answering it."""
        import onnx
        from onnx import numpy_helper

        client = np.asarray(payload["parameters"], dtype=np.float32)
        if client.size != self.parameter_count or not np.all(np.isfinite(client)):
            raise ValueError(f"expected {self.parameter_count} finite floats, got {client.size}")
        base_version = int(payload["base_version"])
        with self.lock:
            staleness = max(0, self.version - base_version)
            weight = self.alpha * (staleness + 1) ** -self.a
            mixed = (1 - weight) * self.parameters() + weight * client
            k, d = self.weight.shape
            self.weight = mixed[: k * d].reshape(k, d).astype(np.float32)
            self.bias = mixed[k * d :].astype(np.float32)
            t0 = time.perf_counter()
            # Rewrite the ONNX model with the new classifier ...
            model = onnx.load(str(self.model_path))
            for init in model.graph.initializer:
                if init.name == CLASSIFIER_WEIGHT:
                    init.CopyFrom(numpy_helper.from_array(self.weight, CLASSIFIER_WEIGHT))
                elif init.name == CLASSIFIER_BIAS:
                    init.CopyFrom(numpy_helper.from_array(self.bias, CLASSIFIER_BIAS))
            onnx.save(model, str(self.model_path))
            # ... and regenerate the training artifacts from it for the next client.
            tmp = self.workdir / "artifacts.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            generate_seed_artifacts(model, tmp)
            shutil.rmtree(self.artifact_dir, ignore_errors=True)
            tmp.rename(self.artifact_dir)
            self.regenerations.append(time.perf_counter() - t0)
            self.version += 1
            return {"accepted": True, "version": self.version, "staleness": staleness, "weight": weight}

    def file_bytes(self) -> dict[str, int]:
        return {name: (self.artifact_dir / name).stat().st_size for name in FILES}


def make_seed_blueprint(seed: SeedServer):
    from flask import Blueprint, Response, abort, jsonify, request

    bp = Blueprint("seed", __name__, url_prefix="/seed")

    @bp.post("/update")
    def update():
        payload = request.get_json(force=True)
        try:
            return jsonify(seed.handle_update(payload))
        except (KeyError, TypeError, ValueError) as exc:
            return jsonify({"error": str(exc)}), 400

    @bp.get("/model")
    def model():
        return jsonify({"version": seed.version, "parameters": seed.parameters().tolist()})

    @bp.get("/artifacts/<name>")
    def artifact(name: str):
        if name not in FILES:
            abort(404)
        with seed.lock:  # not while it is being rewritten
            data = (seed.artifact_dir / name).read_bytes()
        return Response(data, mimetype="application/octet-stream", headers={"Cache-Control": "no-cache"})

    @bp.get("/info")
    def info():
        return jsonify(
            {
                "num_classes": seed.num_classes,
                "feature_dim": seed.feature_dim,
                "input_size": seed.input_size,
                "parameter_count": seed.parameter_count,
                "files": seed.file_bytes(),
            }
        )

    return bp


def make_seed_app(seed: SeedServer):
    from flask import Flask

    app = Flask("bench_seed")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024 * 1024
    app.register_blueprint(make_seed_blueprint(seed))
    return app


if __name__ == "__main__":  # a smoke check: one update through the seed's route logic
    import tempfile

    s = SeedServer(Path(tempfile.mkdtemp()), 4, quick=True)
    print(json.dumps(s.handle_update({"parameters": s.parameters().tolist(), "base_version": 0, "sample_count": 1})))
