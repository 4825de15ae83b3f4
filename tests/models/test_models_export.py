"""Native feature extraction and the exported global model (backbone + head in one ONNX file)."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest

from influx_desktop.errors import InvalidInput
from influx_desktop.models import head
from influx_desktop.models.export import export_global_model
from influx_desktop.models.runtime import load_onnxruntime


def test_feature_extractor_batches_give_the_same_features(lite0_extractor, fmnist_batches):
    x, _ = fmnist_batches
    x = x[:40]  # more than one batch of 32
    all_at_once = lite0_extractor.extract(x)
    assert all_at_once.shape == (40, 1280) and all_at_once.dtype == np.float32
    one_by_one = np.concatenate([lite0_extractor.extract(x[i : i + 1]) for i in range(0, 40, 7)])
    np.testing.assert_allclose(all_at_once[::7], one_by_one, atol=1e-5)
    assert lite0_extractor.extract(x[0]).shape == (1, 1280)  # a single [3,S,S] image
    assert lite0_extractor.extract(x[:0]).shape == (0, 1280)
    with pytest.raises(InvalidInput):
        lite0_extractor.extract(np.zeros((1, 3, 100, 100), np.float32))


def test_global_model_matches_feature_extractor_plus_head(lite0_artifact, lite0_extractor, fmnist_batches):
    x, _ = fmnist_batches
    x = x[:12]
    k = 3
    params = head.initial_parameters(k, seed=5)
    params[-k:] = [0.5, -0.25, 0.125]  # a non-zero bias, so its place matters too
    names = ["t-shirt", "trouser", "sneaker"]
    data = export_global_model(lite0_artifact.path, params, k, names)
    assert isinstance(data, bytes)

    model = onnx.load_from_string(data)
    props = {p.key: p.value for p in model.metadata_props}
    assert json.loads(props["influx.class_names"]) == names and props["influx.num_classes"] == "3"
    assert props["influx.backbone"] == "efficientnet_lite0"

    ort = load_onnxruntime()
    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["input"]
    assert [o.name for o in sess.get_outputs()] == ["logits", "probabilities"]
    logits, probs = sess.run(None, {"input": x})
    expected = head.logits(lite0_extractor.extract(x), params, k)
    assert logits.shape == probs.shape == (12, 3)
    np.testing.assert_allclose(logits, expected, atol=1e-4)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(probs.argmax(axis=1), expected.argmax(axis=1))


def test_global_model_export_rejects_mismatches(lite0_artifact):
    p = head.initial_parameters(3)
    with pytest.raises(InvalidInput):
        export_global_model(lite0_artifact.path, p[:-1], 3, ["a", "b", "c"])
    with pytest.raises(InvalidInput):
        export_global_model(lite0_artifact.path, p, 3, ["a", "b"])


def test_global_model_heatmap_output_is_optional(lite0_artifact, lite0_map_artifact, lite0_map_extractor, fmnist_batches):
    """``heatmap=True`` adds every class's map [N,K,7,7]; from an extractor with or without its map output
    alike, and the scores stay those of the model without it."""
    from influx_desktop.models import cam

    x, _ = fmnist_batches
    x = x[:6]
    k = 3
    params = head.initial_parameters(k, seed=2)
    params[-k:] = [0.5, -0.25, 0.125]
    ort = load_onnxruntime()
    plain = ort.InferenceSession(
        export_global_model(lite0_map_artifact.path, params, k, ["a", "b", "c"]), providers=["CPUExecutionProvider"]
    )
    assert [o.name for o in plain.get_outputs()] == ["logits", "probabilities"]  # the map output is not exported
    logits, _ = plain.run(None, {"input": x})
    _, feature_maps = lite0_map_extractor.extract_with_maps(x)
    expected = cam.class_activation_maps(feature_maps, params, k)
    for source in (lite0_artifact, lite0_map_artifact):
        data = export_global_model(source.path, params, k, ["a", "b", "c"], heatmap=True)
        sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
        assert [o.name for o in sess.get_outputs()] == ["logits", "probabilities", "heatmap"]
        assert sess.get_outputs()[2].shape == ["N", 3, 7, 7]
        with_maps, _, heatmap = sess.run(None, {"input": x})
        np.testing.assert_array_equal(with_maps, logits)
        np.testing.assert_allclose(heatmap, expected, rtol=0, atol=1e-5)
