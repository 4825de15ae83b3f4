"""Backbone registry: entries, lookup errors, offline weights, and the no-internet path of MobileNetV2."""

from __future__ import annotations

import subprocess
import sys
import urllib.error

import numpy as np
import pytest

from influx_desktop.errors import InvalidInput, ModelUnavailable
from influx_desktop.models.backbones import BACKBONES, DEFAULT_BACKBONE, Backbone, get_backbone


def test_registry_entries_are_complete():
    assert DEFAULT_BACKBONE == "efficientnet_lite0"
    assert {"efficientnet_lite0", "mobilenet_v2"} <= set(BACKBONES)
    for name, b in BACKBONES.items():
        assert isinstance(b, Backbone) and b.name == name
        assert b.input_size == 224 and b.feature_dim == 1280
        assert len(b.mean) == 3 and len(b.std) == 3 and all(s > 0 for s in b.std)
        assert b.title and b.weights_note and callable(b.build)
        d = b.describe()
        assert d["name"] == name and "build" not in d
    lite = BACKBONES["efficientnet_lite0"]
    assert lite.mean == (127.0, 127.0, 127.0) and lite.std == (128.0, 128.0, 128.0)
    mnv2 = BACKBONES["mobilenet_v2"]
    np.testing.assert_allclose(mnv2.mean, [123.675, 116.28, 103.53])
    np.testing.assert_allclose(mnv2.std, [58.395, 57.12, 57.375])


def test_get_backbone_unknown_names_the_known_ones():
    assert get_backbone("mobilenet_v2") is BACKBONES["mobilenet_v2"]
    for bad in ("resnet9000", "", None, ["efficientnet_lite0"]):
        with pytest.raises(InvalidInput) as info:
            get_backbone(bad)
        assert info.value.field == "backbone"
        assert "efficientnet_lite0" in info.value.message and "mobilenet_v2" in info.value.message


def test_importing_the_model_package_does_not_import_torch():
    code = (
        "import sys\n"
        "import influx_desktop.models, influx_desktop.models.backbones, influx_desktop.models.cache\n"
        "import influx_desktop.models.head, influx_desktop.models.images, influx_desktop.models.features\n"
        "import influx_desktop.models.export, influx_desktop.models.local_training\n"
        "bad = [m for m in ('torch', 'torchvision', 'onnxruntime.training', 'flask', 'PySide6') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_efficientnet_lite0_pretrained_is_offline_and_matches_its_onnx_export(lite0_extractor):
    import torch

    module = BACKBONES["efficientnet_lite0"].build(True)
    assert not module.training
    x = np.random.default_rng(0).standard_normal((2, 3, 224, 224)).astype(np.float32)
    with torch.no_grad():
        expected = module(torch.from_numpy(x)).numpy()
    assert expected.shape == (2, 1280)
    # ImageNet weights, not random ones: ReLU6 features of a real net are non-negative, bounded, varied.
    assert expected.min() >= 0 and expected.max() <= 6 and expected.std() > 0.05
    np.testing.assert_allclose(lite0_extractor.extract(x), expected, atol=1e-4)


def test_mobilenet_v2_random_initialisation_needs_no_weights():
    import torch

    module = BACKBONES["mobilenet_v2"].build(False)
    assert not module.training
    with torch.no_grad():
        out = module(torch.zeros(1, 3, 224, 224))
    assert tuple(out.shape) == (1, 1280)


def test_mobilenet_v2_pretrained_without_internet_is_a_clear_model_unavailable(tmp_path, monkeypatch):
    """Empty torch cache and a failing download. The failing download is a stand-in: this machine has
    no internet, and tests must never try to reach it; a real user's machine would download once."""
    import socket

    import torch.hub

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    monkeypatch.setattr(torch.hub, "_hub_dir", None, raising=False)
    calls = []

    def no_internet(url, dst, *args, **kwargs):
        calls.append(url)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution (test stand-in)")

    def no_connect(self, address):  # belt and braces: nothing may leave the machine
        raise OSError("network disabled in tests")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_internet)
    monkeypatch.setattr(socket.socket, "connect", no_connect)

    with pytest.raises(ModelUnavailable) as info:
        BACKBONES["mobilenet_v2"].build(True)
    err = info.value
    assert calls and "mobilenet_v2" in calls[0]  # it looked in the empty cache, then tried to download
    assert err.code == "model_unavailable" and err.field == "backbone"
    msg = err.message.lower()
    assert "internet" in msg and "random initialisation" in msg and "efficientnet_lite0" in msg
