"""The server scores every model version on the facilitator's test set, off the request path."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from image_zip import png_bytes, zip_bytes

from influx_desktop.errors import InvalidInput
from influx_desktop.events import record
from influx_desktop.models import head, images
from influx_desktop.store import add_model_version
from influx_desktop.testset import read_test_zip


def _small_test_set(fm, every: int = 20) -> tuple[bytes, np.ndarray]:
    return fm.test_set_zip(every), fm.test_features[::every]


def test_versions_published_while_the_test_set_is_extracted_are_scored_once_each(coordinator, fm, monkeypatch):
    session = coordinator.create_session(fm.session_settings("t"))
    sid = session["id"]
    coordinator.start_session(sid)
    joined = coordinator.join(session["join_code"])
    who = coordinator.authenticate(joined["token"])

    # Hold the evaluator inside the extraction until three versions have been published.
    release = threading.Event()
    real_square_image = images.square_image

    def slow_square_image(data, backbone):
        assert release.wait(30)
        return real_square_image(data, backbone)

    monkeypatch.setattr(images, "square_image", slow_square_image)
    zip_bytes, features = _small_test_set(fm)
    coordinator.load_test_set(sid, read_test_zip(zip_bytes, tuple(fm.classes)))
    assert coordinator.test_set_status(sid)["state"] == "extracting"
    rng = np.random.default_rng(0)
    for version in range(3):
        _, current = coordinator.parameters(sid)
        moved = current + rng.normal(0, 0.01, current.shape).astype(np.float32)
        assert coordinator.submit_update(who, version, 5, moved.astype("<f4").tobytes())["version"] == version + 1
    release.set()
    coordinator.evaluator.wait_idle()

    history = coordinator.accuracy_history(sid)
    assert [h["version"] for h in history] == [0, 1, 2, 3]
    labels = read_test_zip(zip_bytes, tuple(fm.classes))
    labels = np.array([image.label for image in labels])
    for h in history:
        _, parameters = coordinator.parameters(sid, h["version"])
        expected = (head.logits(features, parameters, len(fm.classes)).argmax(axis=1) == labels).mean()
        assert h["accuracy"] == pytest.approx(expected) and h["n"] == len(labels)
    assert coordinator.test_set_status(sid)["state"] == "ready"


def test_test_set_zip_rules(fm):
    classes = ("cat", "dog")
    png = png_bytes(fm.test_images[0])
    got = read_test_zip(
        zip_bytes({"cat/a.png": png, "dog/b.PNG": png, "dog/notes.txt": b"x", "__MACOSX/cat/c.png": png}), classes
    )
    assert [(i.name, i.label) for i in got] == [("cat/a.png", 0), ("dog/b.PNG", 1)]
    # One top folder around the class folders is allowed.
    assert len(read_test_zip(zip_bytes({"set/cat/a.png": png, "set/dog/b.png": png}), classes)) == 2
    with pytest.raises(InvalidInput, match="bird") as e:
        read_test_zip(zip_bytes({"cat/a.png": png, "bird/b.png": png}), classes)
    assert e.value.field == "folder"
    with pytest.raises(InvalidInput, match="no images"):
        read_test_zip(zip_bytes({"cat/a.txt": b"x"}), classes)
    with pytest.raises(InvalidInput, match="zip"):
        read_test_zip(b"not a zip", classes)


def test_a_second_test_set_gets_its_own_curve_over_every_version(coordinator, fm):
    session = coordinator.create_session(fm.session_settings("t"))
    sid = session["id"]
    coordinator.start_session(sid)
    who = coordinator.authenticate(coordinator.join(session["join_code"])["token"])
    first_zip, _ = _small_test_set(fm, every=20)
    coordinator.load_test_set(sid, read_test_zip(first_zip, tuple(fm.classes)))
    coordinator.evaluator.wait_idle()
    rng = np.random.default_rng(1)
    for version in range(2):
        _, current = coordinator.parameters(sid)
        moved = current + rng.normal(0, 0.01, current.shape).astype(np.float32)
        coordinator.submit_update(who, version, 5, moved.astype("<f4").tobytes())
    coordinator.evaluator.wait_idle()
    first_history = coordinator.accuracy_history(sid)
    assert [h["version"] for h in first_history] == [0, 1, 2]

    second_zip, second_features = _small_test_set(fm, every=7)
    coordinator.load_test_set(sid, read_test_zip(second_zip, tuple(fm.classes)))
    coordinator.evaluator.wait_idle()
    second_history = coordinator.accuracy_history(sid)
    assert [h["version"] for h in second_history] == [0, 1, 2]
    assert {h["n"] for h in second_history} == {len(second_features)} != {h["n"] for h in first_history}
    assert len({h["test_set"] for h in second_history}) == 1
    assert second_history[0]["test_set"] != first_history[0]["test_set"]


def test_the_evaluator_hears_of_new_versions_on_the_event_bus(coordinator, fm):
    """It is told nothing by the parts that publish versions: a model_version event is enough."""
    sid = coordinator.create_session(fm.session_settings("t"))["id"]
    zip_bytes, _ = _small_test_set(fm, every=40)
    coordinator.load_test_set(sid, read_test_zip(zip_bytes, tuple(fm.classes)))
    coordinator.evaluator.wait_idle()
    assert [h["version"] for h in coordinator.accuracy_history(sid)] == [0]

    _, start = coordinator.parameters(sid)
    with coordinator.store.transaction() as db:
        add_model_version(db, sid, 1, -start, 0.0, [])
        event = record(db, sid, "model_version", version=1, update_ids=[])
    coordinator.events.publish(event)
    coordinator.evaluator.wait_idle()
    assert [h["version"] for h in coordinator.accuracy_history(sid)] == [0, 1]
