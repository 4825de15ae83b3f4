"""The facilitator's "smaller download (int8)" option: ``SessionConfig.quantized_backbone``.

It round-trips and is validated like every setting, is fixed once the session has run (its features are
not the float32 model's), and switches what participants download: the manifest's backbone.sha256 and
artifacts.feature_extractor name the int8 file, which the server serves and also uses itself for the
facilitator's test set.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from participant_sim import ApiError, SimulatedParticipant

from influx_desktop.errors import Conflict, InvalidInput
from influx_desktop.models.backbones import get_backbone
from influx_desktop.models.features import FeatureExtractor
from influx_desktop.models.images import preprocess_batch
from influx_desktop.session import SessionConfig
from influx_desktop.testset import read_test_zip

BASE = {"title": "Clothes", "classes": ["shirt", "trouser"]}


@pytest.fixture(scope="module")
def int8_artifact(model_cache):
    return model_cache.feature_extractor("efficientnet_lite0", True, quantized=True, feature_map=True)


def test_a_new_session_gets_int8_for_the_pretrained_default_backbone_only():
    assert SessionConfig.new(BASE).quantized_backbone is True
    assert SessionConfig.new({**BASE, "pretrained": False}).quantized_backbone is False
    assert SessionConfig.new({**BASE, "backbone": "mobilenet_v2"}).quantized_backbone is False
    assert SessionConfig.new({**BASE, "quantized_backbone": False}).quantized_backbone is False  # asked for float32
    assert SessionConfig.new({**BASE, "backbone": "mobilenet_v2", "quantized_backbone": True}).quantized_backbone is True


def test_a_stored_session_without_the_option_stays_float32(coordinator, extractor_artifact):
    """A session stored before the option existed has no key: its participants' features came from float32."""
    sid = coordinator.create_session(BASE)["id"]
    assert coordinator.config(sid).quantized_backbone is True
    with coordinator.store.transaction() as db:
        stored = json.loads(db.execute("SELECT config FROM sessions WHERE id = ?", (sid,)).fetchone()[0])
        del stored["quantized_backbone"]
        db.execute("UPDATE sessions SET config = ? WHERE id = ?", (json.dumps(stored), sid))
    assert coordinator.config(sid).quantized_backbone is False
    assert coordinator.prepare_models(sid)["feature_extractor"]["sha256"] == extractor_artifact.sha256


def test_option_round_trips():
    config = SessionConfig.from_dict(BASE)
    assert config.quantized_backbone is False  # what a stored session without the key means
    on = SessionConfig.from_dict({**BASE, "quantized_backbone": True})
    assert on.quantized_backbone is True
    assert SessionConfig.from_dict(json.loads(json.dumps(on.to_dict()))) == on
    assert on.replace({"quantized_backbone": False}).quantized_backbone is False


@pytest.mark.parametrize("value", ["true", 1, 0, None, [True]])
def test_option_must_be_a_boolean(value):
    with pytest.raises(InvalidInput) as info:
        SessionConfig.from_dict({**BASE, "quantized_backbone": value})
    assert info.value.field == "quantized_backbone"
    assert "true or false" in info.value.message


def test_switching_before_the_session_runs_changes_the_prepared_extractor(coordinator, extractor_artifact, int8_artifact):
    sid = coordinator.create_session({**BASE, "quantized_backbone": False})["id"]
    assert coordinator.prepare_models(sid)["feature_extractor"]["sha256"] == extractor_artifact.sha256
    coordinator.update_session(sid, {"quantized_backbone": True})
    assert coordinator.get_session(sid)["config"]["quantized_backbone"] is True
    prepared = coordinator.prepare_models(sid)["feature_extractor"]
    assert (prepared["sha256"], prepared["bytes"]) == (int8_artifact.sha256, int8_artifact.bytes)
    coordinator.update_session(sid, {"quantized_backbone": False})
    assert coordinator.prepare_models(sid)["feature_extractor"]["sha256"] == extractor_artifact.sha256


def test_option_is_locked_once_the_session_has_run(coordinator, int8_artifact):
    sid = coordinator.create_session({**BASE, "quantized_backbone": True})["id"]
    coordinator.start_session(sid)
    coordinator.stop_session(sid)
    with pytest.raises(Conflict) as info:
        coordinator.update_session(sid, {"quantized_backbone": False})
    assert info.value.code == "session_has_run" and info.value.field == "quantized_backbone"
    assert coordinator.get_session(sid)["config"]["quantized_backbone"] is True
    # Other settings still change; the prepared extractor stays the int8 one.
    coordinator.update_session(sid, {"local_epochs": 3})
    assert coordinator.prepare_models(sid)["feature_extractor"]["sha256"] == int8_artifact.sha256


def test_a_test_set_extracted_with_the_old_extractor_is_discarded_when_it_changes(coordinator, fm, int8_artifact):
    sid = coordinator.create_session(fm.session_settings("t"))["id"]
    every = 16
    test_zip = fm.test_set_zip(every)
    coordinator.load_test_set(sid, read_test_zip(test_zip, tuple(fm.classes)))
    coordinator.evaluator.wait_idle()
    assert coordinator.test_set_status(sid)["state"] == "ready"
    coordinator.update_session(sid, {"quantized_backbone": True})
    coordinator.evaluator.wait_idle()
    assert coordinator.test_set_status(sid)["state"] == "none"  # the facilitator uploads it again
    # Extracted again now, with the int8 model (what participants use): its features, not the float32 ones.
    coordinator.load_test_set(sid, read_test_zip(test_zip, tuple(fm.classes)))
    coordinator.evaluator.wait_idle()
    features = coordinator.evaluator._test_sets[sid].features
    expected = FeatureExtractor(int8_artifact.path).extract(
        preprocess_batch(fm.test_images[::every], get_backbone("efficientnet_lite0"))
    )
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-5)
    assert not np.allclose(features, fm.test_features[::every], atol=1e-3)


def test_real_server_manifest_names_and_serves_the_int8_file(fl_server, tmp_path, extractor_artifact, int8_artifact):
    server = fl_server()
    admin = server.admin()
    session = admin.create_session({**BASE, "quantized_backbone": True})
    assert session["config"]["quantized_backbone"] is True
    admin.start(session["id"])
    sim = SimulatedParticipant(server.url, np.zeros((2, 1280), np.float32), np.array([0, 1]), artifact_dir=tmp_path / "a")
    sim.join(session["join_code"])
    task = sim.task()
    entry = task["artifacts"]["feature_extractor"]
    assert task["backbone"]["sha256"] == entry["sha256"] == int8_artifact.sha256
    assert task["backbone"]["quantized"] == "int8"
    assert entry["bytes"] == int8_artifact.bytes < extractor_artifact.bytes / 3
    path = sim.download_artifact(entry)  # checks size and sha256
    assert hashlib.sha256(path.read_bytes()).hexdigest() == int8_artifact.sha256
    # A float32 session on the same server still gets the float32 file.
    other = admin.create_session({**BASE, "quantized_backbone": False})
    admin.start(other["id"])
    sim2 = SimulatedParticipant(server.url, np.zeros((2, 1280), np.float32), np.array([0, 1]), artifact_dir=tmp_path / "b")
    sim2.join(other["join_code"])
    assert sim2.task()["backbone"]["sha256"] == extractor_artifact.sha256
    assert sim2.task()["backbone"]["quantized"] is None
    # The lock holds through the HTTP API too.
    with pytest.raises(ApiError) as info:
        admin.configure(session["id"], {"quantized_backbone": False})
    assert (info.value.status, info.value.code, info.value.field) == (409, "session_has_run", "quantized_backbone")
