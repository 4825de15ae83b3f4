"""ModelCache: immutable content-addressed artifacts, built once, served by hash, cache hits torch-free."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import onnx
import pytest

from influx_desktop.errors import InvalidInput
from influx_desktop.models.cache import ModelCache
from influx_desktop.models.runtime import load_onnxruntime


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_feature_extractor_artifact_contract(model_cache, lite0_artifact):
    a = lite0_artifact
    assert a.path.is_file() and a.path.parent == model_cache.root / "blobs"
    assert a.sha256 == sha256(a.path) and a.bytes == a.path.stat().st_size
    assert 10_000_000 < a.bytes < 20_000_000
    model = onnx.load(str(a.path))
    assert model.ir_version <= 10
    assert [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")] == [17]
    props = {p.key: p.value for p in model.metadata_props}
    assert props["influx.backbone"] == "efficientnet_lite0" and props["influx.pretrained"] == "true"
    sess = load_onnxruntime().InferenceSession(str(a.path), providers=["CPUExecutionProvider"])
    (inp,), (out,) = sess.get_inputs(), sess.get_outputs()
    assert inp.name == "input" and inp.shape[1:] == [3, 224, 224] and not isinstance(inp.shape[0], int)
    assert out.name == "features" and out.shape[1] == 1280
    for n in (1, 3):
        (f,) = sess.run(None, {"input": np.zeros((n, 3, 224, 224), np.float32)})
        assert f.shape == (n, 1280) and f.dtype == np.float32


def test_second_call_is_a_cache_hit(model_cache, lite0_artifact):
    assert model_cache.feature_extractor("efficientnet_lite0", True) == lite0_artifact
    assert ModelCache(model_cache.root).feature_extractor("efficientnet_lite0") == lite0_artifact
    assert model_cache.artifact_by_sha256(lite0_artifact.sha256) == lite0_artifact.path


def test_cache_hits_and_inference_in_a_new_process_import_neither_torch_nor_ort_training(model_cache, lite0_artifact, head3):
    """The app serves artifacts and runs the exported backbone without torch (whose import takes seconds;
    the onnxruntime-training wheel would import it on "import onnxruntime", see models/runtime.py)."""
    code = textwrap.dedent(
        f"""
        import json, sys
        import numpy as np
        from influx_desktop.models.cache import ModelCache
        from influx_desktop.models.features import FeatureExtractor
        c = ModelCache({str(model_cache.root)!r})
        fe = c.feature_extractor("efficientnet_lite0", True)
        h = c.head_artifacts(3, 1e-3)
        assert FeatureExtractor(fe.path).extract(np.zeros((1, 3, 224, 224), np.float32)).shape == (1, 1280)
        print(json.dumps({{"fe": fe.sha256, "ckpt": h.checkpoint.sha256,
                          "mods": [m for m in ("torch", "onnxruntime.training") if m in sys.modules]}}))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=60)
    got = json.loads(out.stdout)
    assert got == {"fe": lite0_artifact.sha256, "ckpt": head3.checkpoint.sha256, "mods": []}


def test_head_artifacts_are_loadable_deduplicated_and_scale_the_learning_rate(model_cache, head3):
    for _role, art in head3.items():
        assert art.sha256 == sha256(art.path) and art.bytes == art.path.stat().st_size
        assert model_cache.artifact_by_sha256(art.sha256) == art.path
    for art in (head3.training_model, head3.eval_model, head3.optimizer_model):
        m = onnx.load(str(art.path))
        assert m.ir_version <= 10, art  # ORT 1.19 refuses IR > 10 (onnx 1.23 writes 14)
    train = onnx.load(str(head3.training_model.path))
    types = {i.name: i.type.tensor_type for i in train.graph.input}
    assert types["features"].elem_type == onnx.TensorProto.FLOAT
    assert [d.dim_value for d in types["features"].shape.dim][1] == 1280
    assert types["labels"].elem_type == onnx.TensorProto.INT64
    assert "logits" in [o.name for o in onnx.load(str(head3.eval_model.path)).graph.output]

    assert model_cache.head_artifacts(3, 0.001) == head3
    h2 = model_cache.head_artifacts(3, 1e-2)
    assert h2.optimizer_model.sha256 != head3.optimizer_model.sha256
    # The models and checkpoint do not depend on the learning rate: the same immutable files.
    assert (h2.training_model, h2.eval_model, h2.checkpoint) == (head3.training_model, head3.eval_model, head3.checkpoint)
    opt = onnx.load(str(h2.optimizer_model.path))
    mul = [n for n in opt.graph.node if n.op_type == "Mul"]
    assert len(mul) == 1 and mul[0].input[0] == "learning_rate"
    adamw = [n for n in opt.graph.node if n.op_type == "AdamWOptimizer"]
    assert adamw and adamw[0].input[0] == mul[0].output[0]
    factor = [n for n in opt.graph.node if n.op_type == "Constant" and n.output[0] == mul[0].input[1]][0]
    assert onnx.numpy_helper.to_array(factor.attribute[0].t).tolist() == pytest.approx([10.0])

    h10 = model_cache.head_artifacts(10, 1e-3)
    assert h10.training_model.sha256 != head3.training_model.sha256


def test_head_artifacts_reject_bad_settings(model_cache):
    for k, lr in ((1, 1e-3), (0, 1e-3), (2.5, 1e-3), (True, 1e-3), (3, 0), (3, -1e-3), (3, float("nan")), (3, 2.0), (3, "x")):
        with pytest.raises(InvalidInput):
            model_cache.head_artifacts(k, lr)


def test_artifact_by_sha256_only_answers_from_its_index(model_cache, lite0_artifact):
    stray = model_cache.root / "blobs" / ("ab" * 32)
    stray.write_bytes(b"not in the index")
    try:
        assert model_cache.artifact_by_sha256("ab" * 32) is None
        assert model_cache.artifact_by_sha256("0" * 64) is None
        for bad in (
            "../index.json",
            "..",
            "",
            lite0_artifact.sha256.upper(),
            lite0_artifact.sha256 + "0",
            lite0_artifact.sha256[:-1],
            "/etc/passwd",
            None,
            123,
            lite0_artifact.sha256 + "\n",
        ):
            assert model_cache.artifact_by_sha256(bad) is None
    finally:
        stray.unlink()


def test_building_is_quiet_atomic_and_recovers_from_damage(tmp_path):
    """In a fresh process: building logs no onnxruntime INFO lines; then a corrupt blob and a corrupt
    index are repaired by rebuilding; no temporary files are left behind."""
    root = tmp_path / "cache"
    code = textwrap.dedent(
        f"""
        import json, pathlib
        from influx_desktop.models.cache import ModelCache
        root = pathlib.Path({str(root)!r})
        h = ModelCache(root).head_artifacts(4, 3e-3)
        first = h.training_model.sha256
        h.checkpoint.path.write_bytes(b"garbage")                 # damaged blob
        h2 = ModelCache(root).head_artifacts(4, 3e-3)
        assert h2.checkpoint.sha256 == h.checkpoint.sha256 and h2.checkpoint.path.stat().st_size == h.checkpoint.bytes
        (root / "index.json").write_text("{{ half written")      # damaged index
        h3 = ModelCache(root).head_artifacts(4, 3e-3)
        assert h3.training_model.sha256 == first
        print(json.dumps(sorted(p.name for p in (root / "tmp").iterdir())))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=120)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
    noisy = [line for line in out.stderr.splitlines() if "[I:onnxruntime" in line or "No CUDA runtime" in line]
    assert not noisy, noisy[:3]
    assert sorted(os.listdir(root)) == [".lock", "blobs", "index.json", "tmp"]


def test_progress_is_reported_while_building(tmp_path, lite0_artifact):
    messages: list[str] = []
    cache = ModelCache(tmp_path / "c")
    art = cache.feature_extractor("efficientnet_lite0", True, progress=messages.append)
    assert art.sha256 == lite0_artifact.sha256  # the export is deterministic
    assert len(messages) >= 2 and "ready" in messages[-1]
    messages.clear()
    cache.feature_extractor("efficientnet_lite0", True, progress=messages.append)
    assert messages == []  # a cache hit has nothing to report
