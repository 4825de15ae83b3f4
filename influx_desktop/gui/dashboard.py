"""The live view of a session: participants, version, update rate, rejections, accuracy and staleness
charts, and the event log. It shows ``SessionSnapshot``s; it never reads the core itself."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .charts import LineChart
from .plain_text import tooltip as plain_tooltip
from .snapshot import SessionSnapshot, describe_event, participant_label

PARTICIPANT_COLUMNS = (
    "Nickname", "ID", "Browser / device", "State", "Accepted", "Rejected", "Last seen", "Last staleness",
)


def _ago(seconds: float) -> str:
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return time.strftime("%H:%M", time.localtime(time.time() - seconds))


def short_device(user_agent: str | None) -> str:
    """A readable browser/device from a user agent string (the full string is the tooltip)."""
    ua = user_agent or ""
    if not ua:
        return "—"
    browser = next((b for b in ("Firefox", "Edg", "OPR", "Chrome", "Safari") if b in ua), None)
    device = next((d for d in ("iPhone", "iPad", "Android", "Windows", "Mac OS", "Linux", "CrOS") if d in ua), None)
    if browser or device:
        names = {"Edg": "Edge", "OPR": "Opera", "Mac OS": "macOS", "CrOS": "ChromeOS"}
        return " on ".join(names.get(x, x) for x in (browser, device) if x)
    return ua[:40]


class StatTile(QFrame):
    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.value = QLabel("—")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set(self, value: str, caption: str | None = None) -> None:
        self.value.setText(value)
        if caption is not None:
            self.caption.setText(caption)


def _item(text: str, tooltip: str | None = None, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemIsSelectable | Qt.ItemIsEnabled)
    if tooltip:
        item.setToolTip(plain_tooltip(tooltip))
    if align_right:
        item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
    return item


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setSelectionMode(QAbstractItemView.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class Dashboard(QWidget):
    remove_participant_requested = Signal(dict)  # the participant, as coordinator.participants lists it
    unblock_device_requested = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snapshot: SessionSnapshot | None = None
        self.version_tile = StatTile("model version")
        self.participants_tile = StatTile("participants")
        self.rate_tile = StatTile("updates in the last minute")
        self.updates_tile = StatTile("updates accepted · rejected")
        self.accuracy_tile = StatTile("test accuracy (no test set)")
        tiles = QHBoxLayout()
        for tile in (self.version_tile, self.participants_tile, self.rate_tile, self.updates_tile, self.accuracy_tile):
            tiles.addWidget(tile)

        self.participants = _table(PARTICIPANT_COLUMNS)
        self.participants.setObjectName("participants_table")
        self.participants.itemSelectionChanged.connect(self._selection_changed)
        self.remove_button = QPushButton("Remove participant…")
        self.remove_button.setToolTip("Revoke the selected participant's token: their updates are refused from now on.")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self._remove_clicked)
        self.blocked_label = QLabel()
        self.blocked_label.setObjectName("blocked_devices")
        self.unblock_button = QPushButton("Unblock device")
        self.unblock_button.setToolTip(
            "Let the selected removed participant's device join this session again, as a new participant."
        )
        self.unblock_button.clicked.connect(self._unblock_clicked)
        self.rejected = _table(("Time", "Participant", "Reason"))
        self.rejected.setObjectName("rejected_table")
        self.accuracy_chart = LineChart(
            "Server-side test accuracy by model version", "version", y_range=(0.0, 1.0), y_format="{:.0%}",
            empty_text="Load a test set (class subfolders) to see accuracy per version.",
        )
        self.staleness_chart = LineChart(
            "Staleness of accepted updates (versions behind)", "update", color="#d62728", y_format="{:.0f}",
            integer_y=True,
            empty_text="No accepted updates yet.",
        )

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Participants"))
        left_layout.addWidget(self.participants, 3)
        remove_row = QHBoxLayout()
        remove_row.addWidget(self.blocked_label)
        remove_row.addWidget(self.unblock_button)
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)
        left_layout.addLayout(remove_row)
        left_layout.addWidget(QLabel("Rejected updates"))
        left_layout.addWidget(self.rejected, 2)
        right = QWidget()
        right_layout = QGridLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.accuracy_chart, 0, 0)
        right_layout.addWidget(self.staleness_chart, 1, 0)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([620, 400])
        layout = QVBoxLayout(self)
        layout.addLayout(tiles)
        layout.addWidget(splitter, 1)

    # ------------------------------------------------------------------ showing a snapshot

    def show_snapshot(self, snapshot: SessionSnapshot) -> None:
        self.snapshot = snapshot
        session = snapshot.session
        self.version_tile.set(str(session["version"]))
        self.participants_tile.set(str(session["participants"]), f"participants ({session['active_participants']} not removed)")
        self.rate_tile.set(f"{snapshot.updates_per_minute():g}")
        accepted = session["updates_applied"] + session["updates_buffered"]
        self.updates_tile.set(f"{accepted} · {session['updates_rejected']}")
        self._show_accuracy(snapshot)
        self._fill_participants(snapshot)
        self._fill_rejected(snapshot)
        self.staleness_chart.set_points(snapshot.staleness_by_update())

    def _show_accuracy(self, snapshot: SessionSnapshot) -> None:
        series = snapshot.accuracy_by_version()
        status = snapshot.test_set
        state = status.get("state", "none")
        if series:
            self.accuracy_tile.set(f"{series[-1][1]:.0%}", f"test accuracy, version {series[-1][0]:g} ({status.get('images', '?')} images)")
        elif state == "extracting":
            self.accuracy_tile.set("…", f"reading test set: {status.get('done', 0)}/{status.get('images', 0)} images")
        elif state == "failed":
            self.accuracy_tile.set("!", f"test set failed: {status.get('error', 'unknown error')}")
        else:
            self.accuracy_tile.set("—", "test accuracy (no test set)")
        self.accuracy_chart.set_points(series)

    def _fill_participants(self, snapshot: SessionSnapshot) -> None:
        selected = self.selected_participant()
        now = snapshot.taken_at
        table = self.participants
        table.setSortingEnabled(False)
        table.setRowCount(len(snapshot.participants))
        for row, p in enumerate(snapshot.participants):
            staleness = "—" if p["last_staleness"] is None else str(p["last_staleness"])
            cells = (
                _item(p["nickname"]),
                _item(f"#{p['id']}"),
                _item(short_device(p["device"]), p["device"] or None),
                _item(f"{p['state']} · device blocked" if p["device_blocked"] else p["state"]),
                _item(str(p["accepted"]), align_right=True),
                _item(str(p["rejected"]), align_right=True),
                _item(_ago(now - p["last_seen"])),
                _item(staleness, align_right=True),
            )
            cells[0].setData(Qt.UserRole, p["id"])
            for column, cell in enumerate(cells):
                if p["revoked"]:
                    cell.setForeground(Qt.gray)
                table.setItem(row, column, cell)
            if p["id"] == (selected[0] if selected else None):
                table.selectRow(row)
        blocked = sum(p["device_blocked"] for p in snapshot.participants)
        self.blocked_label.setText(f"Blocked devices: {blocked}")
        self.blocked_label.setVisible(blocked > 0)
        self.unblock_button.setVisible(blocked > 0)
        self._selection_changed()

    def _fill_rejected(self, snapshot: SessionSnapshot) -> None:
        rejected = list(reversed(snapshot.rejected_updates()))[:200]
        self.rejected.setRowCount(len(rejected))
        for row, u in enumerate(rejected):
            self.rejected.setItem(row, 0, _item(time.strftime("%H:%M:%S", time.localtime(u["received_at"]))))
            self.rejected.setItem(row, 1, _item(participant_label(u["nickname"], u["participant_id"])))
            self.rejected.setItem(row, 2, _item(u["reason"] or "", u["reason"]))

    # ------------------------------------------------------------------ removing a participant

    def selected_participant(self) -> tuple[int, str] | None:
        rows = self.participants.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.participants.item(rows[0].row(), 0)
        return (item.data(Qt.UserRole), item.text()) if item else None

    def select_participant(self, participant_id: int) -> None:
        for row in range(self.participants.rowCount()):
            if self.participants.item(row, 0).data(Qt.UserRole) == participant_id:
                self.participants.selectRow(row)
                return

    def selected_record(self) -> dict | None:
        """The selected participant as the snapshot lists it."""
        selected = self.selected_participant()
        if not selected or not self.snapshot:
            return None
        return next((p for p in self.snapshot.participants if p["id"] == selected[0]), None)

    def _selection_changed(self) -> None:
        record = self.selected_record()
        self.remove_button.setEnabled(record is not None and not record["revoked"])
        self.unblock_button.setEnabled(record is not None and record["device_blocked"])

    def _remove_clicked(self) -> None:
        record = self.selected_record()
        if record:
            self.remove_participant_requested.emit(record)

    def _unblock_clicked(self) -> None:
        record = self.selected_record()
        if record:
            self.unblock_device_requested.emit(record)


class EventLogView(QWidget):
    """The session's event log, newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = _table(("Time", "Event", "Details"))
        self.table.setObjectName("event_log")
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)

    def show_snapshot(self, snapshot: SessionSnapshot) -> None:
        nicknames = {p["id"]: p["nickname"] for p in snapshot.participants}
        events = list(reversed(snapshot.events))
        self.table.setRowCount(len(events))
        for row, event in enumerate(events):
            self.table.setItem(row, 0, _item(time.strftime("%H:%M:%S", time.localtime(event["at"]))))
            self.table.setItem(row, 1, _item(event["kind"]))
            text = describe_event(event, nicknames)
            self.table.setItem(row, 2, _item(text, text))

    def kinds(self) -> list[str]:
        return [self.table.item(row, 1).text() for row in range(self.table.rowCount())]
