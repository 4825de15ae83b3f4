"""``influx-desktop serve`` killed with SIGKILL comes back, on the same data dir, exactly where it was."""

from __future__ import annotations

import http.client
import json
import signal
import sqlite3
import threading
import time

import numpy as np
import pytest
from participant_sim import ApiError, SimulatedParticipant
from serve_process import ServeProcess, seed_models

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

CLASSES = ["shirt", "trouser", "bag"]


def _stable(participants: list[dict]) -> list[tuple]:
    return [
        (p["id"], p["nickname"], p["device"], p["joined_at"], p["revoked"], p["accepted"], p["rejected"]) for p in participants
    ]


def test_sigkill_between_updates_then_restart_resumes_the_same_state(tmp_path, model_cache, extractor_artifact, serve_processes):
    model_cache.head_artifacts(len(CLASSES), 1e-3)
    data_dir = tmp_path / "data"
    seed_models(model_cache, data_dir)

    first = ServeProcess(data_dir, "--title", "Crash course", "--classes", ",".join(CLASSES))
    serve_processes.append(first)
    assert first.info["url"].startswith("http://127.0.0.1:") and first.info["version"] == "0"
    sid = int(first.info["session"])
    no_data = np.zeros((0, 1280), np.float32), np.zeros(0, np.int64)
    sim = SimulatedParticipant(first.url, *no_data, artifact_dir=tmp_path / "a", nickname="Ada")
    sim.join(first.info["join code"])
    other = SimulatedParticipant(first.url, *no_data, artifact_dir=tmp_path / "a", nickname="Bo")
    other.join(first.info["join code"])
    rng = np.random.default_rng(0)
    for _ in range(5):
        version, parameters = sim.model()
        # honest-sized (within the automatic clip), so replaying the stored updates needs no clipping
        sim.submit(parameters + rng.normal(0, 0.002, parameters.shape).astype(np.float32), version, sample_count=8)
    stale = sim.request(
        "POST",
        "/api/v1/updates",
        parameters.tobytes(),
        content_type="application/octet-stream",
        headers={"X-Base-Version": "0", "X-Sample-Count": "1"},
    )
    assert stale.status == 200  # within the staleness limit: accepted as a 6th update
    admin = first.admin()
    admin.revoke(sid, other.participant_id)

    before_model = sim.call("GET", "/api/v1/model")
    before = {
        "session": admin.session(sid),
        "participants": _stable(admin.participants(sid)),
        "versions": admin.versions(sid),
        "updates": admin.updates(sid),
        "events": admin.events(sid, "jsonl"),
    }
    assert before_model.headers["X-Model-Version"] == "6"

    assert first.kill() == -signal.SIGKILL
    second = ServeProcess(data_dir)  # no --title: resume the newest session
    serve_processes.append(second)
    assert second.info["session"] == str(sid) and second.info["version"] == "6"
    assert second.info["join code"] == first.info["join code"]
    assert second.info["admin token"] != first.info["admin token"]  # a new one each start

    sim.base_url = other.base_url = second.url  # same machine, new port
    after_model = sim.call("GET", "/api/v1/model")  # the old participant token still works
    assert after_model.headers["X-Model-Version"] == "6"
    assert after_model.body == before_model.body
    admin = second.admin()
    assert admin.session(sid)["version"] == 6 and admin.session(sid)["state"] == "running"
    assert _stable(admin.participants(sid)) == before["participants"]
    assert admin.versions(sid) == before["versions"]
    assert admin.updates(sid) == before["updates"]
    events_after = admin.events(sid, "jsonl")
    assert events_after.startswith(before["events"])
    kinds = [json.loads(line)["kind"] for line in before["events"].splitlines()]
    assert kinds[:2] == ["session_created", "session_started"] and kinds.count("model_version") == 6
    with pytest.raises(ApiError) as revoked:
        other.model()
    assert revoked.value.code == "token_revoked"

    # And it carries on from there.
    version, parameters = sim.model()
    ack = sim.submit(parameters + 0.001, version, sample_count=8)
    assert ack["version"] == 7 and ack["staleness"] == 0
    assert second.kill() == -signal.SIGKILL
    with sqlite3.connect(data_dir / "influx.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_sigkill_during_a_stream_of_updates_loses_no_acknowledged_update(
    tmp_path, model_cache, extractor_artifact, serve_processes
):
    """Killed mid-flight: every update the server acknowledged is on disk after the restart, versions have
    no gaps, and the model is what replaying the stored updates gives (FedBuff, so some were buffered)."""
    from influx_desktop.strategies import ClientUpdate, make_strategy

    model_cache.head_artifacts(len(CLASSES), 1e-3)
    data_dir = tmp_path / "data"
    seed_models(model_cache, data_dir)
    settings = {
        "title": "Crash mid-flight",
        "classes": CLASSES,
        "aggregator": "fedbuff",
        "aggregator_params": {"buffer_size": 3},
        "max_staleness": 1000,
    }
    (tmp_path / "session.json").write_text(json.dumps(settings))
    first = ServeProcess(data_dir, "--config", str(tmp_path / "session.json"))
    serve_processes.append(first)
    sid = int(first.info["session"])

    no_data = np.zeros((0, 1280), np.float32), np.zeros(0, np.int64)
    sims = [
        SimulatedParticipant(first.url, *no_data, artifact_dir=tmp_path / "a", nickname=f"p{i}", timeout=10) for i in range(4)
    ]
    for sim in sims:
        sim.join(first.info["join code"])
    acknowledged: list[int] = []
    lock = threading.Lock()

    def post_until_the_server_dies(i: int, sim: SimulatedParticipant) -> None:
        rng = np.random.default_rng(i)
        while True:
            try:
                version, parameters = sim.model()
                # honest-sized (within the automatic clip), so replaying the stored updates needs no clipping
                ack = sim.submit(
                    parameters + rng.normal(0, 0.002, parameters.shape).astype(np.float32), version, sample_count=1 + i
                )
            except (OSError, http.client.HTTPException, ApiError):
                return  # connection refused or reset: the server is gone
            with lock:
                acknowledged.append(ack["update_id"])

    threads = [threading.Thread(target=post_until_the_server_dies, args=(i, s)) for i, s in enumerate(sims)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 25 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert first.kill() == -signal.SIGKILL
    for t in threads:
        t.join(30)
    assert len(acknowledged) >= 25

    second = ServeProcess(data_dir)
    serve_processes.append(second)
    admin = second.admin()
    updates = admin.updates(sid)
    versions = admin.versions(sid)
    accepted = [u for u in updates if u["status"] != "rejected"]
    assert set(acknowledged) <= {u["id"] for u in accepted}  # an update may be stored but unacknowledged
    assert [v["version"] for v in versions] == list(range(len(versions)))
    assert second.info["version"] == str(len(versions) - 1)
    print(f"killed with {len(acknowledged)} updates acknowledged; {len(accepted)} stored, version {len(versions) - 1}")
    applied = [uid for v in versions for uid in v["update_ids"]]
    assert sorted(applied) == [u["id"] for u in accepted if u["status"] == "applied"]
    buffered = [u["id"] for u in accepted if u["status"] == "buffered"]
    assert len(buffered) < 3 and (not buffered or not applied or min(buffered) > max(applied))

    # Replay the stored updates: the restarted server holds exactly that model.
    from influx_desktop.coordinator import Coordinator

    assert second.kill() == -signal.SIGKILL
    coordinator = Coordinator(data_dir, model_cache=model_cache)
    try:
        strategy = make_strategy("fedbuff", {"buffer_size": 3})
        stored_parameters = dict(coordinator.accepted_update_parameters(sid))
        replayed = [coordinator.parameters(sid, 0)[1]]
        pending = []
        for u in accepted:
            pending.append(
                ClientUpdate(stored_parameters[u["id"]], replayed[u["base_version"]], u["staleness"], u["sample_count"])
            )
            if len(pending) == 3:
                replayed.append(strategy.aggregate(replayed[-1], pending))
                pending = []
        assert len(replayed) == len(versions)
        assert coordinator.parameters(sid)[1].tobytes() == replayed[-1].tobytes()
    finally:
        coordinator.close()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_shuts_down_cleanly(tmp_path, model_cache, extractor_artifact, serve_processes, sig):
    model_cache.head_artifacts(len(CLASSES), 1e-3)
    data_dir = tmp_path / "data"
    seed_models(model_cache, data_dir)
    serve = ServeProcess(data_dir, "--title", "Short", "--classes", ",".join(CLASSES))
    serve_processes.append(serve)
    assert serve.admin().sessions()[0]["state"] == "running"
    serve.process.send_signal(sig)
    assert serve.process.wait(30) == 0
    rest = serve.remaining_output()
    assert "stopping" in rest and "Traceback" not in rest
    with sqlite3.connect(data_dir / "influx.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
