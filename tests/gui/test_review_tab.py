"""The "Test set" tab (issue 16): for each model version, the confusion matrix of the test set the
facilitator loaded agrees with the per-class counts the server stored; a misclassified image shows the
maps of the class the model chose and of the right one, drawn over the picture."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import Participant, fill_new_session, start_and_wait

pytestmark = pytest.mark.gui

CLASSES = ["shirt", "trouser", "sneaker", "bag"]


def write_fashion_mnist_folder(root, per_class: int = 6):
    from fashion_mnist import CLASS_NAMES, available, load_fashion_mnist

    if not available():
        pytest.fail("Debian package dataset-fashion-mnist is not installed: run scripts/setup.sh --tests")
    images, labels = load_fashion_mnist("test", [CLASS_NAMES.index(c) for c in CLASSES], per_class, seed=3, size=28)
    for i, (image, label) in enumerate(zip(images, labels)):
        folder = root / CLASSES[label]
        folder.mkdir(parents=True, exist_ok=True)
        image.save(folder / f"{i}.png")
    return root


def image_array(pixmap) -> np.ndarray:
    from PySide6.QtGui import QImage

    image = pixmap.toImage().convertToFormat(QImage.Format_RGB888)
    w, h = image.width(), image.height()
    return np.frombuffer(bytes(image.constBits()), np.uint8).reshape(h, image.bytesPerLine())[:, : 3 * w].reshape(h, w, 3)


def test_confusion_matrix_per_version_and_a_mistakes_heatmap(qtbot, window, tmp_path, monkeypatch):
    fill_new_session(qtbot, window, "Clothes", CLASSES)
    start_and_wait(qtbot, window)
    folder = write_fashion_mnist_folder(tmp_path / "testset")
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getExistingDirectory", lambda *a, **k: str(folder))
    window.toolbar.testset_action.trigger()
    ada = Participant(window.serving.join_url, "Ada")
    for _ in range(2):
        assert ada.send_update(noise=0.05)[0] == 200
    coordinator, sid = window.coordinator, window.session_id
    qtbot.waitUntil(lambda: [h["version"] for h in coordinator.accuracy_history(sid)] == [0, 1, 2], timeout=60_000)

    view = window.review
    window.tabs.setCurrentWidget(view)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Test set"
    qtbot.waitUntil(lambda: view.version_combo.count() == 3 and view.controller.review is not None, timeout=20_000)
    stored = {h["version"]: h for h in coordinator.accuracy_history(sid)}
    for index in range(view.version_combo.count()):  # the facilitator picks each version in turn
        version = view.version_combo.itemData(index)
        view.version_combo.setCurrentIndex(index)
        view.version_combo.activated.emit(index)
        qtbot.waitUntil(lambda version=version: view.controller.review.version == version, timeout=10_000)
        counts = np.array(view.matrix_counts())
        assert counts.shape == (4, 4)
        per_class = stored[version]["per_class"]
        assert [int(counts[k, k]) for k in range(4)] == [per_class[c]["correct"] for c in CLASSES]
        assert counts.sum(axis=1).tolist() == [per_class[c]["total"] for c in CLASSES] == [6] * 4
        assert view.mistakes.count() == counts.sum() - np.trace(counts)
        assert f"{int(np.trace(counts))} of 24 test images right" in view.summary.text()

    review = view.controller.review
    assert review.misclassified, "a barely trained model should get some test images wrong"
    view.mistakes.setCurrentRow(0)
    qtbot.waitUntil(lambda: view.shown_explanation is not None, timeout=20_000)
    wrong = review.misclassified[0]
    said, actual = CLASSES[wrong.predicted], CLASSES[wrong.label]
    assert view.chosen_caption.text() == f"Where it saw a {said}"
    assert view.true_caption.text() == f"Where it saw a {actual} (the right class)"
    assert f"a {actual}, taken for a {said}" in view.mistakes.item(0).text()
    expected = coordinator.explain_test_image(sid, review.version, wrong.index)
    assert expected.predicted == wrong.predicted
    np.testing.assert_array_equal(image_array(view.chosen_map.pixmap()), expected.overlay(wrong.predicted))
    np.testing.assert_array_equal(image_array(view.true_map.pixmap()), expected.overlay(wrong.label))
    np.testing.assert_array_equal(image_array(view.picture.pixmap()), expected.picture)


def test_without_a_test_set_the_tab_says_what_to_do(qtbot, window):
    fill_new_session(qtbot, window, "Empty", CLASSES)
    start_and_wait(qtbot, window)
    window.tabs.setCurrentWidget(window.review)
    qtbot.waitUntil(lambda: "Load a test set" in window.review.message.text(), timeout=10_000)
    assert window.review.version_combo.count() == 0 and window.review.matrix.rowCount() == 0
