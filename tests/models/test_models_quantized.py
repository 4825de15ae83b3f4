"""The int8 feature extractor (``ModelCache.feature_extractor(..., quantized=True)``), on real images.

It is built from the float32 artifact once, indexed under its own key, made the same way every time (the
browser caches artifacts by hash), and good enough to replace the float32 model: features close to the
float32 ones on Fashion-MNIST, and a head trained on them about as accurate on held-out images.
(The torch-free build is checked in tests/packaging/test_torch_free_models.py.)
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import onnx
import pytest
from fashion_mnist import load_fashion_mnist

from influx_desktop.models import head
from influx_desktop.models.backbones import get_backbone
from influx_desktop.models.cache import ModelCache
from influx_desktop.models.images import preprocess_batch
from influx_desktop.models.local_training import train_head

KEY = "efficientnet_lite0:pretrained:int8"


def test_int8_variant_is_built_under_its_own_key_with_its_metadata(model_cache, lite0_artifact, int8_artifact):
    index = json.loads((model_cache.root / "index.json").read_text())
    assert index["feature_extractors"][KEY]["sha256"] == int8_artifact.sha256
    assert index["feature_extractors"]["efficientnet_lite0:pretrained"]["sha256"] == lite0_artifact.sha256
    assert int8_artifact.sha256 != lite0_artifact.sha256
    # The benchmark's 13.5 MB -> 3.78 MB (3.6x): anything above a third would not be the QDQ model.
    assert int8_artifact.bytes < lite0_artifact.bytes / 3, (int8_artifact.bytes, lite0_artifact.bytes)
    model = onnx.load(str(int8_artifact.path))
    assert model.ir_version <= 10  # ORT-web 1.19.2 refuses newer
    meta = {p.key: p.value for p in model.metadata_props}
    source = {p.key: p.value for p in onnx.load(str(lite0_artifact.path)).metadata_props}
    assert meta["influx.quantized"] == "int8-qdq"
    assert {k: v for k, v in meta.items() if k in source} == source  # every influx.* of the float32 model
    ops = {n.op_type for n in model.graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    assert [i.name for i in model.graph.input] == ["input"] and [o.name for o in model.graph.output] == ["features"]
    assert model_cache.artifact_by_sha256(int8_artifact.sha256) == int8_artifact.path


def test_second_call_is_a_cache_hit(model_cache, int8_artifact, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the int8 model should have come from the cache")

    monkeypatch.setattr(model_cache, "_quantize", refuse)
    monkeypatch.setattr(model_cache, "_export_backbone", refuse)
    again = model_cache.feature_extractor("efficientnet_lite0", True, progress=refuse, quantized=True)
    assert again == int8_artifact
    # A fresh cache object on the same folder (another process, a restart) finds it too.
    other = ModelCache(model_cache.root, bundled=None)
    monkeypatch.setattr(other, "_quantize", refuse)
    assert other.feature_extractor("efficientnet_lite0", True, quantized=True).sha256 == int8_artifact.sha256


def _bundle_float32_only(directory, artifact) -> None:
    """A prebuilt folder (ModelCache layout) that ships the float32 model only."""
    (directory / "blobs").mkdir(parents=True)
    shutil.copyfile(artifact.path, directory / "blobs" / artifact.path.name)
    entry = {"sha256": artifact.sha256, "bytes": artifact.bytes, "file": artifact.path.name}
    index = {"version": 1, "feature_extractors": {"efficientnet_lite0:pretrained": entry}, "heads": {}}
    (directory / "index.json").write_text(json.dumps(index))


def test_built_from_a_bundled_float32_model_into_the_own_folder_with_the_same_bytes(
    tmp_path, lite0_artifact, int8_artifact, monkeypatch
):
    """The frozen app's case: float32 shipped read-only, int8 made at first use. Same bytes every build."""
    _bundle_float32_only(tmp_path / "prebuilt", lite0_artifact)
    own = ModelCache(tmp_path / "own", bundled=tmp_path / "prebuilt")
    monkeypatch.setattr(own, "_export_backbone", lambda *_a: pytest.fail("the bundled float32 model should be used"))
    messages: list[str] = []
    art = own.feature_extractor("efficientnet_lite0", True, progress=messages.append, quantized=True)
    assert art.path.parent == tmp_path / "own" / "blobs"
    assert art.sha256 == int8_artifact.sha256  # deterministic: the synthetic calibration has a fixed seed
    assert any("int8" in m for m in messages)
    assert json.loads((tmp_path / "own" / "index.json").read_text())["feature_extractors"].keys() == {KEY}


def test_int8_features_are_close_to_the_float32_ones_on_real_images(fmnist, lite0_extractor, int8_extractor):
    backbone = get_backbone("efficientnet_lite0")
    images, _ = fmnist["test"]
    x = preprocess_batch(images, backbone)
    f32, f8 = lite0_extractor.extract(x), int8_extractor.extract(x)
    assert f8.shape == f32.shape and f8.dtype == np.float32
    cosine = np.sum(f32 * f8, axis=1) / (np.linalg.norm(f32, axis=1) * np.linalg.norm(f8, axis=1))
    # The benchmark's median was 0.978 (1,000 images); here median ~0.975, the worst image ~0.94.
    assert float(np.median(cosine)) >= 0.95, np.median(cosine)
    assert float(np.min(cosine)) >= 0.90, np.sort(cosine)[:5]


def test_a_head_trained_on_int8_features_is_as_accurate_on_held_out_images(model_cache, lite0_extractor, int8_extractor):
    """All 10 Fashion-MNIST classes, 20 training and 30 held-out images each: within 2 points of float32."""
    backbone = get_backbone("efficientnet_lite0")
    classes = list(range(10))
    train_images, y_train = load_fashion_mnist("train", classes, 20, seed=5)
    test_images, y_test = load_fashion_mnist("test", classes, 30, seed=6)
    x_train, x_test = preprocess_batch(train_images, backbone), preprocess_batch(test_images, backbone)
    artifacts = model_cache.head_artifacts(10, 1e-3)
    accuracy = {}
    for name, extractor in (("float32", lite0_extractor), ("int8", int8_extractor)):
        f_train, f_test = extractor.extract(x_train), extractor.extract(x_test)
        runs = []
        for seed in range(3):
            p = train_head(
                artifacts, head.initial_parameters(10, seed=seed), f_train, y_train, epochs=30, batch_size=16, seed=seed
            )
            runs.append(float((head.logits(f_test, p, 10).argmax(axis=1) == y_test).mean()))
        accuracy[name] = float(np.median(runs))
    assert accuracy["float32"] > 0.6, accuracy  # the task is learnt at all
    assert accuracy["int8"] >= accuracy["float32"] - 0.02, accuracy
