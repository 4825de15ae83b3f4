"""Fixtures shared by the core and server tests.

- ``model_cache``: one ModelCache for the whole run, so EfficientNet-Lite0 is exported once and every
  Coordinator (``Coordinator(data_dir, model_cache=model_cache)``) finds it.
- ``fm``: real Fashion-MNIST images of four classes and their features, extracted once per run.
- ``fl_server``: a real waitress server on 127.0.0.1 over a Coordinator with its own SQLite file.
- ``serve_processes``: ``influx-desktop serve`` child processes (``serve_process.py``) killed after the test.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

TESTS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS_DIR))  # for fashion_mnist, participant_sim and running_server

from fashion_mnist import (  # noqa: E402
    CLASS_NAMES,
    available as fashion_mnist_available,  # noqa: E402
    load_fashion_mnist,
)
from image_zip import class_folders_zip  # noqa: E402
from running_server import RunningServer, start_server  # noqa: E402

BACKBONE = "efficientnet_lite0"
#: Fashion-MNIST class ids of the real-data tests: T-shirt/top, trouser, sneaker, bag.
FM_CLASS_IDS = (0, 1, 7, 8)
FM_TRAIN_PER_CLASS = 45  # split three ways: each simulated participant holds 15 per class
FM_TEST_PER_CLASS = 40


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory):
    from influx_desktop.models.cache import ModelCache

    return ModelCache(tmp_path_factory.mktemp("model-cache"))


@pytest.fixture(scope="session")
def extractor_artifact(model_cache):
    """The feature extractor sessions serve: EfficientNet-Lite0 with its feature map output (issue 16)."""
    return model_cache.feature_extractor(BACKBONE, pretrained=True, feature_map=True)


@pytest.fixture(scope="session")
def extractor_without_map(model_cache):
    """The export without the feature map output: what sessions prepared before issue 16 serve, and what
    packaging/prebuild.py ships."""
    return model_cache.feature_extractor(BACKBONE, pretrained=True)


@dataclass(frozen=True)
class FashionMnist:
    """Four Fashion-MNIST classes: training features and a held-out test set (images and features)."""

    classes: list[str]
    train_features: np.ndarray  # [N,1280], class-major
    train_labels: np.ndarray  # [N]
    test_images: list  # PIL RGB 28x28, as a facilitator's folder would hold them
    test_features: np.ndarray  # what the server computes from the test images
    test_labels: np.ndarray
    feature_sha256: str

    def session_settings(self, title: str, **more) -> dict:
        """A session over these classes whose server extracts what ``test_features`` holds: the float32
        extractor they came from (a new session's default is int8, ``session.int8_by_default``)."""
        return {"title": title, "classes": self.classes, "quantized_backbone": False, **more}

    def test_set_zip(self, every: int = 1) -> bytes:
        """Every ``every``-th test image as ``<class>/<n>.png`` entries: what a facilitator uploads."""
        picked = range(0, len(self.test_labels), every)
        return class_folders_zip((self.classes[self.test_labels[i]], self.test_images[i]) for i in picked)

    def shard(self, index: int, count: int, classes: tuple[int, ...] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``index``-th of ``count`` disjoint slices of every class (optionally only some classes)."""
        keep = np.zeros(len(self.train_labels), dtype=bool)
        for k in range(len(self.classes)):
            if classes is not None and k not in classes:
                continue
            members = np.flatnonzero(self.train_labels == k)
            keep[members[index::count]] = True
        return self.train_features[keep], self.train_labels[keep]


@pytest.fixture(scope="session")
def fm(extractor_artifact) -> FashionMnist:
    if not fashion_mnist_available():
        pytest.fail("Debian package dataset-fashion-mnist is not installed: run scripts/setup.sh --tests")
    from influx_desktop.models.backbones import get_backbone
    from influx_desktop.models.features import FeatureExtractor
    from influx_desktop.models.images import preprocess_batch

    backbone = get_backbone(BACKBONE)
    extractor = FeatureExtractor(extractor_artifact.path)
    train_images, train_labels = load_fashion_mnist("train", FM_CLASS_IDS, FM_TRAIN_PER_CLASS, seed=0)
    test_images, test_labels = load_fashion_mnist("test", FM_CLASS_IDS, FM_TEST_PER_CLASS, seed=1, size=28)
    return FashionMnist(
        classes=[CLASS_NAMES[i].replace("/", " or ") for i in FM_CLASS_IDS],
        train_features=extractor.extract(preprocess_batch(train_images, backbone)),
        train_labels=train_labels,
        test_images=test_images,
        test_features=extractor.extract(preprocess_batch(test_images, backbone)),
        test_labels=test_labels,
        feature_sha256=extractor_artifact.sha256,
    )


@pytest.fixture(scope="session")
def launch_server(model_cache):
    """``launch_server(data_dir)`` -> RunningServer, for fixtures of wider scope; the caller stops it."""
    return lambda data_dir, threads=8, limits=None: start_server(data_dir, model_cache, threads, limits)


@pytest.fixture
def fl_server(tmp_path, model_cache):
    """A factory: ``fl_server()`` starts a server over a fresh data dir (or the one given) on 127.0.0.1."""
    running: list[RunningServer] = []

    def start(data_dir: Path | None = None, threads: int = 8) -> RunningServer:
        server = start_server(data_dir or tmp_path / f"data{len(running)}", model_cache, threads)
        running.append(server)
        return server

    yield start
    for server in reversed(running):
        server.stop()


@pytest.fixture
def serve_processes():
    """A list of ``serve_process.ServeProcess`` to append to: those still running at the end are killed."""
    started: list = []
    yield started
    for serve in started:
        if serve.process.poll() is None:
            serve.process.kill()
            serve.process.wait(30)
