"""Study logging in the core and over HTTP: consent, event validation, de-duplication, exports."""

import json
import time

import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.errors import Conflict, Forbidden, InvalidInput
from influx_desktop.server.app import create_app
from influx_desktop.server.limits import RateLimits


@pytest.fixture
def coordinator(tmp_path):
    c = Coordinator(tmp_path)
    yield c
    c.close()


def running_session(coordinator, **settings):
    session = coordinator.create_session({"title": "Study", "classes": ["cat", "dog"], **settings})
    # The model files are not needed here: mark the session running without building them.
    coordinator._set_state(session["id"], "running", ("draft",), "session_started")
    return session


def event(seq, kind, **data):
    return {"seq": seq, "at": time.time(), "kind": kind, "data": data}


def test_joining_a_study_session_needs_consent(coordinator):
    session = running_session(coordinator, study_logging=True, consent_notice="We record clicks.")
    info = coordinator.join_info(session["join_code"])
    assert info["study_logging"] is True and info["consent_notice"] == "We record clicks."
    with pytest.raises(Forbidden) as refused:
        coordinator.join(session["join_code"], "Ada")
    assert refused.value.code == "consent_required"
    assert coordinator.participants(session["id"]) == []
    joined = coordinator.join(session["join_code"], "Ada", consent=True)
    assert [p["id"] for p in coordinator.participants(session["id"])] == [joined["participant_id"]]


def test_without_study_logging_no_notice_is_shown_and_browser_events_are_refused(coordinator):
    session = running_session(coordinator)
    assert coordinator.join_info(session["join_code"])["consent_notice"] is None
    who = coordinator.authenticate(coordinator.join(session["join_code"], "Ada")["token"])
    with pytest.raises(Conflict) as refused:
        coordinator.record_study_events(who, {"events": [event(1, "visibility", state="hidden")]})
    assert refused.value.code == "study_logging_off"
    assert coordinator.store.query("SELECT * FROM study_events") == []


@pytest.mark.parametrize(
    "bad, field",
    [
        (event(1, "image_added", split="train", count=1, bytes=10, name="IMG_0001.jpg"), "events[0].data"),
        (event(1, "image_added", split="train", count=1, bytes="ffd8ffe0"), "events[0].data.bytes"),
        (event(1, "suggestion_changed", image=3, **{"from": "cat", "to": "horse"}), "events[0].data.to"),
        (event(1, "keystroke", key="a"), "events[0].kind"),
        ({"seq": -1, "at": time.time(), "kind": "visibility", "data": {"state": "hidden"}}, "events[0].seq"),
        ({"seq": 1, "at": 0, "kind": "visibility", "data": {"state": "hidden"}}, "events[0].at"),
    ],
)
def test_an_event_carrying_anything_but_its_declared_fields_rejects_the_whole_batch(coordinator, bad, field):
    session = running_session(coordinator, study_logging=True)
    who = coordinator.authenticate(coordinator.join(session["join_code"], consent=True)["token"])
    with pytest.raises(InvalidInput) as refused:
        coordinator.record_study_events(who, {"events": [bad, event(2, "visibility", state="visible")]})
    assert refused.value.field == field
    assert coordinator.store.query("SELECT * FROM study_events") == []


def test_resent_batches_are_stored_once_and_exports_are_pseudonymous(coordinator):
    session = running_session(coordinator, study_logging=True)
    who = coordinator.authenticate(
        coordinator.join(session["join_code"], "Ada Lovelace", "Chrome on Android", consent=True)["token"]
    )
    batch = {
        "events": [
            event(1, "image_added", split="train", count=2, bytes=20480),
            event(2, "suggestion_shown", image=1, suggested="cat", confidence=0.8),
            event(3, "suggestion_accepted", image=1, label="cat"),
            event(4, "suggestion_shown", image=2, suggested="cat", confidence=0.55),
            event(5, "suggestion_changed", image=2, **{"from": "cat", "to": "dog"}),
        ]
    }
    assert coordinator.record_study_events(who, batch) == {"stored": 5, "duplicates": 0, "max_seq": 5}
    assert coordinator.record_study_events(who, batch) == {"stored": 0, "duplicates": 5, "max_seq": 5}

    timeline = coordinator.study_timeline(session["id"])
    browser = [(r["seq"], r["kind"]) for r in timeline if r["source"] == "browser"]
    assert browser == [
        (1, "image_added"),
        (2, "suggestion_shown"),
        (3, "suggestion_accepted"),
        (4, "suggestion_shown"),
        (5, "suggestion_changed"),
    ]
    assert {r["participant"] for r in timeline} == {f"P{who.id}"}
    text = coordinator.export_study(session["id"], "events", "jsonl") + coordinator.export_study(session["id"], "events", "csv")
    assert "Ada" not in text and "Android" not in text

    (summary,) = coordinator.study_summary(session["id"])
    assert summary["images"] == 2 and summary["suggestions_shown"] == 2
    assert summary["suggestions_accepted"] == 1 and summary["corrections"] == 1
    assert [
        json.loads(line)["participant"] for line in coordinator.export_study(session["id"], "summary", "jsonl").splitlines()
    ] == [f"P{who.id}"]


def test_study_routes_over_http(coordinator):
    session = running_session(coordinator, study_logging=True, consent_notice="Clicks are recorded.")
    client = create_app(coordinator, "admin", limits=RateLimits(0, 0, 0)).test_client()
    info = client.get(f"/api/v1/join/{session['join_code']}")
    assert info.status_code == 200 and info.json["consent_notice"] == "Clicks are recorded."
    refused = client.post("/api/v1/join", json={"join_code": session["join_code"]})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "consent_required"
    token = client.post("/api/v1/join", json={"join_code": session["join_code"], "consent": True}).json["token"]
    posted = client.post(
        "/api/v1/events", json={"events": [event(1, "visibility", state="hidden")]}, headers={"Authorization": f"Bearer {token}"}
    )
    assert posted.status_code == 200 and posted.json["stored"] == 1
    export = client.get(f"/api/v1/admin/sessions/{session['id']}/study/events.csv", headers={"Authorization": "Bearer admin"})
    assert export.status_code == 200
    assert export.data.decode().splitlines()[0] == "session_id,participant,source,seq,at,kind,data,condition"
    assert "visibility" in export.data.decode()
