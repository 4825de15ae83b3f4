"""The feature extractor with its unpooled feature map as a second output (issue 16), on real images.

Its pooled features must be bit-identical to the extractor's without the map, float32 and int8 alike, so
features cached in browsers and on the server stay valid; the file without the map stays indexed under
its old key, so a session prepared before keeps its artifact; and the variant is made without torch.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import onnx
import pytest

from influx_desktop.errors import ModelUnavailable
from influx_desktop.models.cache import ModelCache
from influx_desktop.models.feature_map import FEATURE_MAP_META, FEATURE_MAP_NAME, add_feature_map_output
from influx_desktop.models.features import FeatureExtractor

KEY = "efficientnet_lite0:pretrained"


def test_pooled_features_are_bit_identical_and_the_map_averages_to_them(lite0_extractor, lite0_map_extractor, fmnist_batches):
    x, _ = fmnist_batches  # 90 held-out Fashion-MNIST images, three batches of the extractor
    before = lite0_extractor.extract(x)
    features, maps = lite0_map_extractor.extract_with_maps(x)
    assert maps.shape == (90, 1280, 7, 7) and maps.dtype == np.float32
    np.testing.assert_array_equal(features, before)
    np.testing.assert_array_equal(lite0_map_extractor.extract(x), before)
    np.testing.assert_array_equal(lite0_map_extractor.extract(x[:1]), before[:1])  # batch 1, as the browser runs it
    np.testing.assert_allclose(maps.mean(axis=(2, 3)), features, rtol=0, atol=1e-5)
    assert maps.min() >= 0 and maps.max() <= 6  # the last activation is ReLU6
    assert not lite0_extractor.has_feature_map
    with pytest.raises(ModelUnavailable):
        lite0_extractor.extract_with_maps(x[:1])


def test_int8_variant_keeps_its_pooled_features_too(model_cache, fmnist_batches):
    x, _ = fmnist_batches
    int8 = FeatureExtractor(model_cache.feature_extractor("efficientnet_lite0", True, quantized=True).path)
    int8_map = model_cache.feature_extractor("efficientnet_lite0", True, quantized=True, feature_map=True)
    features, maps = FeatureExtractor(int8_map.path).extract_with_maps(x)
    np.testing.assert_array_equal(features, int8.extract(x))
    # Its pooled features are quantised again after the pool: the map's mean is within that rounding.
    scale = max(float(features.max()) / 255, 1e-6)
    assert np.abs(maps.mean(axis=(2, 3)) - features).max() <= scale
    model = onnx.load(str(int8_map.path))
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["influx.quantized"] == "int8-qdq" and meta[FEATURE_MAP_META] == FEATURE_MAP_NAME
    # The pool still reads its own DequantizeLinear: the map output has a copy of it.
    pool = next(n for n in model.graph.node if n.op_type == "GlobalAveragePool")
    readers = [n for n in model.graph.node if pool.input[0] in n.input]
    assert readers == [pool]


def test_the_variant_is_indexed_beside_the_file_without_the_map(model_cache, lite0_artifact, lite0_map_artifact):
    index = json.loads((model_cache.root / "index.json").read_text())["feature_extractors"]
    assert index[KEY]["sha256"] == lite0_artifact.sha256  # what sessions prepared before issue 16 serve
    assert index[KEY + ":map"]["sha256"] == lite0_map_artifact.sha256 != lite0_artifact.sha256
    assert model_cache.artifact_by_sha256(lite0_artifact.sha256) == lite0_artifact.path
    assert model_cache.artifact_by_sha256(lite0_map_artifact.sha256) == lite0_map_artifact.path
    assert model_cache.feature_extractor("efficientnet_lite0", True) == lite0_artifact
    # The map costs a few hundred bytes, not a second backbone.
    assert 0 < lite0_map_artifact.bytes - lite0_artifact.bytes < 1000

    model, source = onnx.load(str(lite0_map_artifact.path)), onnx.load(str(lite0_artifact.path))
    assert [o.name for o in model.graph.output] == ["features", FEATURE_MAP_NAME]
    dims = [d.dim_param or d.dim_value for d in model.graph.output[1].type.tensor_type.shape.dim]
    assert dims == ["N", 1280, 7, 7]
    assert model.ir_version == source.ir_version <= 10 and model.opset_import == source.opset_import
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta == {**{p.key: p.value for p in source.metadata_props}, FEATURE_MAP_META: FEATURE_MAP_NAME}
    assert len(model.graph.node) == len(source.graph.node) + 1
    add_feature_map_output(model)  # a second time: nothing changes
    assert [o.name for o in model.graph.output] == ["features", FEATURE_MAP_NAME]


def test_the_variant_is_made_from_a_bundled_file_without_torch_and_always_the_same(
    tmp_path, lite0_artifact, lite0_map_artifact, monkeypatch
):
    """The frozen app ships the extractor without the map and cannot export: it derives the same bytes."""
    bundled = tmp_path / "prebuilt"
    (bundled / "blobs").mkdir(parents=True)
    shutil.copy(lite0_artifact.path, bundled / "blobs" / lite0_artifact.path.name)
    entry = {"sha256": lite0_artifact.sha256, "bytes": lite0_artifact.bytes, "file": lite0_artifact.path.name}
    (bundled / "index.json").write_text(json.dumps({"version": 1, "feature_extractors": {KEY: entry}, "heads": {}}))
    cache = ModelCache(tmp_path / "own", bundled=bundled)

    def no_export(*_args, **_kwargs):
        raise AssertionError("the bundled float32 file should have been used")

    monkeypatch.setattr(cache, "_export_backbone", no_export)
    messages: list[str] = []
    art = cache.feature_extractor("efficientnet_lite0", True, progress=messages.append, feature_map=True)
    assert art.sha256 == lite0_map_artifact.sha256 and art.path.parent == tmp_path / "own" / "blobs"
    assert messages == ["Adding the feature map output to EfficientNet-Lite0 (ImageNet, offline)…"]
    messages.clear()
    assert cache.feature_extractor("efficientnet_lite0", True, progress=messages.append, feature_map=True) == art
    assert messages == []  # a hit says nothing


def test_an_extractor_without_the_output_gets_it_in_memory(lite0_artifact, lite0_map_extractor, fmnist_batches):
    """What the facilitator's review uses for a session prepared before issue 16: same features, same maps."""
    x, _ = fmnist_batches
    old = FeatureExtractor(lite0_artifact.path, feature_map=True)
    assert old.has_feature_map
    features, maps = old.extract_with_maps(x[:4])
    expected_features, expected_maps = lite0_map_extractor.extract_with_maps(x[:4])
    np.testing.assert_array_equal(features, expected_features)
    np.testing.assert_array_equal(maps, expected_maps)
