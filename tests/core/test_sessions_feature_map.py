"""Which feature extractor a session serves since issue 16 (the one with a feature map output), and that a
session prepared before keeps the file it was prepared with: its participants' cached features and
downloads stay valid."""

from __future__ import annotations

import json

import pytest

from influx_desktop.models.features import FeatureExtractor

# float32, what every session was before int8 became the default (after issue 16)
BASE = {"title": "Clothes", "classes": ["shirt", "trouser"], "quantized_backbone": False}


@pytest.mark.parametrize("quantized", [True, False], ids=["int8 (the default)", "float32"])
def test_a_new_session_serves_the_extractor_with_the_feature_map(coordinator, model_cache, quantized):
    sid = coordinator.create_session({**BASE, "quantized_backbone": quantized})["id"]
    entry = coordinator.prepare_models(sid)["feature_extractor"]
    expected = model_cache.feature_extractor("efficientnet_lite0", True, quantized=quantized, feature_map=True)
    assert (entry["sha256"], entry["bytes"]) == (expected.sha256, expected.bytes)
    assert FeatureExtractor(coordinator.models.artifact_by_sha256(entry["sha256"])).has_feature_map


def _prepared_before_issue_16(coordinator, sid: int, extractor) -> None:
    """What a session prepared by the previous version stores: the extractor without the map."""
    with coordinator.store.transaction() as db:
        stored = json.loads(db.execute("SELECT artifacts FROM sessions WHERE id=?", (sid,)).fetchone()["artifacts"])
        stored["feature_extractor"] = {
            "url": f"/api/v1/artifacts/{extractor.sha256}",
            "sha256": extractor.sha256,
            "bytes": extractor.bytes,
        }
        db.execute("UPDATE sessions SET artifacts=? WHERE id=?", (json.dumps(stored), sid))


def test_a_session_prepared_before_keeps_its_extractor(tmp_path, model_cache, extractor_without_map):
    from influx_desktop.coordinator import Coordinator

    data = tmp_path / "data"
    first = Coordinator(data, model_cache=model_cache)
    sid = first.create_session(BASE)["id"]
    first.start_session(sid)
    _prepared_before_issue_16(first, sid, extractor_without_map)
    first.close()

    again = Coordinator(data, model_cache=model_cache)  # the app restarted with this version
    try:
        assert again.prepare_models(sid)["feature_extractor"]["sha256"] == extractor_without_map.sha256
        # Only the head's files depend on the learning rate: changing it keeps the extractor too.
        before = again.prepare_models(sid)
        again.update_session(sid, {"learning_rate": 0.003})
        after = again.prepare_models(sid)
        assert after["feature_extractor"] == before["feature_extractor"]
        assert after["optimizer_model"]["sha256"] != before["optimizer_model"]["sha256"]
        assert again.models.artifact_by_sha256(extractor_without_map.sha256) == extractor_without_map.path
    finally:
        again.close()


def test_a_new_backbone_choice_gets_a_new_extractor(coordinator, extractor_without_map, extractor_artifact):
    sid = coordinator.create_session(BASE)["id"]
    coordinator.prepare_models(sid)
    _prepared_before_issue_16(coordinator, sid, extractor_without_map)
    coordinator.update_session(sid, {"quantized_backbone": True})
    coordinator.update_session(sid, {"quantized_backbone": False})
    assert coordinator.prepare_models(sid)["feature_extractor"]["sha256"] == extractor_artifact.sha256
