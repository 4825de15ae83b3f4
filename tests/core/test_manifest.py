"""The task manifest: what a participant's browser downloads, with the session's current settings."""

from __future__ import annotations

import math

from influx_desktop.models import head
from influx_desktop.session import honest_update_bound


def test_the_manifest_carries_the_task_the_model_files_and_the_training_settings(coordinator):
    session = coordinator.create_session({"title": "Fruit", "classes": ["apple", "pear", "plum"], "local_epochs": 4})
    sid = session["id"]
    coordinator.start_session(sid)
    ada = coordinator.authenticate(coordinator.join(session["join_code"], "Ada")["token"])
    task = coordinator.manifest(ada)

    assert (task["session_id"], task["title"], task["classes"], task["state"], task["version"]) == (
        sid,
        "Fruit",
        ["apple", "pear", "plum"],
        "running",
        0,
    )
    assert task["participant"] == {
        "id": ada.id,
        "nickname": "Ada",
        "study": {"pseudonym": f"P{ada.id}", "consented": False, "withdrawn": False},
    }
    assert task["class_model"] == {"learned_classes": [], "contributors": 0}  # nothing learned yet
    artifacts = coordinator.prepare_models(sid)
    assert task["artifacts"] == artifacts
    assert set(artifacts) == {"feature_extractor", "training_model", "eval_model", "optimizer_model", "checkpoint"}
    assert all(a["url"] == f"/api/v1/artifacts/{a['sha256']}" for a in artifacts.values())
    assert task["backbone"]["sha256"] == artifacts["feature_extractor"]["sha256"]
    assert (task["backbone"]["name"], task["backbone"]["quantized"]) == ("efficientnet_lite0", "int8")  # the default
    assert task["parameter_count"] == head.parameter_count(3) == 3 * 1280 + 3
    assert task["training"] == {
        "local_epochs": 4,
        "batch_size": 64,
        "learning_rate": 1e-3,
        "send_class_stats": True,
        "mask_absent_classes": True,
    }
    assert task["limits"]["max_staleness"] == 20 and task["limits"]["max_update_norm"] == 100.0
    assert math.isclose(task["limits"]["clip_update_norm"], honest_update_bound(1e-3, 4, head.parameter_count(3)))


def test_a_changed_learning_rate_gives_new_optimizer_files(coordinator):
    session = coordinator.create_session({"title": "t", "classes": ["a", "b"]})
    sid = session["id"]
    coordinator.start_session(sid)
    ada = coordinator.authenticate(coordinator.join(session["join_code"])["token"])
    before = coordinator.manifest(ada)
    coordinator.update_session(sid, {"learning_rate": 0.01, "clip_update_norm": 0})
    after = coordinator.manifest(ada)
    assert after["training"]["learning_rate"] == 0.01 and after["limits"]["clip_update_norm"] == 0
    assert after["artifacts"]["optimizer_model"]["sha256"] != before["artifacts"]["optimizer_model"]["sha256"]
    assert after["artifacts"]["feature_extractor"] == before["artifacts"]["feature_extractor"]
