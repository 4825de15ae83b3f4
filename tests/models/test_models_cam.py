"""Class activation maps computed natively (``cam.py``) against onnxruntime, on real Fashion-MNIST photos.

onnxruntime computes them in the exported global model's graph (``export_global_model(heatmap=True)``);
numpy computes them from the feature extractor's ``feature_map``. Both must agree, and the maps must give
back the logits the class model gives the same photos (``cam.logits_from_maps``).
"""

from __future__ import annotations

import numpy as np
import pytest

from influx_desktop.errors import InvalidInput
from influx_desktop.models import cam, head
from influx_desktop.models.export import export_global_model
from influx_desktop.models.runtime import load_onnxruntime

NAMES = ["t-shirt/top", "trouser", "sneaker"]


def _relative_differences(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Max |a − b| of every map, over that map's range in ``b``."""
    spread = b.max(axis=(-2, -1)) - b.min(axis=(-2, -1))
    return np.abs(a - b).max(axis=(-2, -1)) / spread


@pytest.fixture(scope="module")
def heatmap_session(lite0_map_artifact, trained_head3):
    data = export_global_model(lite0_map_artifact.path, trained_head3, 3, NAMES, heatmap=True)
    return load_onnxruntime().InferenceSession(data, providers=["CPUExecutionProvider"])


def test_native_maps_match_onnxruntime_on_real_photos(heatmap_session, lite0_map_extractor, trained_head3, fmnist_batches):
    x, labels = fmnist_batches
    logits, _, heatmaps = heatmap_session.run(None, {"input": x})
    features, feature_maps = lite0_map_extractor.extract_with_maps(x)
    maps = cam.class_activation_maps(feature_maps, trained_head3, 3)
    assert maps.shape == heatmaps.shape == (90, 3, 7, 7)
    relative = _relative_differences(maps, heatmaps)
    print(
        f"native vs onnxruntime maps: max {relative.max():.1e} of the map's range, {np.abs(maps - heatmaps).max():.1e} absolute"
    )
    assert relative.max() <= 1e-5
    # One photo at a time gives the same map.
    np.testing.assert_allclose(cam.class_activation_maps(feature_maps[7], trained_head3, 3), maps[7], rtol=0, atol=1e-6)
    # The maps give back the class model's scores (the bias spread as the module says).
    np.testing.assert_allclose(cam.logits_from_maps(maps, trained_head3, 3), logits, rtol=0, atol=1e-4)
    np.testing.assert_allclose(head.logits(features, trained_head3, 3), logits, rtol=0, atol=1e-4)
    assert (logits.argmax(1) == labels).mean() >= 0.8  # a class model worth explaining


def test_the_bias_is_spread_evenly_over_the_cells(lite0_map_extractor, fmnist_batches):
    x, _ = fmnist_batches
    _, feature_maps = lite0_map_extractor.extract_with_maps(x[:2])
    params = np.zeros(head.parameter_count(3), np.float32)
    params[-3:] = [4.9, -9.8, 0.0]
    maps = cam.class_activation_maps(feature_maps, params, 3)
    np.testing.assert_array_equal(maps[:, 0], np.float32(0.1))  # 4.9 / 49 cells
    np.testing.assert_array_equal(maps[:, 1], np.float32(-0.2))
    np.testing.assert_allclose(cam.logits_from_maps(maps, params, 3), [[4.9, -9.8, 0.0]] * 2, atol=1e-6)


def test_a_photos_map_is_high_on_the_garment_not_the_background(heatmap_session, fmnist, fmnist_batches):
    """Fashion-MNIST garments lie on black: the map of the photo's own class should peak on the garment."""
    x, labels = fmnist_batches
    _, _, heatmaps = heatmap_session.run(None, {"input": x})
    inside, outside = [], []
    for image, label, maps in zip(fmnist["test"][0], labels, heatmaps):
        own = cam.normalised(maps[label])
        # The garment's pixels, pooled to the 7x7 cells (each 32x32 pixels of the 224-pixel photo).
        garment = np.asarray(image.convert("L"), np.float32).reshape(7, 32, 7, 32).mean(axis=(1, 3)) > 40
        if garment.any() and (~garment).any():
            inside.append(own[garment].mean())
            outside.append(own[~garment].mean())
    inside, outside = np.array(inside), np.array(outside)
    print(f"own-class map on the garment {inside.mean():.2f}, on the background {outside.mean():.2f}")
    assert (inside > outside).mean() >= 0.8


def test_normalised_maps_and_bad_shapes():
    flat = np.full((7, 7), 3.0, np.float32)
    assert not cam.normalised(flat).any()
    ramp = np.arange(49, dtype=np.float32).reshape(7, 7) - 10
    n = cam.normalised(ramp)
    assert n.min() == 0 and n.max() == 1 and n[0, 1] == pytest.approx(1 / 48)
    params = head.initial_parameters(3)
    with pytest.raises(InvalidInput):
        cam.class_activation_maps(np.zeros((1280, 49), np.float32), params, 3)
    with pytest.raises(InvalidInput):
        cam.class_activation_maps(np.zeros((1000, 7, 7), np.float32), params, 3)


def test_overlay_puts_the_hot_cell_over_its_patch_of_the_photo():
    cam_map = np.zeros((7, 7), np.float32)
    cam_map[1, 5] = 2.0  # one hot cell: row 1, column 5 -> pixels 32..63 down, 160..191 across
    up = cam.upsample(cam_map, 224)
    assert up.shape == (224, 224)
    assert np.unravel_index(up.argmax(), up.shape) in {(47, 175), (48, 176), (47, 176), (48, 175)}
    assert up[0, 0] == 0 and up.max() <= 2.0
    np.testing.assert_allclose(
        cam.upsample(np.arange(49, dtype=np.float32).reshape(7, 7), 7), np.arange(49).reshape(7, 7)
    )  # the same size: the same map
    photo = np.full((224, 224, 3), 100, np.uint8)
    drawn = cam.overlay(photo, cam_map, opacity=0.5)
    assert drawn.dtype == np.uint8 and drawn.shape == photo.shape
    hot, cold = drawn[48, 176].astype(int), drawn[200, 20].astype(int)
    assert hot[0] > cold[0] and hot[2] < cold[2]  # red over the hot cell, blue far from it
    np.testing.assert_array_equal(cam.overlay(photo, cam_map, opacity=0.0), photo)
