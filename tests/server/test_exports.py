"""What the facilitator takes home: the global model as one ONNX file, and the event log as CSV and JSONL."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from participant_sim import SimulatedParticipant

from influx_desktop.models import head
from influx_desktop.models.backbones import get_backbone
from influx_desktop.models.features import FeatureExtractor
from influx_desktop.models.images import preprocess_batch

#: ``condition`` (issue 18: the session's label in its study) came last; earlier columns never move.
EVENT_COLUMNS = ["id", "session_id", "at", "kind", "participant_id", "data", "condition"]


@pytest.fixture
def trained_session(fl_server, fm, tmp_path):
    """A session whose model two participants have trained on real features for two rounds."""
    server = fl_server()
    admin = server.admin()
    session = admin.create_session(fm.session_settings("Exports", local_epochs=3))
    sid = session["id"]
    admin.start(sid)
    sims = []
    for i in range(2):
        features, labels = fm.shard(i, 3)
        sim = SimulatedParticipant(
            server.url,
            features,
            labels,
            artifact_dir=tmp_path / "a",
            nickname=f"sim{i}",
            feature_sha256=fm.feature_sha256,
            seed=i,
        )
        sim.join(session["join_code"])
        sims.append(sim)
    for _ in range(2):
        for sim in sims:
            assert sim.train_round()["accepted"]
    sims[0].report_test_result(fm.test_features, fm.test_labels)
    return server, admin, sid, sims


def test_exported_model_runs_in_plain_onnxruntime_and_matches_backbone_plus_head(trained_session, fm, extractor_artifact):
    from influx_desktop.models.runtime import load_onnxruntime

    server, admin, sid, _ = trained_session
    response = admin.call("GET", f"/api/v1/admin/sessions/{sid}/model.onnx")
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert f"influx-session-{sid}.onnx" in response.headers["Content-Disposition"]

    ort = load_onnxruntime()
    exported = ort.InferenceSession(response.body, providers=["CPUExecutionProvider"])
    assert [i.name for i in exported.get_inputs()] == ["input"]
    assert [o.name for o in exported.get_outputs()] == ["logits", "probabilities"]
    meta = exported.get_modelmeta().custom_metadata_map
    assert json.loads(meta["influx.class_names"]) == fm.classes and meta["influx.num_classes"] == "4"

    picked = list(range(0, len(fm.test_labels), 10))  # 16 images, all four classes
    batch = preprocess_batch([fm.test_images[i] for i in picked], get_backbone("efficientnet_lite0"))
    logits, probabilities = exported.run(None, {"input": batch})

    version, parameters = server.coordinator.parameters(sid)
    assert version == 6  # two versions from the participants' class statistics, four from their updates
    features = FeatureExtractor(extractor_artifact.path).extract(batch)
    expected = head.logits(features, parameters, len(fm.classes))
    np.testing.assert_allclose(logits, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert (probabilities.argmax(axis=1) == expected.argmax(axis=1)).all()
    # A trained model, not the initial one: it gets most of these right.
    assert (logits.argmax(axis=1) == fm.test_labels[picked]).mean() >= 0.75


def test_exported_model_with_heatmap_gives_every_class_map_over_the_photo(trained_session, fm, extractor_artifact):
    """``?heatmap=1`` adds ``"heatmap"`` [N,K,7,7]: the class activation maps of the current model (issue 16)."""
    from influx_desktop.models import cam
    from influx_desktop.models.runtime import load_onnxruntime

    server, admin, sid, _ = trained_session
    plain = admin.call("GET", f"/api/v1/admin/sessions/{sid}/model.onnx?heatmap=0").body
    body = admin.call("GET", f"/api/v1/admin/sessions/{sid}/model.onnx?heatmap=1").body
    ort = load_onnxruntime()
    assert [o.name for o in ort.InferenceSession(plain).get_outputs()] == ["logits", "probabilities"]
    exported = ort.InferenceSession(body, providers=["CPUExecutionProvider"])
    assert [o.name for o in exported.get_outputs()] == ["logits", "probabilities", "heatmap"]
    batch = preprocess_batch(fm.test_images[::20], get_backbone("efficientnet_lite0"))
    logits, _, heatmap = exported.run(None, {"input": batch})
    _, parameters = server.coordinator.parameters(sid)
    _, feature_maps = FeatureExtractor(extractor_artifact.path).extract_with_maps(batch)
    expected = cam.class_activation_maps(feature_maps, parameters, len(fm.classes))
    assert heatmap.shape == (len(batch), 4, 7, 7)
    np.testing.assert_allclose(heatmap, expected, rtol=0, atol=1e-4)
    np.testing.assert_allclose(cam.logits_from_maps(heatmap, parameters, 4), logits, rtol=0, atol=1e-4)


def test_event_log_exports_parse_and_list_every_event_in_order(trained_session):
    server, admin, sid, sims = trained_session
    jsonl = admin.call("GET", f"/api/v1/admin/sessions/{sid}/events.jsonl")
    assert jsonl.headers["Content-Type"].startswith("application/x-ndjson")
    events = [json.loads(line) for line in jsonl.body.decode().splitlines()]
    ids = [e["id"] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert all(e["session_id"] == sid for e in events)
    kinds = [e["kind"] for e in events]
    assert kinds[:4] == ["session_created", "session_started", "participant_joined", "participant_joined"]
    # Each participant's class statistics come before its first update and make a version of their own.
    first_round = ["class_stats_received", "model_version", "update_accepted", "model_version"]
    assert kinds[4:] == first_round * 2 + ["update_accepted", "model_version"] * 2 + ["test_result"]
    accepted = [e for e in events if e["kind"] == "update_accepted"]
    assert [e["participant_id"] for e in accepted] == [s.participant_id for s in sims] * 2
    stats = [e for e in events if e["kind"] == "class_stats_received"]
    assert [e["participant_id"] for e in stats] == [s.participant_id for s in sims]
    assert [e["data"]["version"] for e in events if e["kind"] == "model_version"] == [1, 2, 3, 4, 5, 6]
    assert [e["data"]["update_ids"] for e in events if e["kind"] == "model_version" and e["data"]["update_ids"]] == [
        [e["data"]["update_id"]] for e in accepted
    ]
    assert events[0]["data"]["config"]["title"] == "Exports"
    assert events == server.coordinator.event_log(sid)

    text = admin.call("GET", f"/api/v1/admin/sessions/{sid}/events.csv")
    assert text.headers["Content-Type"].startswith("text/csv")
    assert f"influx-session-{sid}-events.csv" in text.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text.body.decode())))
    assert rows[0] == EVENT_COLUMNS
    assert len(rows) == len(events) + 1
    for row, event in zip(rows[1:], events):
        assert int(row[0]) == event["id"] and int(row[1]) == sid
        assert float(row[2]) == pytest.approx(event["at"], abs=1e-6)
        assert row[3] == event["kind"]
        assert row[4] == ("" if event["participant_id"] is None else str(event["participant_id"]))
        assert json.loads(row[5]) == event["data"]
        assert row[6] == event["condition"] == "Exports"  # a session in no group: its title
