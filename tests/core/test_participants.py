"""Participants: joining by a code as typed, a token per request, rejoining from the same browser.

Removing a participant can also block its device: a later join of that session with the same device key is
refused (403 device_blocked, on record as an event) until the facilitator unblocks it. Removed without a
block, the device joins again as a new participant; other devices and other sessions are not affected."""

from __future__ import annotations

import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized

MIA_PHONE = "mia-phone-device-key-0001"
OTHER_PHONE = "other-phone-device-key-0002"


def _running_session(c: Coordinator, title: str = "Block") -> tuple[int, str]:
    session = c.create_session({"title": title, "classes": ["a", "b"]})
    c.start_session(session["id"])
    return session["id"], session["join_code"]


def _kinds(c: Coordinator, sid: int) -> list[str]:
    return [e["kind"] for e in c.event_log(sid)]


def test_a_join_code_is_taken_as_typed_or_scanned_and_only_for_a_running_session(coordinator):
    c = coordinator
    draft = c.create_session({"title": "Draft", "classes": ["a", "b"]})["join_code"]
    with pytest.raises(Conflict) as refused:
        c.join(draft, "Ada")
    assert refused.value.code == "session_not_running"
    sid, code = _running_session(c)
    typed = " ".join(code.lower())  # lower case, spaces between the letters
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)  # a phone keyboard's full-width letters
    for spelling in (typed, full_width):
        assert c.join_info(spelling)["title"] == "Block"
        assert c.join(spelling)["session_id"] == sid
    for unknown, error, field in (
        ("ZZZZZZ", NotFound, "join_code"),
        ("  ", InvalidInput, "join_code"),
        (None, InvalidInput, "join_code"),
    ):
        with pytest.raises(error) as refused:
            c.join(unknown)
        assert refused.value.field == field
    assert [p["nickname"] for p in c.participants(sid)] == ["Participant", "Participant"]


def test_each_request_is_authenticated_by_the_latest_token_of_a_participant_not_removed(coordinator):
    c = coordinator
    sid, code = _running_session(c)
    first = c.join(code, "Ada", "Firefox", device_key=MIA_PHONE)
    ada = c.authenticate(first["token"])
    assert (ada.id, ada.session_id, ada.nickname) == (first["participant_id"], sid, "Ada")
    again = c.join(code, "", "", device_key=MIA_PHONE)  # the same browser: same participant, a new token
    assert (again["participant_id"], again["rejoined"]) == (first["participant_id"], True)
    assert c.authenticate(again["token"]).nickname == "Ada"  # empty names keep the old ones
    for token, reason in (("", "token_missing"), (None, "token_missing"), (first["token"], "token_unknown")):
        with pytest.raises(Unauthorized) as refused:
            c.authenticate(token)
        assert refused.value.code == reason
    c.revoke_participant(sid, ada.id)
    with pytest.raises(Unauthorized) as refused:
        c.authenticate(again["token"])
    assert refused.value.code == "token_revoked"


def test_a_blocked_device_is_refused_and_the_refusal_is_on_record(coordinator):
    c = coordinator
    sid, code = _running_session(c)
    mia = c.join(code, "Mia", "Firefox", device_key=MIA_PHONE)

    assert c.revoke_participant(sid, mia["participant_id"], block_device=True) == {"revoked": True, "device_blocked": True}

    with pytest.raises(Forbidden) as refused:
        c.join(code, "Mia again", "Firefox", device_key=MIA_PHONE)
    assert refused.value.code == "device_blocked"
    assert refused.value.message.startswith("The teacher removed this device from the session.")
    [p] = c.participants(sid)
    assert (p["id"], p["revoked"], p["device_blocked"]) == (mia["participant_id"], True, True)
    assert _kinds(c, sid)[-3:] == ["participant_removed", "device_blocked", "join_refused"]
    refusal = c.event_log(sid)[-1]
    assert refusal["participant_id"] == mia["participant_id"]
    assert refusal["data"] == {"reason": "device_blocked", "nickname": "Mia again", "device": "Firefox"}


def test_without_a_block_the_removed_device_joins_as_a_new_participant(coordinator):
    c = coordinator
    sid, code = _running_session(c)
    mia = c.join(code, "Mia", device_key=MIA_PHONE)
    assert c.revoke_participant(sid, mia["participant_id"]) == {"revoked": True, "device_blocked": False}

    again = c.join(code, "Mia", device_key=MIA_PHONE)

    assert again["participant_id"] != mia["participant_id"] and again["rejoined"] is False
    assert [(p["id"], p["revoked"]) for p in c.participants(sid)] == [
        (mia["participant_id"], True),
        (again["participant_id"], False),
    ]


def test_a_different_device_and_another_session_still_join(coordinator):
    c = coordinator
    sid, code = _running_session(c)
    other_sid, other_code = _running_session(c, "Another lesson")
    mia = c.join(code, "Mia", device_key=MIA_PHONE)
    c.revoke_participant(sid, mia["participant_id"], block_device=True)

    someone = c.join(code, "Mia", device_key=OTHER_PHONE)  # same nickname, other device
    keyless = c.join(code, "Mia")
    elsewhere = c.join(other_code, "Mia", device_key=MIA_PHONE)

    assert c.authenticate(someone["token"]).session_id == sid
    assert c.authenticate(keyless["token"]).session_id == sid
    assert c.authenticate(elsewhere["token"]).session_id == other_sid


def test_blocking_a_removed_participant_also_removes_what_its_device_rejoined_as(coordinator):
    c = coordinator
    sid, code = _running_session(c)
    first = c.join(code, "Mia", device_key=MIA_PHONE)
    c.revoke_participant(sid, first["participant_id"])
    second = c.join(code, "Mia", device_key=MIA_PHONE)

    c.revoke_participant(sid, first["participant_id"], block_device=True)

    assert [(p["id"], p["revoked"], p["device_blocked"]) for p in c.participants(sid)] == [
        (first["participant_id"], True, True),
        (second["participant_id"], True, False),
    ]
    with pytest.raises(Forbidden):
        c.join(code, device_key=MIA_PHONE)
    assert c.revoke_participant(sid, first["participant_id"], block_device=True)["device_blocked"] is True  # idempotent
    assert _kinds(c, sid).count("device_blocked") == 1


def test_unblocking_lets_the_device_join_again_as_a_new_participant(coordinator):
    c = coordinator
    sid, code = _running_session(c)
    mia = c.join(code, "Mia", device_key=MIA_PHONE)
    c.revoke_participant(sid, mia["participant_id"], block_device=True)

    assert c.unblock_device(sid, mia["participant_id"]) == {"device_blocked": False}

    again = c.join(code, "Mia", device_key=MIA_PHONE)
    assert again["participant_id"] != mia["participant_id"]
    assert _kinds(c, sid)[-2:] == ["device_unblocked", "participant_joined"]
    assert c.unblock_device(sid, mia["participant_id"]) == {"device_blocked": False}  # nothing left to unblock
    assert _kinds(c, sid).count("device_unblocked") == 1


def test_a_participant_without_a_device_key_cannot_be_blocked_and_stays_untouched(coordinator):
    c = coordinator
    sid, code = _running_session(c)
    keyless = c.join(code, "Mia")
    with pytest.raises(Conflict) as refused:
        c.revoke_participant(sid, keyless["participant_id"], block_device=True)
    assert refused.value.code == "device_not_blockable"
    [p] = c.participants(sid)
    assert (p["revoked"], p["device_blocked"], p["device_blockable"]) == (False, False, False)
    with pytest.raises(NotFound):
        c.revoke_participant(sid, keyless["participant_id"] + 100, block_device=True)
