"""Session groups over HTTP (issue 18), through a real waitress server on 127.0.0.1: the facilitator creates,
lists, reads, renames and deletes a group and downloads its study export; participants join through the group's code
with the very requests the web client sends for a session's code, get a session join's answer plus the group's
fields, and then work in their assigned session as usual. Every refusal is a 4xx JSON error with a code, and
stores nothing."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
from participant_sim import HttpClient, SimulatedParticipant

KEYS = [f"browser-profile-key-{i:04d}" for i in range(6)]


def _sessions(server, *titles: str) -> list[int]:
    admin = server.admin()
    ids = []
    for title in titles:
        session = admin.create_session({"title": title, "classes": ["cat", "dog"]})
        admin.start(session["id"])
        ids.append(session["id"])
    return ids


def _post(server, path: str, payload, token=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return HttpClient(server.url).request("POST", path, body, content_type="application/json", token=token)


def _admin(server, method: str, path: str, payload=None):
    body = None if payload is None else json.dumps(payload).encode()
    return server.admin().request(method, f"/api/v1/admin{path}", body, content_type="application/json" if body else None)


def _stored(server) -> tuple:
    store = server.coordinator.store
    return tuple(
        store.query_one(f"SELECT COUNT(*) AS n FROM {t}")["n"]
        for t in ("participants", "group_assignments", "events", "session_groups", "group_members")
    )


def test_participants_join_through_a_group_link_as_through_a_sessions_and_the_facilitator_sees_where(fl_server, tmp_path):
    server = fl_server()
    a, b = _sessions(server, "Fruit 1", "Fruit 2")
    created = _admin(
        server,
        "POST",
        "/groups",
        {
            "title": "Fruit study",
            "sessions": [{"session_id": a, "condition": "FedAsync"}, {"session_id": b, "condition": "FedBuff"}],
        },
    )
    assert created.status == 201
    group = created.json()
    code = group["join_code"]

    info = HttpClient(server.url).request("GET", f"/api/v1/join/{code.lower()}", token=None)
    assert (info.status, info.json()["title"], info.json()["state"], info.json()["group_id"]) == (
        200,
        "Fruit study",
        "running",
        group["id"],
    )
    joined = []
    for i in range(4):  # what the web client sends (webclient/src/lib/api.js join())
        answer = _post(server, "/api/v1/join", {"join_code": code, "nickname": f"N{i}", "device": "Linux", "device_key": KEYS[i]})
        assert answer.status == 200
        joined.append(answer.json())
    assert [(j["session_id"], j["condition"], j["position"], j["rejoined"]) for j in joined] == [
        (a, "FedAsync", 1, False),
        (b, "FedBuff", 2, False),
        (a, "FedAsync", 3, False),
        (b, "FedBuff", 4, False),
    ]
    assert set(joined[0]) == {"participant_id", "token", "session_id", "rejoined", "group_id", "condition", "position"}
    for j in joined:  # the token works as any participant's: the task is the assigned session's
        task = HttpClient(server.url, j["token"]).request("GET", "/api/v1/task")
        assert (task.status, task.json()["session_id"]) == (200, j["session_id"])

    # A participant trains and sends in its assigned session, as after a session's own code.
    sim = SimulatedParticipant(server.url, np.zeros((0, 1280), np.float32), np.zeros(0, np.int64), artifact_dir=tmp_path / "sim")
    mine = sim.join(code, device_key=KEYS[4])
    assert mine["session_id"] == a
    version, parameters = sim.model()
    assert sim.submit(parameters + 0.01, version, sample_count=4)["accepted"] is True
    assert [u["participant_id"] for u in server.admin().updates(a)] == [mine["participant_id"]]
    assert server.admin().updates(b) == []

    again = _post(server, "/api/v1/join", {"join_code": code, "device_key": KEYS[1]}).json()
    assert (again["participant_id"], again["session_id"], again["condition"], again["rejoined"]) == (
        joined[1]["participant_id"],
        b,
        "FedBuff",
        True,
    )

    listed = _admin(server, "GET", "/groups").json()
    assert [(g["id"], g["assigned"], g["next_session_id"]) for g in listed] == [(group["id"], 5, b)]
    got = _admin(server, "GET", f"/groups/{group['id']}").json()
    assert [(m["session_id"], m["condition"], m["assigned"]) for m in got["members"]] == [(a, "FedAsync", 3), (b, "FedBuff", 2)]
    assignments = _admin(server, "GET", f"/groups/{group['id']}/assignments").json()
    assert [(r["position"], r["participant_id"], r["session_id"]) for r in assignments][:4] == [
        (j["position"], j["participant_id"], j["session_id"]) for j in joined
    ]

    export = _admin(server, "GET", f"/groups/{group['id']}/study/assignments.csv")
    assert export.status == 200 and export.headers["Content-Type"].startswith("text/csv")
    assert f'filename="influx-group-{group["id"]}-study-assignments.csv"' in export.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.body.decode())))
    assert [(r["participant"], r["condition"]) for r in rows][:4] == [(f"P{j['participant_id']}", j["condition"]) for j in joined]
    events = _admin(server, "GET", f"/groups/{group['id']}/study/events.jsonl")
    assert events.headers["Content-Type"].startswith("application/x-ndjson")
    by_participant = {f"P{j['participant_id']}": j["condition"] for j in joined}
    lines = [json.loads(line) for line in events.body.decode().splitlines()]
    assert {line["participant"] for line in lines} >= set(by_participant)
    assert all(
        line["condition"] == by_participant[line["participant"]] for line in lines if line["participant"] in by_participant
    )
    summary = _admin(server, "GET", f"/groups/{group['id']}/study/summary.csv")
    assert summary.body.decode().splitlines()[0].endswith(",best_test_accuracy,session_id,condition")
    session_export = _admin(server, "GET", f"/sessions/{b}/events.csv")
    assert session_export.body.decode().splitlines()[0] == "id,session_id,at,kind,participant_id,data,condition"

    renamed = _admin(server, "PATCH", f"/groups/{group['id']}", {"title": "Renamed study"})
    assert (renamed.status, renamed.json()["title"], renamed.json()["join_code"]) == (200, "Renamed study", code)
    assert HttpClient(server.url).request("GET", f"/api/v1/join/{code}", token=None).json()["title"] == "Renamed study"

    deleted = _admin(server, "DELETE", f"/groups/{group['id']}")
    assert (deleted.status, deleted.json()["deleted"]) == (200, True)
    refused = _admin(server, "PATCH", f"/groups/{group['id']}", {"title": "Too late"})
    assert (refused.status, refused.error["code"]) == (409, "group_deleted")
    for refused in (
        _post(server, "/api/v1/join", {"join_code": code, "device_key": KEYS[0]}),
        HttpClient(server.url).request("GET", f"/api/v1/join/{code}", token=None),
    ):
        assert (refused.status, refused.error["code"], refused.error["field"]) == (404, "group_deleted", "join_code")
    assert _admin(server, "GET", "/groups").json() == []
    assert [g["id"] for g in _admin(server, "GET", "/groups?deleted=1").json()] == [group["id"]]
    assert (
        len(
            list(csv.DictReader(io.StringIO(_admin(server, "GET", f"/groups/{group['id']}/study/assignments.csv").body.decode())))
        )
        == 5
    )


def test_bad_requests_get_4xx_json_errors_with_codes_and_store_nothing(fl_server):
    server = fl_server()
    a, b = _sessions(server, "A", "B")
    group = _admin(
        server, "POST", "/groups", {"title": "Seq", "sessions": [a, b], "policy": "sequence", "sequence": [a, b]}
    ).json()
    code = group["join_code"]
    _post(server, "/api/v1/join", {"join_code": code})
    server.admin().action(b, "pause")
    before = _stored(server)

    admin = server.admin()
    refusals = [
        (_admin(server, "POST", "/groups", {"title": "T", "sessions": [a]}), 400, "invalid_input", "sessions"),
        (_admin(server, "POST", "/groups", {"title": "T", "sessions": [a, 999]}), 400, "session_unknown", "sessions"),
        (
            _admin(server, "POST", "/groups", {"title": "T", "sessions": [a, b], "policy": "lottery"}),
            400,
            "unknown_policy",
            "policy",
        ),
        (_admin(server, "POST", "/groups", {"title": "T", "sessions": [a, b]}), 409, "session_in_group", "sessions"),
        (admin.request("POST", "/api/v1/admin/groups", b"{", content_type="application/json"), 400, "malformed_json", "body"),
        (
            admin.request("POST", "/api/v1/admin/groups", b"{}", content_type="text/plain"),
            415,
            "unsupported_media_type",
            "Content-Type",
        ),
        (_admin(server, "GET", "/groups/999"), 404, "group_unknown", None),
        (_admin(server, "DELETE", "/groups/999"), 404, "group_unknown", None),
        (_admin(server, "PATCH", "/groups/999", {"title": "T"}), 404, "group_unknown", None),
        (_admin(server, "PATCH", f"/groups/{group['id']}", {"title": " "}), 400, "invalid_input", "title"),
        (_admin(server, "PATCH", f"/groups/{group['id']}", {"title": "T", "policy": "sequence"}), 400, "invalid_input", "body"),
        (_admin(server, "PATCH", f"/groups/{group['id']}", ["T"]), 400, "invalid_input", "body"),
        (_admin(server, "GET", "/groups/999/assignments"), 404, "group_unknown", None),
        (_admin(server, "GET", f"/groups/{group['id']}/study/everything.csv"), 400, "invalid_input", "what"),
        (_admin(server, "GET", f"/groups/{group['id']}/study/events.xlsx"), 400, "invalid_input", "format"),
        (_admin(server, "GET", "/groups?deleted=yes"), 400, "invalid_input", "deleted"),
        (HttpClient(server.url, "not-the-admin-token").request("GET", "/api/v1/admin/groups"), 401, "admin_token_wrong", None),
        (_post(server, "/api/v1/join", {"join_code": code, "device_key": "short"}), 400, "invalid_input", "device_key"),
        (_post(server, "/api/v1/join", {"join_code": code, "nickname": ["N"]}), 400, "invalid_input", "nickname"),
        (_post(server, "/api/v1/join", {"join_code": code}), 409, "condition_not_running", None),  # b's place is next
    ]
    for response, status, error_code, field in refusals:
        assert response.headers["Content-Type"].startswith("application/json")
        assert (response.status, response.error["code"], response.error["field"]) == (status, error_code, field), response.body
        assert response.error["message"] and "{" not in response.error["message"]
    assert _stored(server) == before
    assert HttpClient(server.url).request("GET", f"/api/v1/join/{code}", token=None).json()["state"] == "paused"

    server.admin().action(a, "stop")
    server.admin().action(b, "stop")
    before = _stored(server)
    for response in (
        _post(server, "/api/v1/join", {"join_code": code}),
        HttpClient(server.url).request("GET", f"/api/v1/join/{code}"),
    ):
        assert (response.status, response.error["code"]) == (409, "group_not_running")
    assert _stored(server) == before
