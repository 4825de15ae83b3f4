"""What participants type is shown as text, never as markup; and the dashboard tells two participants with
the same nickname apart (their id next to it), and "Remove" can block a device from joining again."""

from __future__ import annotations

import json

import pytest
from conftest import LOOPBACK, fill_new_session, http, start_and_wait
from PySide6.QtCore import Qt
from PySide6.QtGui import (
    Qt as QtGuiFunctions,  # mightBeRichText lives in QtGui's Qt
    QTextDocument,
)

pytestmark = pytest.mark.gui

# Rendered as HTML this would be a bold "x" and an image read from disk.
HOSTILE = '<b>x</b><img src="/tmp/x.png">'
MIA_PHONE = "mia-phone-device-key-0001"
OTHER_PHONE = "other-phone-device-key-0002"


def join(window, nickname: str, device: str, device_key: str | None = None) -> tuple[int, dict]:
    """A browser's join over HTTP (what the web client sends), answered by the window's own server."""
    url = window.serving.join_url
    assert url.startswith(f"http://{LOOPBACK}:"), url
    payload = {"join_code": url.split("?join=")[1], "nickname": nickname, "device": device}
    if device_key is not None:
        payload["device_key"] = device_key
    status, _, body = http(
        "POST", url.split("/?join=")[0] + "/api/v1/join", json.dumps(payload).encode(), {"Content-Type": "application/json"}
    )
    return status, json.loads(body)


def shown(tooltip: str) -> str:
    """What Qt shows for a tooltip: rich text whenever it looks like HTML (QToolTip's QLabel is AutoText)."""
    if not QtGuiFunctions.mightBeRichText(tooltip):
        return tooltip
    document = QTextDocument()
    document.setHtml(tooltip)
    return document.toPlainText()


def column(table, name: str) -> int:
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())].index(name)


def row_of(table, participant_id: int) -> int:
    return next(r for r in range(table.rowCount()) if table.item(r, 0).data(Qt.UserRole) == participant_id)


@pytest.fixture
def running(qtbot, window):
    fill_new_session(qtbot, window, "Leaves", ["oak", "maple"])
    start_and_wait(qtbot, window)
    return window


def test_a_participants_markup_is_shown_literally_everywhere(qtbot, running):
    window = running
    assert shown(HOSTILE) != HOSTILE  # as a raw tooltip Qt would render it
    status, joined = join(window, HOSTILE, HOSTILE, MIA_PHONE)
    assert status == 200, joined
    pid = joined["participant_id"]
    dashboard = window.dashboard
    table = dashboard.participants
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=5000)

    assert table.item(0, column(table, "Nickname")).text() == HOSTILE  # item views draw plain text
    device = table.item(0, column(table, "Browser / device"))
    assert HOSTILE in device.text() and shown(device.toolTip()) == HOSTILE

    events = window.event_log.table
    qtbot.waitUntil(lambda: "participant_joined" in window.event_log.kinds(), timeout=5000)
    joined_row = window.event_log.kinds().index("participant_joined")
    details = events.item(joined_row, 2)
    assert details.text() == f"{HOSTILE} · #{pid} joined ({HOSTILE})"
    assert shown(details.toolTip()) == details.text()

    dashboard.select_participant(pid)
    dashboard.remove_button.click()
    box = window.remove_dialog
    assert box.textFormat() == Qt.PlainText and HOSTILE in box.text()
    window.remove_dialog_buttons["cancel"].click()
    assert window.banner.label.textFormat() == Qt.PlainText  # "Could not remove <nickname>: …" lands there

    window.tabs.setCurrentWidget(window.replay)  # pseudonyms only; every tooltip shows its cell literally
    qtbot.waitUntil(lambda: window.replay.model.rowCount() > 0, timeout=5000)
    model = window.replay.model
    for r in range(model.rowCount()):
        details = model.index(r, 4)
        assert shown(model.data(details, Qt.ToolTipRole)) == model.data(details, Qt.DisplayRole)
        assert HOSTILE not in model.data(details, Qt.DisplayRole)


def test_same_nicknames_are_told_apart_and_remove_can_block_the_device(qtbot, running):
    window = running
    dashboard = window.dashboard
    table = dashboard.participants
    _, mia = join(window, "Mia", "Mozilla/5.0 (Linux; Android 14) Chrome/126.0", MIA_PHONE)
    _, impostor = join(window, "Mia", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1", OTHER_PHONE)
    _, keyless = join(window, "Old page", "Firefox")
    qtbot.waitUntil(lambda: table.rowCount() == 3, timeout=5000)
    ids = column(table, "ID")
    assert [table.item(row_of(table, p["participant_id"]), ids).text() for p in (mia, impostor)] == [
        f"#{mia['participant_id']}",
        f"#{impostor['participant_id']}",
    ]
    assert not dashboard.blocked_label.isVisible() and not dashboard.unblock_button.isVisible()

    # A browser that sent no device key cannot be blocked: the dialog says so instead of pretending.
    dashboard.select_participant(keyless["participant_id"])
    dashboard.remove_button.click()
    assert not window.remove_dialog_buttons["block"].isEnabled()
    window.remove_dialog_buttons["cancel"].click()

    dashboard.select_participant(impostor["participant_id"])
    dashboard.remove_button.click()
    box = window.remove_dialog
    assert box.text() == f"Remove Mia · #{impostor['participant_id']} (Safari on iPhone)?"
    block = window.remove_dialog_buttons["block"]
    assert block.isEnabled() and not block.isChecked()
    block.setChecked(True)
    window.remove_dialog_buttons["remove"].click()

    state = column(table, "State")
    qtbot.waitUntil(lambda: dashboard.blocked_label.isVisible(), timeout=5000)
    assert table.item(row_of(table, impostor["participant_id"]), state).text() == "removed · device blocked"
    assert table.item(row_of(table, mia["participant_id"]), state).text() == "active"
    assert dashboard.blocked_label.text() == "Blocked devices: 1"
    status, refused = join(window, "Mia", "Safari", OTHER_PHONE)
    assert (status, refused["error"]["code"]) == (403, "device_blocked")
    assert refused["error"]["message"].startswith("The teacher removed this device from the session.")
    qtbot.waitUntil(lambda: "join_refused" in window.event_log.kinds(), timeout=5000)

    dashboard.select_participant(impostor["participant_id"])
    assert dashboard.unblock_button.isEnabled() and not dashboard.remove_button.isEnabled()
    dashboard.unblock_button.click()
    qtbot.waitUntil(lambda: not dashboard.blocked_label.isVisible(), timeout=5000)
    status, again = join(window, "Mia", "Safari", OTHER_PHONE)
    assert status == 200 and again["participant_id"] not in (mia["participant_id"], impostor["participant_id"])
