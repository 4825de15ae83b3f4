"""User-study support in the window: study logging and its consent notice set in the form, the replay tab
showing the pseudonymous timeline live and filtered, and study exports identical to the core's."""

from __future__ import annotations

import json
import time

import pytest
from conftest import Participant, fill_new_session, http, start_and_wait, stop_and_wait
from PySide6.QtCore import Qt

from influx_desktop.gui.exports import STUDY_EXPORTS
from influx_desktop.gui.session_form import ERROR_STYLE, STUDY_EXPLANATION, STUDY_HAS_RUN_EXPLANATION
from influx_desktop.gui.study_timeline import describe_study_row
from influx_desktop.study import BROWSER_EVENTS, DEFAULT_CONSENT_NOTICE

pytestmark = pytest.mark.gui

NOTICE = "We record which labels you choose and when, under a pseudonym.\nClose the page to stop."


def event(seq: int, kind: str, **data) -> dict:
    return {"seq": seq, "at": time.time(), "kind": kind, "data": data}


def test_study_logging_and_the_notice_typed_in_the_form_are_saved(qtbot, window):
    form = window.form
    assert not form.study_logging.isChecked()
    assert form.consent_notice.toPlainText() == DEFAULT_CONSENT_NOTICE
    assert form.study_note.text() == STUDY_EXPLANATION
    fill_new_session(qtbot, window, "Labelled by people", ["cat", "dog"])
    qtbot.mouseClick(form.study_logging, Qt.LeftButton)
    assert form.study_logging.isChecked()

    form.consent_notice.clear()
    form.save_button.click()  # an empty notice is refused on its field, and nothing is created
    assert form.error.isVisible() and "consent notice" in form.error.text()
    assert form.consent_notice.styleSheet() == ERROR_STYLE
    assert window.coordinator.list_sessions() == []

    first_line, second_line = NOTICE.split("\n")
    qtbot.keyClicks(form.consent_notice, first_line)
    qtbot.keyClick(form.consent_notice, Qt.Key_Return)
    qtbot.keyClicks(form.consent_notice, second_line)
    form.save_button.click()
    qtbot.waitUntil(lambda: window.session_id is not None, timeout=5000)
    config = window.coordinator.config(window.session_id)
    assert config.study_logging is True and config.consent_notice == NOTICE
    assert form.consent_notice.styleSheet() == ""

    qtbot.mouseClick(form.study_logging, Qt.LeftButton)
    form.save_button.click()
    qtbot.waitUntil(lambda: not window.coordinator.config(window.session_id).study_logging, timeout=5000)
    assert window.coordinator.config(window.session_id).consent_notice == NOTICE  # kept for next time

    window.controller.show_session(window.session_id)  # reopened: the form shows what is stored
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=5000)
    assert not form.study_logging.isChecked() and form.consent_notice.toPlainText() == NOTICE


def test_switching_logging_on_after_a_run_asks_consent_of_new_joiners_only(qtbot, window):
    fill_new_session(qtbot, window, "Switched on later", ["cat", "dog"])
    start_and_wait(qtbot, window)
    early = Participant(window.serving.join_url, "Early")  # joins while logging is off: no notice, no consent
    form = window.form
    qtbot.waitUntil(lambda: form.study_note.text() == STUDY_HAS_RUN_EXPLANATION, timeout=5000)

    form.study_logging.setChecked(True)
    form.consent_notice.setPlainText(NOTICE)
    form.save_button.click()
    qtbot.waitUntil(lambda: window.coordinator.config(window.session_id).study_logging, timeout=5000)
    assert not form.error.isVisible()

    base, code = early.base, window.serving.join_code
    status, _, body = http("GET", f"{base}/api/v1/join/{code}")
    assert status == 200 and json.loads(body)["consent_notice"] == NOTICE
    join = {"Content-Type": "application/json"}
    status, _, body = http("POST", f"{base}/api/v1/join", json.dumps({"join_code": code}).encode(), join)
    assert status == 403 and json.loads(body)["error"]["code"] == "consent_required"
    status, _, body = http("POST", f"{base}/api/v1/join", json.dumps({"join_code": code, "consent": True}).encode(), join)
    assert status == 200
    late = json.loads(body)

    batch = json.dumps({"events": [event(1, "visibility", state="hidden")]}).encode()
    status, _, body = http("POST", f"{base}/api/v1/events", batch, {**join, "Authorization": f"Bearer {early.token}"})
    assert status == 403 and json.loads(body)["error"]["code"] == "consent_required"
    status, _, body = http("POST", f"{base}/api/v1/events", batch, {**join, "Authorization": f"Bearer {late['token']}"})
    assert status == 200 and json.loads(body)["stored"] == 1
    browser_rows = [r for r in window.coordinator.study_timeline(window.session_id) if r["source"] == "browser"]
    assert [r["participant"] for r in browser_rows] == [f"P{late['participant_id']}"]


@pytest.fixture
def study(qtbot, window):
    """A running study session with two consenting participants: Ada accepts a suggestion, Bob corrects one."""
    fill_new_session(qtbot, window, "Cats and dogs", ["cat", "dog"])
    window.form.study_logging.setChecked(True)
    start_and_wait(qtbot, window)
    core = window.coordinator
    code = window.serving.join_code
    ada = core.authenticate(core.join(code, "Ada Lovelace", "Firefox on Linux", consent=True)["token"])
    bob = core.authenticate(core.join(code, "Bob", consent=True)["token"])
    core.record_study_events(
        ada,
        {
            "events": [
                event(1, "image_added", split="train", count=3, bytes=61440),
                event(2, "suggestion_shown", image=1, suggested="cat", confidence=0.91),
                event(3, "suggestion_accepted", image=1, label="cat"),
            ]
        },
    )
    core.record_study_events(
        bob,
        {
            "events": [
                event(1, "image_added", split="train", count=2, bytes=40960),
                event(2, "suggestion_shown", image=1, suggested="cat", confidence=0.6),
                event(3, "suggestion_changed", image=1, **{"from": "cat", "to": "dog"}),
                event(4, "visibility", state="hidden"),
            ]
        },
    )
    return window, ada, bob


def test_replay_shows_the_core_timeline_live_and_filters_it(qtbot, study):
    window, ada, bob = study
    core, replay = window.coordinator, window.replay
    window.tabs.setCurrentWidget(replay)
    expected = core.study_timeline(window.session_id)
    qtbot.waitUntil(lambda: replay.shown_rows() == expected, timeout=5000)
    assert len(expected) == 9  # two joins (server) and seven browser events
    assert replay.note.isHidden()
    assert replay.count.text() == "9 events"
    assert set(replay.shown_cells(1)) == {f"P{ada.id}", f"P{bob.id}"}
    assert "Ada" not in " ".join(" ".join(replay.shown_cells(c)) for c in range(5))  # pseudonyms only

    choose(replay.participant_filter, f"P{bob.id}")
    assert set(replay.shown_cells(1)) == {f"P{bob.id}"}
    assert replay.shown_cells(3) == ["participant_joined", "image_added", "suggestion_shown", "suggestion_changed", "visibility"]
    assert replay.shown_cells(2) == ["server", "browser", "browser", "browser", "browser"]
    assert replay.count.text() == "5 of 9 events"
    choose(replay.kind_filter, "suggestion_changed")
    assert replay.shown_cells(4) == ["image 1: changed “cat” to “dog”"]

    # While the session runs, new events arrive through the core's event bus and the filters stay.
    core.record_study_events(bob, {"events": [event(5, "suggestion_changed", image=2, **{"from": "dog", "to": "cat"})]})
    qtbot.waitUntil(lambda: len(replay.shown_rows()) == 2, timeout=5000)
    assert replay.shown_cells(4)[-1] == "image 2: changed “dog” to “cat”"
    assert replay.participant_filter.currentData() == f"P{bob.id}"
    core.record_study_events(ada, {"events": [event(4, "visibility", state="hidden")]})
    qtbot.waitUntil(lambda: replay.count.text() == "2 of 11 events", timeout=5000)

    choose(replay.participant_filter, None)  # every participant's corrections: only Bob made any
    assert set(replay.shown_cells(1)) == {f"P{bob.id}"} and len(replay.shown_rows()) == 2
    choose(replay.kind_filter, "visibility")
    assert sorted(replay.shown_cells(1)) == sorted([f"P{ada.id}", f"P{bob.id}"])
    choose(replay.kind_filter, None)
    assert replay.shown_rows() == core.study_timeline(window.session_id)

    # After the session the timeline stays there to scroll through.
    stop_and_wait(qtbot, window)
    assert len(replay.shown_rows()) == 11
    replay.table.scrollToBottom()
    assert replay.table.verticalScrollBar().value() == replay.table.verticalScrollBar().maximum()


def choose(combo, value) -> None:
    index = 0 if value is None else combo.findData(value)
    assert index >= 0, f"{value} is not offered"
    combo.setCurrentIndex(index)


def test_replay_of_a_session_without_logging_says_so(qtbot, window):
    fill_new_session(qtbot, window, "No study", ["cat", "dog"])
    start_and_wait(qtbot, window)
    Participant(window.serving.join_url, "Ada").send_update()
    window.tabs.setCurrentWidget(window.replay)
    qtbot.waitUntil(lambda: window.replay.shown_cells(3) == ["participant_joined", "update_accepted"], timeout=5000)
    assert window.replay.note.isVisible() and "Study logging is off" in window.replay.note.text()


def test_study_exports_are_the_cores_exports_written_whole(qtbot, study, tmp_path, monkeypatch):
    window, _ada, _bob = study
    assert window.toolbar.export_study_action.isEnabled()
    for what, fmt in STUDY_EXPORTS:
        target = tmp_path / f"study-{what}.{fmt}"
        monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", lambda *a, _t=target, **k: (str(_t), ""))
        window.toolbar.export_study_actions[(what, fmt)].trigger()
        qtbot.waitUntil(target.exists, timeout=5000)
        qtbot.waitUntil(lambda: not window.tasks.busy, timeout=5000)
        written = target.read_bytes().decode("utf-8")
        assert written == window.coordinator.export_study(window.session_id, what, fmt)
        assert "Ada" not in written and "Firefox" not in written
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("study-")) == sorted(
        f"study-{w}.{f}" for w, f in STUDY_EXPORTS
    )
    assert not list(tmp_path.glob(".*.partial"))
    summary = [json.loads(line) for line in (tmp_path / "study-summary.jsonl").read_text().splitlines()]
    assert [(s["suggestions_accepted"], s["corrections"], s["images"]) for s in summary] == [(1, 0, 3), (0, 1, 2)]


SAMPLE_DATA = {
    "image_added": {"split": "train", "count": 2, "bytes": 2048},
    "image_deleted": {"split": "test", "count": 1},
    "suggestion_shown": {"image": 4, "suggested": "cat", "confidence": 0.75},
    "suggestion_accepted": {"image": 4, "label": "cat"},
    "suggestion_changed": {"image": 4, "from": "cat", "to": "dog"},
    "training_started": {"base_version": 3, "epochs": 5, "batch_size": 16, "samples": 40},
    "training_finished": {"duration_ms": 4200, "epochs": 5, "loss_per_epoch": [1.2, 0.8, 0.5, 0.4, 0.3]},
    "update_submitted": {"base_version": 3, "sample_count": 40},
    "visibility": {"state": "hidden"},
    "explanation_viewed": {"image": 4, "class": "cat", "model": "own", "version": 3},
    "photo_tried": {"top": "dog", "confidence": 0.81, "model": "class", "version": 3},
}


@pytest.mark.parametrize("kind", list(BROWSER_EVENTS))
def test_every_browser_event_kind_reads_as_a_sentence(kind):
    assert set(SAMPLE_DATA[kind]) == set(BROWSER_EVENTS[kind])  # the sample is a valid event of that kind
    text = describe_study_row({"kind": kind, "data": SAMPLE_DATA[kind]})
    assert text and not text.startswith("{"), text


def test_an_explanation_names_its_photo_or_the_one_being_tried():
    """ "Why?" on a stored photo names it by number; "Try it" (image 0) names no photo: it was never stored."""

    def line(image, model):
        return describe_study_row(
            {"kind": "explanation_viewed", "data": {"image": image, "class": "cat", "model": model, "version": 2}}
        )

    assert line(4, "class") == "image 4: looked at where the class model saw “cat” (version 2)"
    assert line(0, "own") == "the photo being tried: looked at where their own model saw “cat” (version 2)"


def test_the_documented_schema_names_every_exported_column_and_event_field():
    """docs/study-data.md is what the export's tooltip points researchers to: it must not drift from the core."""
    from pathlib import Path

    from influx_desktop.coordinator import STUDY_EVENT_COLUMNS, STUDY_SUMMARY_COLUMNS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "study-data.md").read_text()
    for column in STUDY_EVENT_COLUMNS + STUDY_SUMMARY_COLUMNS:
        assert f"| `{column}` |" in doc, column
    for kind, fields in BROWSER_EVENTS.items():
        section = doc.split(f"**`{kind}`**")[1].split("**`")[0]
        assert all(f"- `{name}`:" in section for name in fields), kind
