"""A group link made in the desktop app (issue 18, session groups): the "Group link…" dialog groups two served
sessions under one join code; four participants joining through its link are assigned A, B, A, B (taking
turns); each session's event log says who was assigned to which condition; what the core refuses (a group of
one session) is shown on the dialog, the choices kept; Rename… changes the title the link's join page shows
(the link stays, each session's log says it); Delete stops the link. Everything binds 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from conftest import LOOPBACK, close_window, fill_new_session, http, start_and_wait
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QInputDialog

from influx_desktop.gui.group_dialog import parse_order

pytestmark = pytest.mark.gui


def join(url: str, nickname: str) -> tuple[int, dict]:
    base, code = url.split("/?join=")
    status, _, body = http(
        "POST",
        f"{base}/api/v1/join",
        json.dumps({"join_code": code, "nickname": nickname, "device": "Mozilla/5.0 (X11) Firefox/128.0"}).encode(),
        {"Content-Type": "application/json"},
    )
    return status, json.loads(body)


def log_lines(window) -> list[str]:
    table = window.event_log.table
    return [table.item(r, 2).text() for r in range(table.rowCount())]


def test_parse_order_reads_session_numbers_in_order():
    assert parse_order("#1, #1, #2") == [1, 1, 2]
    assert parse_order("3 4") == [3, 4]
    assert parse_order("") == []


def test_a_group_link_from_the_dialog_assigns_participants_by_turns(qtbot, window):
    fill_new_session(qtbot, window, "Fast", ["cat", "dog"])
    start_and_wait(qtbot, window)
    fast_id, server = window.session_id, window.serving
    window.toolbar.new_action.trigger()
    fill_new_session(qtbot, window, "Slow", ["cat", "dog"])
    start_and_wait(qtbot, window)
    slow_id = window.session_id

    assert window.toolbar.group_action.isEnabled()
    window.toolbar.group_action.trigger()
    dialog = window.group_dialog
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    assert set(dialog.rows) == {fast_id, slow_id}
    fast_check, fast_condition = dialog.rows[fast_id]
    slow_check, slow_condition = dialog.rows[slow_id]
    assert fast_check.text() == f"● #{fast_id} Fast (served)" and fast_condition.text() == "Fast"
    assert not dialog.groups_box.isVisibleTo(dialog)

    # One session only: the core refuses, the dialog says why and keeps what was chosen.
    fast_check.setChecked(True)
    qtbot.keyClicks(dialog.title, "Speed study")
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=5000)
    assert dialog.error.text().startswith("Could not make the group link: ")
    assert not dialog.result_box.isVisibleTo(dialog) and window.coordinator.list_groups() == []
    assert fast_check.isChecked() and dialog.title.text() == "Speed study" and dialog.create_button.isEnabled()

    # Both, taking turns, conditions "A" and "B".
    slow_check.setChecked(True)
    fast_condition.setText("A")
    slow_condition.setText("B")
    assert dialog.turns.isChecked()
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.result_box.isVisibleTo(dialog), timeout=5000)
    assert not dialog.error.isVisibleTo(dialog)
    group = dialog.group
    assert group["policy"] == "round_robin" and [m["condition"] for m in group["members"]] == ["A", "B"]
    url = f"http://{LOOPBACK}:{server.port}/?join={group['join_code']}"
    assert dialog.link.text() == url and dialog.qr.text() == url and dialog.copy_button.isEnabled()
    assert "only while the server runs" in dialog.server_note.text()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == url
    assert dialog.groups_box.isVisibleTo(dialog) and list(dialog.group_rows) == [group["id"]]
    assert url in dialog.group_rows[group["id"]][0].text()

    # Four participants through the group's link: A, B, A, B.
    assigned, ids = [], {}
    for name in ("Ada", "Bob", "Cy", "Dee"):
        status, body = join(url, name)
        assert status == 200, body
        assigned.append((body["condition"], body["session_id"], body["position"]))
        ids[name] = body["participant_id"]
    assert assigned == [("A", fast_id, 1), ("B", slow_id, 2), ("A", fast_id, 3), ("B", slow_id, 4)]
    gid = group["id"]

    # Each session's event log says it (Slow is shown).
    def has(session_lines: list[str]) -> bool:
        return all(wanted in log_lines(window) for wanted in session_lines)

    slow_lines = [
        f"this session became condition “B” of group {gid}",
        f"Bob · #{ids['Bob']} was assigned to condition “B” (#2 in group {gid})",
        f"Dee · #{ids['Dee']} was assigned to condition “B” (#4 in group {gid})",
    ]
    qtbot.waitUntil(lambda: has(slow_lines), timeout=10_000)
    combo = window.toolbar.session_combo
    combo.activated.emit(combo.findData(fast_id))
    qtbot.waitUntil(lambda: window.snapshot is not None and window.snapshot.session_id == fast_id, timeout=5000)
    fast_lines = [
        f"this session became condition “A” of group {gid}",
        f"Ada · #{ids['Ada']} was assigned to condition “A” (#1 in group {gid})",
        f"Cy · #{ids['Cy']} was assigned to condition “A” (#3 in group {gid})",
    ]
    qtbot.waitUntil(lambda: has(fast_lines), timeout=10_000)
    assert "participant_assigned" in window.event_log.kinds()

    # Rename…: a box holding the title; the new one is what the link's join page shows, the link stays.
    asked = []

    def answer_when_asked(title: str) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QInputDialog):  # not open yet: the click below opens it
            QTimer.singleShot(10, lambda: answer_when_asked(title))
            return
        asked.append(box.textValue())
        box.setTextValue(title)
        box.accept()

    QTimer.singleShot(0, lambda: answer_when_asked("  Speed study, spring "))
    dialog.group_rows[gid][1].click()
    assert asked == ["Speed study"]
    qtbot.waitUntil(
        lambda: gid in dialog.group_rows and "Speed study, spring (A, B)" in dialog.group_rows[gid][0].text(), timeout=5000
    )
    assert url in dialog.group_rows[gid][0].text() and not dialog.error.isVisibleTo(dialog)
    assert dialog.result_box.title() == "Join link of “Speed study, spring”"
    status, _, body = http("GET", url.replace("/?join=", "/api/v1/join/"))
    assert status == 200 and json.loads(body)["title"] == "Speed study, spring", body
    qtbot.waitUntil(
        lambda: f"group {gid} was renamed “Speed study, spring” (was “Speed study”)" in " ".join(log_lines(window)),
        timeout=10_000,
    )

    # A title the core refuses (too long): the dialog says why, and the group keeps its title.
    dialog.rename(gid, "x" * 81)
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=5000)
    assert dialog.error.text().startswith("Could not rename the group: The group needs a title of 1 to 80 characters")
    assert window.coordinator.get_group(gid)["title"] == "Speed study, spring"

    # Delete: the link stops working, the list empties.
    dialog.group_rows[group["id"]][2].click()
    qtbot.waitUntil(lambda: not dialog.group_rows, timeout=5000)
    assert window.coordinator.get_group(group["id"])["deleted"]
    status, body = join(url, "Eve")
    assert status == 404 and body["error"]["code"] == "group_deleted", body
    close_window(window)
