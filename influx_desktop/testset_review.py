"""The facilitator's look at the test set (issue 16): a version's confusion matrix, the test images it gets
wrong, and for each of those where in the picture the model saw the class it chose (class activation
maps, ``models/cam.py``).

Everything is computed from what the ``ServerEvaluator`` keeps of the newest test set: its features (the
matrix is one matrix product per version, the same one that scored the per-class counts in the accuracy
history) and the square picture the backbone saw of each image (run through the session's feature
extractor once more, with its feature map, when the facilitator opens it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from .errors import Conflict, InvalidInput, NotFound
from .models import cam, head
from .sessions import Sessions
from .testset import ServerEvaluator, TestSet


@dataclass(frozen=True)
class Misclassified:
    index: int  # the image's place in the test set (``explain`` takes it)
    name: str
    label: int
    predicted: int
    confidence: float  # the softmax probability of the predicted class


@dataclass(frozen=True)
class VersionReview:
    session_id: int
    test_set: int  # the test set's id (its ``test_set_loaded`` event)
    version: int
    classes: tuple[str, ...]
    confusion: np.ndarray  # [K,K] int: row = the image's class, column = the class the model chose
    misclassified: tuple[Misclassified, ...]

    @property
    def images(self) -> int:
        return int(self.confusion.sum())

    @property
    def accuracy(self) -> float:
        return float(np.trace(self.confusion) / max(1, self.images))

    def per_class(self) -> dict[str, dict[str, int]]:
        """``{class: {"correct", "total"}}``: the matrix's diagonal and row sums, as the accuracy history stores them."""
        return {
            name: {"correct": int(self.confusion[k, k]), "total": int(self.confusion[k].sum())}
            for k, name in enumerate(self.classes)
        }


@dataclass(frozen=True)
class ImageExplanation:
    index: int
    name: str
    version: int
    classes: tuple[str, ...]
    label: int
    predicted: int
    probabilities: np.ndarray  # [K]
    picture: np.ndarray  # uint8 [S,S,3]: what the backbone saw
    maps: np.ndarray  # [K,h,w] float32: every class's activation map

    def overlay(self, k: int, opacity: float = 0.5) -> np.ndarray:
        """The picture with class ``k``'s map drawn over it (uint8 [S,S,3])."""
        return cam.overlay(self.picture, self.maps[k], opacity)


class Reviewer:
    def __init__(self, sessions: Sessions, evaluator: ServerEvaluator) -> None:
        self._sessions = sessions
        self._evaluator = evaluator
        self._extractors: dict[str, object] = {}  # feature extractor sha256 -> FeatureExtractor with its map
        self._lock = threading.Lock()

    def _test_set(self, session_id: int) -> TestSet:
        self._sessions.row(session_id)  # NotFound for an unknown session
        test_set = self._evaluator.test_set(session_id)
        if test_set is None:
            state = self._evaluator.status(session_id).get("state")
            if state == "extracting":
                raise Conflict("The test set is still being read; try again in a moment.", code="test_set_not_ready")
            raise NotFound("This session has no test set: load one (a folder with one subfolder per class).", code="no_test_set")
        return test_set

    def _scores(self, session_id: int, version: int | None, features: np.ndarray) -> tuple[int, np.ndarray]:
        classes = self._sessions.config(session_id).classes
        newest = self._sessions.current_version(session_id)
        if version is None:
            version = newest
        if isinstance(version, bool) or not isinstance(version, (int, np.integer)) or not 0 <= version <= newest:
            raise InvalidInput("Model version {version} does not exist in this session.", field="version", version=version)
        _, parameters = self._sessions.parameters(session_id, int(version))
        return int(version), head.logits(features, parameters, len(classes))

    def review(self, session_id: int, version: int | None = None) -> VersionReview:
        """The confusion matrix of ``version`` (default: the newest) on the newest test set, and what it gets wrong."""
        test_set = self._test_set(session_id)
        classes = tuple(self._sessions.config(session_id).classes)
        version, logits = self._scores(session_id, version, test_set.features)
        predicted = logits.argmax(axis=1)  # as ServerEvaluator._evaluate scores it
        k = len(classes)
        confusion = np.bincount(test_set.labels * k + predicted, minlength=k * k).reshape(k, k)
        probabilities = _softmax(logits)
        wrong = np.flatnonzero(predicted != test_set.labels)
        misclassified = tuple(
            Misclassified(
                int(i), test_set.names[i], int(test_set.labels[i]), int(predicted[i]), float(probabilities[i, predicted[i]])
            )
            for i in wrong[np.argsort(-probabilities[wrong, predicted[wrong]], kind="stable")]  # surest mistakes first
        )
        return VersionReview(session_id, test_set.id, version, classes, confusion, misclassified)

    def explain(self, session_id: int, version: int, index: int, test_set: int | None = None) -> ImageExplanation:
        """Test image ``index`` with every class's activation map under ``version``. ``test_set``: the id the
        index was taken from (a review's); Conflict when a newer test set has replaced it since."""
        from .models.backbones import get_backbone
        from .models.images import decode, normalise

        current = self._test_set(session_id)
        if test_set is not None and test_set != current.id:
            raise Conflict("A new test set was loaded since; choose the image again.", code="test_set_changed")
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < len(current.labels):
            raise InvalidInput("The test set has no image {index}.", field="index", index=index)
        square = decode(self._evaluator.square_image(session_id, int(index))).convert("RGB")
        backbone = get_backbone(self._sessions.config(session_id).backbone)
        features, feature_maps = self._extractor(session_id).extract_with_maps(normalise(square, backbone)[None])
        version, logits = self._scores(session_id, version, features)
        _, parameters = self._sessions.parameters(session_id, version)
        classes = tuple(self._sessions.config(session_id).classes)
        return ImageExplanation(
            int(index),
            current.names[index],
            version,
            classes,
            int(current.labels[index]),
            int(logits[0].argmax()),
            _softmax(logits)[0],
            np.asarray(square, dtype=np.uint8),
            cam.class_activation_maps(feature_maps[0], parameters, len(classes)),
        )

    def _extractor(self, session_id: int):
        from .models.features import FeatureExtractor

        sha = self._sessions.prepare_models(session_id)["feature_extractor"]["sha256"]
        with self._lock:
            if sha not in self._extractors:
                self._extractors[sha] = FeatureExtractor(self._sessions.models.artifact_by_sha256(sha), feature_map=True)
            return self._extractors[sha]


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)
