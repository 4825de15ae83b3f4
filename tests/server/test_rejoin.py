"""A browser that joined before comes back as the same participant: it sends the ``device_key`` it made
once, and gets its participant id again with a new token (the old one stops working). A participant the
facilitator removed stays removed. Join codes are found whatever their case and spacing."""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import numpy as np
import pytest
from at_once import at_once
from participant_sim import HttpClient, SimulatedParticipant

CLASSES = ["t-shirt", "trouser", "sneaker", "bag"]
DEVICE_KEY = "k3y-of-this-browser_profile-0001"


def _session(server, **settings) -> tuple[int, str]:
    admin = server.admin()
    session = admin.create_session({"title": "Come back", "classes": CLASSES, **settings})
    admin.start(session["id"])
    return session["id"], session["join_code"]


def _join(server, payload: dict):
    return HttpClient(server.url).request(
        "POST", "/api/v1/join", json.dumps(payload).encode(), content_type="application/json", token=None
    )


def _task(server, token: str):
    return HttpClient(server.url, token).request("GET", "/api/v1/task")


def _kinds(server, sid: int) -> list[str]:
    return [e["kind"] for e in server.coordinator.event_log(sid)]


def test_joining_again_with_the_device_key_returns_the_same_participant_with_a_new_token(fl_server):
    server = fl_server()
    sid, code = _session(server)
    first = _join(server, {"join_code": code, "nickname": "Ada", "device": "Firefox", "device_key": DEVICE_KEY}).json()
    assert first["rejoined"] is False

    again = _join(server, {"join_code": code, "device_key": DEVICE_KEY}).json()

    assert (again["participant_id"], again["session_id"], again["rejoined"]) == (first["participant_id"], sid, True)
    assert again["token"] != first["token"]
    assert _task(server, again["token"]).json()["participant"] == {
        "id": first["participant_id"],
        "nickname": "Ada",
        "study": {"pseudonym": f"P{first['participant_id']}", "consented": False, "withdrawn": False},
    }
    old = _task(server, first["token"])
    assert (old.status, old.error["code"]) == (401, "token_unknown")  # one live token per participant
    participants = server.admin().participants(sid)
    assert [(p["id"], p["nickname"], p["device"]) for p in participants] == [(first["participant_id"], "Ada", "Firefox")]
    assert _kinds(server, sid)[-2:] == ["participant_joined", "participant_rejoined"]


def test_a_rejoin_may_change_the_nickname_and_keeps_the_participants_updates(fl_server, tmp_path):
    server = fl_server()
    sid, code = _session(server)
    no_data = np.zeros((0, 1280), np.float32), np.zeros(0, np.int64)
    sim = SimulatedParticipant(server.url, *no_data, artifact_dir=tmp_path / "a", nickname="Ada")
    joined = sim.join(code, device_key=DEVICE_KEY)
    version, parameters = sim.model()
    sim.submit(parameters + 0.01, version, sample_count=5)

    sim.nickname = "Ada L."
    again = sim.join(code, device="Phone", device_key=DEVICE_KEY)

    assert again["participant_id"] == joined["participant_id"]
    [p] = server.admin().participants(sid)
    assert (p["nickname"], p["device"], p["accepted"]) == ("Ada L.", "Phone", 1)
    assert sim.task(refresh=True)["participant"]["nickname"] == "Ada L."
    rejoined = server.coordinator.event_log(sid)[-1]
    assert (rejoined["kind"], rejoined["data"]["nickname"]) == ("participant_rejoined", "Ada L.")


def test_without_a_device_key_or_with_another_one_each_join_is_a_new_participant(fl_server):
    server = fl_server()
    sid, code = _session(server)
    ids = [
        _join(server, {"join_code": code}).json()["participant_id"],
        _join(server, {"join_code": code}).json()["participant_id"],
        _join(server, {"join_code": code, "device_key": DEVICE_KEY}).json()["participant_id"],
        _join(server, {"join_code": code, "device_key": DEVICE_KEY + "-other"}).json()["participant_id"],
    ]
    assert len(set(ids)) == 4
    # The same browser in another session is another participant there.
    other_sid, other_code = _session(server)
    elsewhere = _join(server, {"join_code": other_code, "device_key": DEVICE_KEY}).json()
    assert elsewhere["session_id"] == other_sid and elsewhere["participant_id"] not in ids


def test_the_device_key_is_stored_only_as_a_hash_that_differs_between_sessions(fl_server):
    server = fl_server()
    sid, code = _session(server)
    other_sid, other_code = _session(server)
    _join(server, {"join_code": code, "device_key": DEVICE_KEY})
    _join(server, {"join_code": other_code, "device_key": DEVICE_KEY})
    hashes = [
        r["device_key_sha256"] for r in server.coordinator.store.query("SELECT device_key_sha256 FROM participants ORDER BY id")
    ]
    assert len(hashes) == 2 and all(len(h) == 64 for h in hashes) and hashes[0] != hashes[1]
    data_dir = server.coordinator.data_dir
    server.coordinator.store.query("PRAGMA wal_checkpoint(FULL)")
    for path in data_dir.glob("influx.sqlite3*"):
        assert DEVICE_KEY.encode() not in path.read_bytes(), path
    events = server.admin().events(sid) + server.admin().events(other_sid)
    assert DEVICE_KEY not in events and hashes[0] not in events


def test_a_removed_participant_stays_removed_and_its_device_joins_as_a_new_participant(fl_server):
    server = fl_server()
    sid, code = _session(server)
    first = _join(server, {"join_code": code, "nickname": "Mallory", "device_key": DEVICE_KEY}).json()
    server.admin().revoke(sid, first["participant_id"])

    back = _join(server, {"join_code": code, "nickname": "Mallory", "device_key": DEVICE_KEY}).json()

    assert back["rejoined"] is False and back["participant_id"] != first["participant_id"]
    assert _task(server, first["token"]).error["code"] == "token_revoked"
    assert _task(server, back["token"]).status == 200
    states = {p["id"]: p["state"] for p in server.admin().participants(sid)}
    assert states[first["participant_id"]] == "removed" and states[back["participant_id"]] != "removed"
    # From now on the device's key finds the new participant.
    assert _join(server, {"join_code": code, "device_key": DEVICE_KEY}).json()["participant_id"] == back["participant_id"]


@pytest.mark.parametrize(
    "device_key",
    ["only-15-chars-x", "x" * 101, "has a space in it!", "ümlaut-device-key-00", 1234567890123456789, ["a" * 20], ""],
    ids=["15 chars", "101 chars", "spaces", "non-ascii", "a number", "a list", "empty"],
)
def test_a_malformed_device_key_is_a_400_naming_it_and_stores_nothing(fl_server, device_key):
    server = fl_server()
    sid, code = _session(server)
    refused = _join(server, {"join_code": code, "device_key": device_key})
    assert refused.status == 400
    assert (refused.error["code"], refused.error["field"]) == ("invalid_input", "device_key")
    assert "16 to 100 characters" in refused.error["message"]
    assert server.admin().participants(sid) == [] and "participant_joined" not in _kinds(server, sid)


def test_a_participant_who_joined_before_study_logging_can_consent_by_rejoining(fl_server):
    server = fl_server()
    sid, code = _session(server)
    joined = _join(server, {"join_code": code, "device_key": DEVICE_KEY}).json()
    server.admin().configure(sid, {"study_logging": True})
    event = {"events": [{"seq": 1, "at": time.time(), "kind": "visibility", "data": {"state": "visible"}}]}

    def post(token: str):
        return HttpClient(server.url, token).request(
            "POST", "/api/v1/events", json.dumps(event).encode(), content_type="application/json"
        )

    assert post(joined["token"]).error["code"] == "consent_required"

    again = _join(server, {"join_code": code, "device_key": DEVICE_KEY, "consent": True}).json()

    assert again["participant_id"] == joined["participant_id"]
    assert post(again["token"]).json()["stored"] == 1


def test_simultaneous_joins_with_one_device_key_make_one_participant(fl_server):
    server = fl_server(threads=8)
    sid, code = _session(server)
    senders = 6
    answers = at_once(senders, lambda: _join(server, {"join_code": code, "device_key": DEVICE_KEY}).json())
    assert len(answers) == senders and len({a["participant_id"] for a in answers}) == 1
    assert sorted(a["rejoined"] for a in answers) == [False] + [True] * (senders - 1)
    assert len(server.admin().participants(sid)) == 1
    assert sum(_task(server, a["token"]).status == 200 for a in answers) == 1  # the last token handed out


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "  {code}  ", "{a} {b}", "\t{lower_a}\n{b} ", "{fullwidth}"])
def test_a_join_code_is_found_whatever_its_case_and_spacing(fl_server, typed):
    server = fl_server()
    sid, code = _session(server)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code)  # what a phone's full-width keyboard types
    entered = typed.format(code=code, lower=code.lower(), a=code[:3], b=code[3:], lower_a=code[:3].lower(), fullwidth=fullwidth)
    assert _join(server, {"join_code": entered}).json()["session_id"] == sid
    info = HttpClient(server.url).request("GET", "/api/v1/join/" + quote(entered.strip()), token=None)
    assert info.status == 200 and info.json()["title"] == "Come back"
