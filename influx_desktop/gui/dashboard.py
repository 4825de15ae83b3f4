"""The live view of a session: participants (with each one's own latest test result), version, update rate,
rejections, accuracy and staleness charts, and the event log. It shows ``SessionSnapshot``s; it never reads
the core itself. Tiles keep their size whatever their captions say, so nothing jumps when a test set loads."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .charts import LineChart
from .i18n import core_message, rejection_reason, tr, tr_noop
from .plain_text import tooltip as plain_tooltip
from .snapshot import SessionSnapshot, participant_label

C = "Dashboard"
#: (header, header tooltip), marked for translation
PARTICIPANT_COLUMNS = (
    (tr_noop(C, "Nickname"), ""),
    (tr_noop(C, "ID"), tr_noop(C, "Nicknames may repeat; this number does not (P12 in the study exports is #12).")),
    (tr_noop(C, "Browser / device"), ""),
    (tr_noop(C, "State"), tr_noop(C, "active: heard from in the last minute; idle: not since; removed: by you.")),
    (tr_noop(C, "Accepted"), tr_noop(C, "Contributions (updates) the class model took in.")),
    (tr_noop(C, "Rejected"), tr_noop(C, "Contributions refused, e.g. too old or far too large: see Rejected updates.")),
    (tr_noop(C, "Last seen"), ""),
    (
        tr_noop(C, "Versions behind"),
        tr_noop(
            C,
            "How many newer versions of the class model appeared while this participant trained their last "
            "accepted contribution (its staleness). Such contributions count less.",
        ),
    ),
    (
        tr_noop(C, "Own test"),
        tr_noop(C, "The participant's latest test of the class model on their own test photos, on their device."),
    ),
)
STATES = {"active": tr_noop(C, "active"), "idle": tr_noop(C, "idle"), "removed": tr_noop(C, "removed")}


def _ago(seconds: float) -> str:
    if seconds < 5:
        return tr(C, "just now")
    if seconds < 60:
        return tr(C, "{n} s ago", n=int(seconds))
    if seconds < 3600:
        return tr(C, "{n} min ago", n=int(seconds // 60))
    return time.strftime("%H:%M", time.localtime(time.time() - seconds))


def rejection_text(update: dict, config: dict) -> str:
    """Why an update was refused, in the app's language: a cause the dashboard knows in a few words with its
    numbers and the limit it broke, any other as the core's sentence (``i18n.rejection_reason``, which is the
    tooltip: English only for an update stored before its sentence's template was)."""
    code, params = update.get("code"), update.get("reason_params")
    if not isinstance(params, dict):  # stored before its reason's fields were: today's limits tell the cause
        code, params = _cause_by_todays_limits(update, config)
    if code == "norm_too_large":
        norm = params["norm"]
        return tr(
            C,
            "far too large (change {norm}, L2 norm; limit {limit})",
            norm=f"{norm:.0f}" if norm >= 10 else f"{norm:.2g}",
            limit=f"{params['limit']:g}",
        )
    if code == "too_stale":
        return tr(C, "too old ({n} versions behind; limit {limit})", n=params["staleness"], limit=params["limit"])
    return rejection_reason(update)


def _cause_by_todays_limits(update: dict, config: dict) -> tuple[str | None, dict]:
    norm, staleness = update.get("norm"), update.get("staleness")
    if norm is not None and norm > config.get("max_update_norm", float("inf")):
        return "norm_too_large", {"norm": norm, "limit": config["max_update_norm"]}
    if staleness is not None and staleness > config.get("max_staleness", float("inf")):
        return "too_stale", {"staleness": staleness, "limit": config["max_staleness"]}
    return None, {}


def percent(fraction: float) -> str:
    """``0.82`` as ``82%`` (in German ``82 %``)."""
    return tr(C, "{n}%", n=round(fraction * 100))


def short_device(user_agent: str | None) -> str:
    """A readable browser/device from a user agent string (the full string is the tooltip)."""
    ua = user_agent or ""
    if not ua:
        return "—"
    browser = next((b for b in ("Firefox", "Edg", "OPR", "Chrome", "Safari") if b in ua), None)
    device = next((d for d in ("iPhone", "iPad", "Android", "Windows", "Mac OS", "Linux", "CrOS") if d in ua), None)
    if browser or device:
        names = {"Edg": "Edge", "OPR": "Opera", "Mac OS": "macOS", "CrOS": "ChromeOS"}
        if browser and device:
            return tr(C, "{browser} on {device}", browser=names.get(browser, browser), device=names.get(device, device))
        return names.get(browser or device, browser or device)
    return ua[:40]


class StatTile(QFrame):
    """A big number over a caption. Its size never follows its text (captions wrap, two lines high), so a
    changing caption cannot move its neighbours."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.value = QLabel("—")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        for label in (self.value, self.caption):
            label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.caption.setFixedHeight(2 * self.caption.fontMetrics().lineSpacing() + 2)
        self.value.setFixedHeight(self.value.fontMetrics().lineSpacing() + 2)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
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


def _table(columns: tuple) -> QTableWidget:
    """A read-only table; ``columns``: headers, or (header, tooltip) pairs, marked for translation."""
    columns = tuple(c if isinstance(c, tuple) else (c, "") for c in columns)
    table = QTableWidget(0, len(columns))
    for index, (header, tip) in enumerate(columns):
        item = QTableWidgetItem(tr(C, header))
        if tip:
            item.setToolTip(tr(C, tip))
        table.setHorizontalHeaderItem(index, item)
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
        self.version_tile = StatTile(tr(C, "class model version"))
        self.participants_tile = StatTile(tr(C, "participants"))
        self.rate_tile = StatTile(tr(C, "updates in the last minute"))
        self.updates_tile = StatTile(tr(C, "updates accepted · rejected"))
        self.accuracy_tile = StatTile(tr(C, "test accuracy (no test set)"))
        tiles = QHBoxLayout()
        for tile in (self.version_tile, self.participants_tile, self.rate_tile, self.updates_tile, self.accuracy_tile):
            tiles.addWidget(tile, 1)

        self.participants = _table(PARTICIPANT_COLUMNS)
        self.participants.setObjectName("participants_table")
        header = self.participants.horizontalHeader()  # the device column takes the spare width, not "Own test"
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        self.participants.itemSelectionChanged.connect(self._selection_changed)
        self.remove_button = QPushButton(tr(C, "Remove participant…"))
        self.remove_button.setToolTip(tr(C, "Revoke the selected participant's token: their updates are refused from now on."))
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self._remove_clicked)
        self.blocked_label = QLabel()
        self.blocked_label.setObjectName("blocked_devices")
        self.unblock_button = QPushButton(tr(C, "Unblock device"))
        self.unblock_button.setToolTip(
            tr(C, "Let the selected removed participant's device join this session again, as a new participant.")
        )
        self.unblock_button.clicked.connect(self._unblock_clicked)
        self.rejected = _table((tr_noop(C, "Time"), tr_noop(C, "Participant"), tr_noop(C, "Reason")))
        self.rejected.setObjectName("rejected_table")
        self.accuracy_chart = LineChart(
            tr(C, "Accuracy on your test set, by version"),
            tr(C, "version"),
            y_range=(0.0, 1.0),
            y_format="{:.0%}",
            empty_text=tr(C, "Load a test set (one subfolder per class) to see the accuracy of each version."),
        )
        self.staleness_chart = LineChart(
            tr(C, "Versions behind, per accepted update"),
            tr(C, "update"),
            color="#d62728",
            y_format="{:.0f}",
            integer_y=True,
            empty_text=tr(C, "No accepted updates yet."),
        )

        top = QWidget()  # the participants, over the whole width: every column fits
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(QLabel(tr(C, "Participants")))
        top_layout.addWidget(self.participants, 1)
        remove_row = QHBoxLayout()
        remove_row.addWidget(self.blocked_label)
        remove_row.addWidget(self.unblock_button)
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)
        top_layout.addLayout(remove_row)
        rejected = QWidget()
        rejected_layout = QVBoxLayout(rejected)
        rejected_layout.setContentsMargins(0, 0, 0, 0)
        rejected_layout.addWidget(QLabel(tr(C, "Rejected updates")))
        rejected_layout.addWidget(self.rejected, 1)
        bottom = QSplitter(Qt.Horizontal)
        for widget in (rejected, self.accuracy_chart, self.staleness_chart):
            bottom.addWidget(widget)
        bottom.setSizes([400, 320, 320])
        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([420, 280])
        layout = QVBoxLayout(self)
        layout.addLayout(tiles)
        layout.addWidget(splitter, 1)

    # ------------------------------------------------------------------ showing a snapshot

    def show_snapshot(self, snapshot: SessionSnapshot) -> None:
        self.snapshot = snapshot
        session = snapshot.session
        self.version_tile.set(str(session["version"]))
        self.participants_tile.set(
            str(session["participants"]), tr(C, "participants ({n} not removed)", n=session["active_participants"])
        )
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
            self.accuracy_tile.set(
                percent(series[-1][1]),
                tr(C, "test accuracy, version {version:g} ({n} images)", version=series[-1][0], n=status.get("images", "?")),
            )
        elif state == "extracting":
            self.accuracy_tile.set(
                "…", tr(C, "reading the test set: {done} of {n} images", done=status.get("done", 0), n=status.get("images", 0))
            )
        elif state == "failed":
            self.accuracy_tile.set("!", tr(C, "the test set failed: {error}", error=core_message(status.get("error", "?"))))
        else:
            self.accuracy_tile.set("—", tr(C, "test accuracy (no test set)"))
        self.accuracy_chart.set_points(series)

    def _fill_participants(self, snapshot: SessionSnapshot) -> None:
        selected = self.selected_participant()
        now = snapshot.taken_at
        tests = snapshot.latest_tests()
        table = self.participants
        table.setSortingEnabled(False)
        table.setRowCount(len(snapshot.participants))
        for row, p in enumerate(snapshot.participants):
            staleness = "—" if p["last_staleness"] is None else str(p["last_staleness"])
            cells = (
                _item(p["nickname"]),
                _item(f"#{p['id']}"),
                _item(short_device(p["device"]), p["device"] or None),
                _item(self._state_text(p)),
                _item(str(p["accepted"]), align_right=True),
                _item(str(p["rejected"]), align_right=True),
                _item(_ago(now - p["last_seen"])),
                _item(staleness, align_right=True),
                self._test_item(p, tests.get(p["id"])),
            )
            cells[0].setData(Qt.UserRole, p["id"])
            for column, cell in enumerate(cells):
                if p["revoked"]:
                    cell.setForeground(Qt.gray)
                table.setItem(row, column, cell)
            if p["id"] == (selected[0] if selected else None):
                table.selectRow(row)
        blocked = sum(p["device_blocked"] for p in snapshot.participants)
        self.blocked_label.setText(tr(C, "Blocked devices: {n}", n=blocked))
        self.blocked_label.setVisible(blocked > 0)
        self.unblock_button.setVisible(blocked > 0)
        self._selection_changed()

    @staticmethod
    def _state_text(p: dict) -> str:
        state = tr(C, STATES[p["state"]]) if p["state"] in STATES else p["state"]
        return tr(C, "{state} · device blocked", state=state) if p["device_blocked"] else state

    @staticmethod
    def _test_item(p: dict, test: dict | None) -> QTableWidgetItem:
        """The participant's latest own test: "82% (11 photos)", which version and when as the tooltip."""
        if test is not None:
            when = time.strftime("%H:%M", time.localtime(test["at"]))
            tip = tr(
                C,
                "Tested version {version} of the class model at {time} on {n} of their own photos.",
                version=test["version"],
                time=when,
                n=test["n"],
            )
            return _item(tr(C, "{accuracy} ({n} photos)", accuracy=percent(test["accuracy"]), n=test["n"]), tip, align_right=True)
        if p.get("last_test_accuracy") is not None:  # tested before the events the dashboard reads
            return _item(percent(p["last_test_accuracy"]), align_right=True)
        return _item("—", tr(C, "Not tested yet."), align_right=True)

    def _fill_rejected(self, snapshot: SessionSnapshot) -> None:
        rejected = list(reversed(snapshot.rejected_updates()))[:200]
        config = snapshot.session.get("config") or {}
        self.rejected.setRowCount(len(rejected))
        for row, u in enumerate(rejected):
            self.rejected.setItem(row, 0, _item(time.strftime("%H:%M:%S", time.localtime(u["received_at"]))))
            self.rejected.setItem(row, 1, _item(participant_label(u["nickname"], u["participant_id"])))
            self.rejected.setItem(row, 2, _item(rejection_text(u, config), rejection_reason(u)))
        self.rejected.resizeRowsToContents()  # a reason wrapped to two lines shows both

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
