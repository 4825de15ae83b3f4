"""Leaving the user study (issue 15): ``POST /api/v1/withdraw`` with the participant's token deletes every
interaction event their browser sent and leaves everything of theirs up to then out of the study's exports;
from then on their browser's events are refused (403 ``consent_required``). What their updates taught the
model stays in it: versions, parameters and the FL core's own records do not change. Everyone else's study
data is untouched. Joining again and accepting the notice starts a new record. Bad requests get 4xx JSON
and change nothing. The task manifest says where the participant stands and what the class model learned."""

from __future__ import annotations

import json
import time

import numpy as np
from participant_sim import HttpClient, SimulatedParticipant

CLASSES = ["cat", "dog"]
NOTICE = "A study of how classes learn together. We record what you do in the app, never your photos."


def _study_session(server) -> tuple[int, str]:
    admin = server.admin()
    session = admin.create_session({"title": "Study", "classes": CLASSES, "study_logging": True, "consent_notice": NOTICE})
    admin.start(session["id"])
    return session["id"], session["join_code"]


def _join(server, code: str, nickname: str, device_key: str) -> HttpClient:
    joined = HttpClient(server.url).call_json(
        "POST", "/api/v1/join", {"join_code": code, "nickname": nickname, "consent": True, "device_key": device_key}, token=None
    )
    client = HttpClient(server.url, joined["token"])
    client.participant_id = joined["participant_id"]
    return client


def _send_events(client: HttpClient, first_seq: int, n: int):
    events = [{"seq": first_seq + i, "at": time.time(), "kind": "visibility", "data": {"state": "visible"}} for i in range(n)]
    return client.request("POST", "/api/v1/events", json.dumps({"events": events}).encode(), content_type="application/json")


def _study_rows(server, sid: int) -> dict[str, list]:
    c = server.coordinator
    return {"events": c.study_timeline(sid), "summary": c.study_summary(sid)}


def _model_state(server, sid: int) -> dict:
    c = server.coordinator
    version, parameters = c.parameters(sid)
    return {
        "version": version,
        "parameters": parameters.tobytes(),
        "versions": c.versions(sid),
        "updates": [(u["id"], u["participant_id"], u["status"]) for u in c.updates(sid)],
    }


def test_leaving_the_study_deletes_what_it_recorded_and_keeps_what_the_model_learned(fl_server, tmp_path):
    server = fl_server()
    sid, code = _study_session(server)
    ada = _join(server, code, "Ada", "ada-device-key-0001")
    ben = _join(server, code, "Ben", "ben-device-key-0001")
    assert _send_events(ada, 0, 3).json()["stored"] == 3
    assert _send_events(ben, 0, 2).json()["stored"] == 2
    # Ada contributes an update: the class model learns from it (FedAsync: a new version at once)
    sim = SimulatedParticipant(server.url, np.zeros((0, 1280), np.float32), np.zeros(0, np.int64), artifact_dir=tmp_path / "a")
    sim.token = ada.token
    version, parameters = sim.model()
    answer = sim.submit(parameters + np.float32(0.01), version, sample_count=4)
    assert answer["applied"] is True and answer["contributors"] == 1
    task = ada.call_json("GET", "/api/v1/task")
    assert task["participant"]["study"] == {"pseudonym": f"P{ada.participant_id}", "consented": True, "withdrawn": False}
    assert task["class_model"]["contributors"] == 1
    pseudonym = f"P{ada.participant_id}"
    before = _study_rows(server, sid)
    assert {r["participant"] for r in before["events"]} == {pseudonym, f"P{ben.participant_id}"}
    model_before = _model_state(server, sid)

    answer = ada.call_json("POST", "/api/v1/withdraw")

    assert answer == {"withdrawn": True, "deleted_events": 3}
    after = _study_rows(server, sid)
    assert [r for r in after["events"] if r["participant"] == pseudonym] == [], "nothing of Ada's is left in the study"
    assert [r for r in after["summary"] if r["participant"] == pseudonym] == []
    assert after["events"] == [r for r in before["events"] if r["participant"] != pseudonym], "Ben's study data is untouched"
    assert server.coordinator.export_study(sid, "events", "csv").count(pseudonym) == 0
    assert (
        server.coordinator.store.query_one(
            "SELECT COUNT(*) AS n FROM study_events WHERE participant_id=?", (ada.participant_id,)
        )["n"]
        == 0
    )
    # what the model learned from Ada stays: same versions, same parameters, her update still applied
    assert _model_state(server, sid) == model_before
    kinds = [e["kind"] for e in server.coordinator.event_log(sid) if e["participant_id"] == ada.participant_id]
    assert "update_accepted" in kinds and kinds[-1] == "study_withdrawn"  # the FL core keeps its own records
    assert ada.call_json("GET", "/api/v1/task")["participant"]["study"] == {
        "pseudonym": pseudonym,
        "consented": False,
        "withdrawn": True,
    }

    # nothing more is recorded: her browser's events are refused, and it stops sending (403 consent_required)
    refused = _send_events(ada, 3, 1)
    assert (refused.status, refused.error["code"]) == (403, "consent_required")
    assert _study_rows(server, sid)["events"] == after["events"]
    # leaving again is no error and deletes nothing more
    assert ada.call_json("POST", "/api/v1/withdraw") == {"withdrawn": True, "deleted_events": 0}

    # joining again and accepting the notice starts a new record, without what was deleted
    again = _join(server, code, "Ada", "ada-device-key-0001")
    assert again.participant_id == ada.participant_id
    assert _send_events(again, 10, 2).json()["stored"] == 2
    rows = [r for r in _study_rows(server, sid)["events"] if r["participant"] == pseudonym]
    assert [(r["source"], r["kind"]) for r in rows] == [
        ("server", "participant_rejoined"),
        ("browser", "visibility"),
        ("browser", "visibility"),
    ]
    assert again.call_json("GET", "/api/v1/task")["participant"]["study"]["consented"] is True


def test_the_manifest_says_which_classes_the_class_model_has_learned(fl_server, tmp_path):
    server = fl_server()
    admin = server.admin()
    session = admin.create_session({"title": "Pets", "classes": CLASSES})
    admin.start(session["id"])
    rng = np.random.default_rng(0)
    cats = SimulatedParticipant(
        server.url,
        np.abs(rng.normal(0.5, 0.2, (4, 1280))).astype(np.float32),
        np.zeros(4, np.int64),
        artifact_dir=tmp_path / "a",
        nickname="Cat person",
    )
    cats.join(session["join_code"])
    assert cats.task(refresh=True)["class_model"] == {"learned_classes": [], "contributors": 0}
    cats.send_class_stats()
    assert cats.task(refresh=True)["class_model"] == {"learned_classes": ["cat"], "contributors": 0}
    cats.train_round()
    assert cats.task(refresh=True)["class_model"] == {"learned_classes": ["cat"], "contributors": 1}


def test_bad_withdrawals_get_json_errors_and_change_nothing(fl_server):
    server = fl_server()
    sid, code = _study_session(server)
    ada = _join(server, code, "Ada", "ada-device-key-0002")
    _send_events(ada, 0, 2)
    gone = _join(server, code, "Gone", "gone-device-key-0002")
    server.admin().revoke(sid, gone.participant_id)
    before = (_study_rows(server, sid), server.coordinator.event_log(sid))
    cases = [
        ("POST", None, "token_missing", 401),
        ("POST", "not-a-token", "token_unknown", 401),
        ("POST", gone.token, None, 401),  # removed by the teacher: the token no longer counts
        ("GET", ada.token, None, 405),
        ("DELETE", ada.token, None, 405),
    ]
    for method, token, code_expected, status in cases:
        response = HttpClient(server.url).request(method, "/api/v1/withdraw", token=token)
        assert response.status == status, (method, token, response.status, response.body[:200])
        assert response.headers["Content-Type"].startswith("application/json")
        error = response.error
        assert error["message"], error
        if code_expected:
            assert error["code"] == code_expected
    assert (_study_rows(server, sid), server.coordinator.event_log(sid)) == before
