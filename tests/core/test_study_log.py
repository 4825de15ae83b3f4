"""The study log's timeline and summary: pseudonymous, in time order, counting what each participant did.
(Consent, de-duplication and the HTTP routes: tests/study/test_study_core.py.)"""

from __future__ import annotations

import time

import pytest

from influx_desktop.errors import InvalidInput
from influx_desktop.study_log import ACTIVE_GAP_SECONDS, STUDY_SUMMARY_COLUMNS


@pytest.fixture
def study(coordinator):
    session = coordinator.create_session({"title": "Study", "classes": ["cat", "dog"], "study_logging": True})
    coordinator._set_state(session["id"], "running", ("draft",), "session_started")  # no model files needed
    who = coordinator.authenticate(coordinator.join(session["join_code"], "Ada", "Pixel", consent=True)["token"])
    return coordinator, session["id"], who


def test_the_summary_counts_each_kind_and_only_time_in_view(study):
    coordinator, sid, who = study
    t = time.time() - 1000
    events = [
        (t, "image_added", {"split": "train", "count": 3, "bytes": 100}),
        (t + 10, "image_added", {"split": "test", "count": 2, "bytes": 50}),
        (t + 20, "image_deleted", {"split": "train", "count": 1}),
        (t + 30, "suggestion_shown", {"image": 1, "suggested": "cat", "confidence": 0.9}),
        (t + 40, "suggestion_changed", {"image": 1, "from": "cat", "to": "dog"}),
        (t + 50, "visibility", {"state": "hidden"}),  # the 50 s before count; the hidden time after does not
        (t + 500, "visibility", {"state": "visible"}),
        (t + 500 + ACTIVE_GAP_SECONDS + 1, "training_finished", {"duration_ms": 5, "epochs": 1, "loss_per_epoch": [0.5]}),
        (t + 700, "training_finished", {"duration_ms": 5, "epochs": 1, "loss_per_epoch": [0.4]}),
    ]
    coordinator.record_study_events(
        who, {"events": [{"seq": i, "at": at, "kind": k, "data": d} for i, (at, k, d) in enumerate(events)]}
    )
    coordinator.report_test_result(who, {"version": 0, "accuracy": 0.5, "n": 2})
    coordinator.report_test_result(who, {"version": 0, "accuracy": 1.0, "n": 2})
    (row,) = coordinator.study_summary(sid)
    assert tuple(row) == STUDY_SUMMARY_COLUMNS
    assert row["participant"] == f"P{who.id}"
    assert (row["images"], row["test_images"], row["suggestions_shown"], row["corrections"]) == (2, 2, 1, 1)
    assert (row["trainings"], row["best_test_accuracy"]) == (2, 1.0)
    # 50 s before the page was hidden, 79 s between the trainings (the gap before the first is too long), and
    # the instant between the two test results the server logged just now
    assert row["active_seconds"] == pytest.approx(50 + (700 - 621), abs=1.0)


def test_the_timeline_holds_server_events_without_names_or_devices(study):
    coordinator, sid, who = study
    timeline = coordinator.study_timeline(sid)
    (joined,) = [r for r in timeline if r["kind"] == "participant_joined"]
    assert joined["source"] == "server" and joined["participant"] == f"P{who.id}"
    assert "nickname" not in joined["data"] and "device" not in joined["data"]
    assert all(r["kind"] != "session_started" for r in timeline)  # events of no participant are left out
    with pytest.raises(InvalidInput) as refused:
        coordinator.export_study(sid, "photos", "csv")
    assert refused.value.field == "what"
