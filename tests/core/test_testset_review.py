"""The facilitator's review of the test set (issue 16): each version's confusion matrix agrees with the
per-class counts the server stored for it, and a misclassified test image's class activation maps are
those the session's feature extractor and that version's head give the picture."""

from __future__ import annotations

import numpy as np
import pytest

from influx_desktop.errors import Conflict, InvalidInput, NotFound
from influx_desktop.events import record
from influx_desktop.models import cam, head
from influx_desktop.models.backbones import get_backbone
from influx_desktop.models.features import FeatureExtractor
from influx_desktop.models.images import preprocess, square_image
from influx_desktop.store import add_model_version
from influx_desktop.testset import read_test_zip

EVERY = 4  # 40 of the 160 held-out Fashion-MNIST images


def _class_means_head(fm) -> np.ndarray:
    """A nearest-class-mean head from the training features: right on most test images, not all."""
    means = np.stack([fm.train_features[fm.train_labels == k].mean(axis=0) for k in range(len(fm.classes))])
    return head.join(means, -0.5 * (means**2).sum(axis=1))


def _publish(coordinator, sid: int, version: int, parameters: np.ndarray) -> None:
    with coordinator.store.transaction() as db:
        add_model_version(db, sid, version, parameters.astype(np.float32), 0.0, [])
        event = record(db, sid, "model_version", version=version, update_ids=[])
    coordinator.events.publish(event)


@pytest.fixture
def reviewed(coordinator, fm):
    """A session with the test set loaded and scored at three versions: the start, a class-mean head, and
    that head with two classes' rows swapped (wrong on most of those two classes)."""
    sid = coordinator.create_session(fm.session_settings("t"))["id"]
    coordinator.load_test_set(sid, read_test_zip(fm.test_set_zip(EVERY), tuple(fm.classes)))
    good = _class_means_head(fm)
    w, b = head.split(good.copy(), len(fm.classes))
    w[[0, 2]], b[[0, 2]] = w[[2, 0]], b[[2, 0]]
    _publish(coordinator, sid, 1, good)
    _publish(coordinator, sid, 2, head.join(w, b))
    coordinator.evaluator.wait_idle()
    return sid


def test_each_versions_confusion_matrix_matches_the_stored_per_class_counts(coordinator, fm, reviewed):
    history = coordinator.accuracy_history(reviewed)
    assert [h["version"] for h in history] == [0, 1, 2]
    accuracies = []
    for stored in history:
        review = coordinator.test_set_review(reviewed, stored["version"])
        assert review.version == stored["version"] and review.test_set == stored["test_set"]
        assert review.confusion.shape == (4, 4) and review.images == stored["n"] == 40
        assert review.per_class() == stored["per_class"]
        assert review.accuracy == pytest.approx(stored["accuracy"])
        off_diagonal = review.confusion.sum() - np.trace(review.confusion)
        assert len(review.misclassified) == off_diagonal
        for wrong in review.misclassified:
            assert wrong.label != wrong.predicted and review.confusion[wrong.label, wrong.predicted] > 0
            assert wrong.name.startswith(fm.classes[wrong.label] + "/")
        confidences = [m.confidence for m in review.misclassified]
        assert confidences == sorted(confidences, reverse=True)
        accuracies.append(review.accuracy)
    assert accuracies[1] >= 0.75 and accuracies[2] < accuracies[1]
    swapped = coordinator.test_set_review(reviewed, 2).confusion
    assert swapped[0, 2] + swapped[2, 0] > 10  # the swapped classes are taken for each other
    assert coordinator.test_set_review(reviewed).version == 2  # default: the newest version


def test_a_misclassified_images_maps_are_the_native_cam_of_its_picture(coordinator, fm, reviewed, extractor_artifact):
    review = coordinator.test_set_review(reviewed, 2)
    wrong = review.misclassified[0]
    explained = coordinator.explain_test_image(reviewed, 2, wrong.index, review.test_set)
    assert (explained.label, explained.predicted) == (wrong.label, wrong.predicted)
    assert explained.probabilities[wrong.predicted] == pytest.approx(wrong.confidence, abs=1e-6)
    original = fm.test_images[wrong.index * EVERY]  # the test zip holds every EVERY-th image, in order
    backbone = get_backbone("efficientnet_lite0")
    np.testing.assert_array_equal(explained.picture, np.asarray(square_image(original, backbone)))
    features, feature_maps = FeatureExtractor(extractor_artifact.path).extract_with_maps(preprocess(original, backbone)[None])
    np.testing.assert_array_equal(features[0], fm.test_features[wrong.index * EVERY])
    _, parameters = coordinator.parameters(reviewed, 2)
    np.testing.assert_allclose(explained.maps, cam.class_activation_maps(feature_maps[0], parameters, 4), rtol=0, atol=1e-6)
    drawn = explained.overlay(wrong.predicted)
    assert drawn.shape == (224, 224, 3) and drawn.dtype == np.uint8
    assert not np.array_equal(drawn, explained.overlay(wrong.label))


def test_what_cannot_be_reviewed_says_why(coordinator, fm, reviewed):
    empty = coordinator.create_session(fm.session_settings("none"))["id"]
    with pytest.raises(NotFound) as info:
        coordinator.test_set_review(empty)
    assert info.value.code == "no_test_set" and "load one" in info.value.message
    with pytest.raises(InvalidInput):
        coordinator.test_set_review(reviewed, 3)
    with pytest.raises(InvalidInput):
        coordinator.explain_test_image(reviewed, 1, 40)
    old = coordinator.test_set_review(reviewed).test_set
    coordinator.load_test_set(reviewed, read_test_zip(fm.test_set_zip(EVERY * 2), tuple(fm.classes)))
    coordinator.evaluator.wait_idle()
    with pytest.raises(Conflict) as changed:
        coordinator.explain_test_image(reviewed, 1, 0, old)
    assert changed.value.code == "test_set_changed"


def test_a_test_set_saved_before_its_pictures_were_kept_is_still_reviewed(tmp_path, model_cache, fm, reviewed, coordinator):
    """Restored from a testset.npz of an earlier version (no names, no pictures): the matrix still; the
    pictures ask for the test set to be loaded again."""
    from influx_desktop.coordinator import Coordinator

    path = coordinator.data_dir / "sessions" / str(reviewed) / "testset.npz"
    with np.load(path) as data:
        np.savez(path, id=data["id"], features=data["features"], labels=data["labels"])
    path.with_name("testset_images.zip").unlink()
    coordinator.close()
    again = Coordinator(coordinator.data_dir, model_cache=model_cache)
    try:
        review = again.test_set_review(reviewed, 1)
        assert review.per_class() == again.accuracy_history(reviewed)[1]["per_class"]
        assert review.misclassified[0].name.startswith("image ")
        with pytest.raises(NotFound) as info:
            again.explain_test_image(reviewed, 1, review.misclassified[0].index)
        assert "load the test set again" in info.value.message
    finally:
        again.close()
