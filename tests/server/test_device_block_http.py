"""The facilitator's ``DELETE .../participants/<pid>?block=1`` over a real waitress server on 127.0.0.1: the
device's next join is a 403 with code ``device_blocked`` and a sentence a person can act on; without
``block`` the device joins again as a new participant; ``DELETE .../device-block`` lifts the block."""

from __future__ import annotations

import json

from participant_sim import HttpClient

MIA_PHONE = "mia-phone-device-key-0001"
OTHER_PHONE = "other-phone-device-key-0002"


def _session(server) -> tuple[int, str]:
    admin = server.admin()
    session = admin.create_session({"title": "Blocking", "classes": ["a", "b"]})
    admin.start(session["id"])
    return session["id"], session["join_code"]


def _join(server, code: str, device_key: str, nickname: str = "Mia"):
    payload = {"join_code": code, "nickname": nickname, "device": "Firefox", "device_key": device_key}
    return HttpClient(server.url).request(
        "POST", "/api/v1/join", json.dumps(payload).encode(), content_type="application/json", token=None
    )


def _remove(server, sid: int, pid: int, query: str = ""):
    return server.admin().request("DELETE", f"/api/v1/admin/sessions/{sid}/participants/{pid}{query}")


def test_remove_with_block_refuses_the_devices_next_join(fl_server):
    server = fl_server()
    sid, code = _session(server)
    mia = _join(server, code, MIA_PHONE).json()

    removed = _remove(server, sid, mia["participant_id"], "?block=1")
    assert (removed.status, removed.json()) == (200, {"revoked": True, "device_blocked": True})

    refused = _join(server, code, MIA_PHONE, nickname="Mia again")
    assert refused.status == 403
    assert refused.error["code"] == "device_blocked"
    assert refused.error["message"].startswith("The teacher removed this device from the session.")
    assert server.coordinator.event_log(sid)[-1]["kind"] == "join_refused"
    other = _join(server, code, OTHER_PHONE)
    assert other.status == 200 and other.json()["participant_id"] != mia["participant_id"]
    [blocked] = [p for p in server.admin().participants(sid) if p["id"] == mia["participant_id"]]
    assert (blocked["revoked"], blocked["device_blocked"]) == (True, True)

    unblocked = server.admin().request(
        "DELETE", f"/api/v1/admin/sessions/{sid}/participants/{mia['participant_id']}/device-block"
    )
    assert (unblocked.status, unblocked.json()) == (200, {"device_blocked": False})
    assert _join(server, code, MIA_PHONE).status == 200


def test_remove_without_block_lets_the_device_join_as_a_new_participant(fl_server):
    server = fl_server()
    sid, code = _session(server)
    mia = _join(server, code, MIA_PHONE).json()

    removed = _remove(server, sid, mia["participant_id"])
    assert (removed.status, removed.json()) == (200, {"revoked": True, "device_blocked": False})

    again = _join(server, code, MIA_PHONE)
    assert again.status == 200
    assert again.json()["participant_id"] != mia["participant_id"] and again.json()["rejoined"] is False


def test_a_bad_block_value_and_a_keyless_participant_are_refused_with_a_reason(fl_server):
    server = fl_server()
    sid, code = _session(server)
    mia = _join(server, code, MIA_PHONE).json()
    bad = _remove(server, sid, mia["participant_id"], "?block=yes")
    assert (bad.status, bad.error["field"]) == (400, "block")
    keyless = (
        HttpClient(server.url)
        .request(
            "POST",
            "/api/v1/join",
            json.dumps({"join_code": code, "nickname": "Old browser"}).encode(),
            content_type="application/json",
            token=None,
        )
        .json()
    )
    refused = _remove(server, sid, keyless["participant_id"], "?block=1")
    assert (refused.status, refused.error["code"]) == (409, "device_not_blockable")
    assert not any(p["revoked"] for p in server.admin().participants(sid))  # neither was removed
