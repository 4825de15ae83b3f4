"""Closing the window or pressing Stop while participants are in asks first and says what happens; without
participants both act at once (issue 15)."""

from __future__ import annotations

import pytest
from conftest import Participant, fill_new_session, start_and_wait

pytestmark = pytest.mark.gui


def serve(qtbot, window, title: str) -> None:
    fill_new_session(qtbot, window, title, ["a", "b"])
    start_and_wait(qtbot, window)


def join(qtbot, window, nickname: str) -> Participant:
    participant = Participant(window.serving.join_url, nickname)
    qtbot.waitUntil(lambda: window.joined_participants()[0] >= 1, timeout=10_000)
    return participant


def test_closing_with_a_participant_in_asks_first_and_says_what_happens(qtbot, window):
    serve(qtbot, window, "Close me")
    join(qtbot, window, "Ada")
    window.close()
    box = window.stop_dialog
    assert box is not None and window.isVisible() and window.serving is not None
    assert "1 participant has joined this session" in box.text() and "Close the app" in box.text()
    assert "photos stay on their devices" in box.informativeText()
    assert box.defaultButton() is window.stop_dialog_buttons["cancel"]  # Enter keeps the lesson going
    window.stop_dialog_buttons["cancel"].click()
    assert window.stop_dialog is None and window.isVisible() and window.serving is not None

    session_id = window.session_id
    window.close()
    window.stop_dialog_buttons["stop"].click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert window.controller.closed and window.serving is None
    assert window.coordinator.get_session(session_id)["state"] == "stopped"


def test_closing_without_participants_does_not_ask(qtbot, window):
    serve(qtbot, window, "Nobody came")
    window.close()
    assert window.stop_dialog is None and not window.isVisible() and window.controller.closed


def test_stop_with_participants_asks_and_cancel_keeps_serving(qtbot, window):
    serve(qtbot, window, "Stop me")
    join(qtbot, window, "Ada")
    window.toolbar.stop_action.trigger()
    box = window.stop_dialog
    assert box is not None and "Stop the class server?" in box.text()
    assert "same join link works again after Start" in box.informativeText()
    window.stop_dialog_buttons["cancel"].click()
    assert window.serving is not None
    window.toolbar.stop_action.trigger()
    window.stop_dialog_buttons["stop"].click()
    qtbot.waitUntil(lambda: window.serving is None and not window.controller.busy, timeout=10_000)
    assert window.isVisible()


def test_stop_without_participants_stops_at_once(qtbot, window):
    serve(qtbot, window, "Empty room")
    window.toolbar.stop_action.trigger()
    assert window.stop_dialog is None
    qtbot.waitUntil(lambda: window.serving is None and not window.controller.busy, timeout=10_000)
