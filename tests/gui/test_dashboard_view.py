"""The dashboard for a teacher (issue 15): each participant's own test result in the table, every column
readable at 1440×900 (none clipped), tiles that keep their place while a test set loads, and a projector
hint large enough to read from the back of the room."""

from __future__ import annotations

import json
import time

import pytest
from conftest import Participant, fill_new_session, http, start_and_wait
from PySide6.QtWidgets import QApplication

from influx_desktop.gui.dashboard import Dashboard
from influx_desktop.gui.snapshot import SessionSnapshot

pytestmark = pytest.mark.gui


def column(table, header: str) -> int:
    return next(c for c in range(table.columnCount()) if table.horizontalHeaderItem(c).text() == header)


def post_test_result(participant: Participant, version: int, correct: int, n: int) -> None:
    body = json.dumps({"version": version, "accuracy": correct / n, "n": n}).encode()
    status, _, answer = http(
        "POST",
        f"{participant.base}/api/v1/test-results",
        body,
        {"Authorization": f"Bearer {participant.token}", "Content-Type": "application/json"},
    )
    assert status in (200, 201, 204), answer


def test_own_test_results_are_on_the_dashboard_and_no_column_is_clipped(qtbot, window):
    window.resize(1440, 900)
    fill_new_session(qtbot, window, "Own tests", ["a", "b"])
    start_and_wait(qtbot, window)
    url = window.serving.join_url
    ada = Participant(url, "Ada")
    Participant(url, "Bob", device="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Edg/126.0")
    assert ada.send_update()[0] == 200
    post_test_result(ada, 1, 3, 4)
    dashboard, table = window.dashboard, window.dashboard.participants
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=5000)
    tests = column(table, "Own test")
    row = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    qtbot.waitUntil(lambda: table.item(row["Ada"], tests).text() == "75% (4 photos)", timeout=5000)
    assert "version 1" in table.item(row["Ada"], tests).toolTip()
    assert table.item(row["Bob"], tests).text() == "—"

    behind = column(table, "Versions behind")  # the staleness column, in plain words
    assert "staleness" in table.horizontalHeaderItem(behind).toolTip()
    window.tabs.setCurrentWidget(dashboard)
    qtbot.wait(50)
    header = table.horizontalHeader()
    assert header.length() <= table.viewport().width()  # every column fits: nothing cut off at the right
    for c in range(table.columnCount()):  # and no header is narrower than its text
        text = table.horizontalHeaderItem(c).text()
        assert header.sectionSize(c) >= header.fontMetrics().horizontalAdvance(text), text


def _snapshot(test_set: dict, accuracy: list[dict]) -> SessionSnapshot:
    session = {
        "id": 1,
        "version": 3,
        "participants": 2,
        "active_participants": 2,
        "updates_applied": 3,
        "updates_buffered": 0,
        "updates_rejected": 0,
    }
    return SessionSnapshot(
        session=session, participants=[], updates=[], accuracy=accuracy, test_set=test_set, events=[], taken_at=time.time()
    )


def test_nothing_moves_while_a_test_set_loads(qtbot):
    dashboard = Dashboard()
    qtbot.addWidget(dashboard)
    dashboard.resize(1050, 760)
    dashboard.show()
    widgets = [
        dashboard.version_tile,
        dashboard.participants_tile,
        dashboard.rate_tile,
        dashboard.updates_tile,
        dashboard.accuracy_tile,
        dashboard.participants,
        dashboard.rejected,
        dashboard.accuracy_chart,
        dashboard.staleness_chart,
    ]

    def geometry():
        QApplication.processEvents()
        return [(w.mapTo(dashboard, w.rect().topLeft()), w.size()) for w in widgets]

    dashboard.show_snapshot(_snapshot({"state": "none"}, []))
    before = geometry()
    dashboard.show_snapshot(_snapshot({"state": "extracting", "done": 17, "images": 240}, []))
    assert "17 of 240" in dashboard.accuracy_tile.caption.text()
    assert geometry() == before
    scored = [{"version": v, "accuracy": a} for v, a in ((1, 0.5), (2, 0.71), (3, 0.84))]
    dashboard.show_snapshot(_snapshot({"state": "ready", "images": 240}, scored))
    assert dashboard.accuracy_tile.value.text() == "84%"
    assert geometry() == before
    dashboard.show_snapshot(_snapshot({"state": "failed", "error": "a long explanation of what went wrong " * 4}, []))
    assert geometry() == before


def test_the_projector_hint_is_large(qtbot, window):
    fill_new_session(qtbot, window, "Projector", ["a", "b"])
    start_and_wait(qtbot, window)
    window.present()
    present = window.present_window
    normal = QApplication.font().pointSizeF()
    assert present.hint.font().pointSizeF() >= 1.8 * normal
    assert present.hint.wordWrap()
    present.close()
