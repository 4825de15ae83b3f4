"""The study replay view: a session's pseudonymous timeline (time, participant, source, event, details),
filterable by participant and by event kind. It shows ``StudyTimeline``s; it never reads the core itself."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from .i18n import tr, tr_noop
from .param_fields import ignore_wheel_unless_focused
from .plain_text import tooltip
from .study_timeline import StudyTimeline, describe_study_row

C = "StudyReplay"
COLUMNS = (tr_noop(C, "Time"), tr_noop(C, "Participant"), tr_noop(C, "Source"), tr_noop(C, "Event"), tr_noop(C, "Details"))
SOURCES = {"browser": tr_noop(C, "browser"), "server": tr_noop(C, "server")}
ALL = None  # the combo boxes' "any" entry
LOGGING_OFF_NOTE = tr_noop(
    C,
    "Study logging is off for this session: only what the FL core records anyway (joins, updates accepted or "
    "rejected, test results) appears here. Switch it on in Setup to record interactions of people who join next.",
)


class StudyTimelineModel(QAbstractTableModel):
    """The filtered rows, as a table model: a long study stays fast to scroll."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return tr(C, COLUMNS[section])
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.DisplayRole:
            return self.cell(row, column)
        if role == Qt.ToolTipRole:
            if column == 0:
                return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row["at"])) + f" (unix {row['at']:.3f})"
            if column == 2:
                return (
                    tr(C, "recorded by the participant's browser")
                    if row["source"] == "browser"
                    else tr(C, "recorded by the server")
                )
            if column == 4:
                return tooltip(describe_study_row(row))  # browser-sent data: shown literally
        return None

    @staticmethod
    def cell(row: dict, column: int) -> str:
        if column == 0:
            return time.strftime("%H:%M:%S", time.localtime(row["at"]))
        if column == 1:
            return row["participant"]
        if column == 2:
            return tr(C, SOURCES[row["source"]]) if row["source"] in SOURCES else row["source"]
        if column == 3:
            return row["kind"]
        return describe_study_row(row)


class StudyReplayView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline: StudyTimeline | None = None
        self.participant_filter = ignore_wheel_unless_focused(QComboBox())
        self.participant_filter.setObjectName("participant_filter")
        self.participant_filter.setMinimumWidth(160)
        self.kind_filter = ignore_wheel_unless_focused(QComboBox())
        self.kind_filter.setObjectName("kind_filter")
        self.kind_filter.setMinimumWidth(200)
        for combo in (self.participant_filter, self.kind_filter):
            combo.currentIndexChanged.connect(self._apply_filters)
        self.count = QLabel()
        self.count.setObjectName("replay_count")
        self.note = QLabel(tr(C, LOGGING_OFF_NOTE))
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #8a6d00;")
        self.note.hide()
        self.model = StudyTimelineModel(self)
        self.table = QTableView()
        self.table.setObjectName("study_timeline")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)

        filters = QHBoxLayout()
        filters.addWidget(QLabel(tr(C, "Participant")))
        filters.addWidget(self.participant_filter)
        filters.addSpacing(12)
        filters.addWidget(QLabel(tr(C, "Event")))
        filters.addWidget(self.kind_filter)
        filters.addStretch(1)
        filters.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        self.clear()

    # ------------------------------------------------------------------ showing a timeline

    def clear(self) -> None:
        self.timeline = None
        self._fill_choices(self.participant_filter, tr(C, "All participants"), [])
        self._fill_choices(self.kind_filter, tr(C, "All events"), [])
        self.note.hide()
        self.model.set_rows([])
        self.count.setText(tr(C, "No events yet"))

    def show_timeline(self, timeline: StudyTimeline) -> None:
        """Show ``timeline`` keeping the chosen filters; a view scrolled to the end follows new events."""
        scrollbar = self.table.verticalScrollBar()
        following = scrollbar.value() >= scrollbar.maximum()
        position = scrollbar.value()
        self.timeline = timeline
        self.note.setVisible(not timeline.study_logging)
        self._fill_choices(self.participant_filter, tr(C, "All participants"), timeline.participants())
        self._fill_choices(self.kind_filter, tr(C, "All events"), timeline.kinds())
        self._apply_filters()
        scrollbar.setValue(scrollbar.maximum() if following else position)

    def set_filters(self, participant: str | None = ALL, kind: str | None = ALL) -> None:
        """Choose a participant and an event kind (None: any); a choice not in the timeline is kept and shows nothing."""
        for combo, value in ((self.participant_filter, participant), (self.kind_filter, kind)):
            if value is not None and combo.findData(value) < 0:
                combo.addItem(value, value)
            combo.setCurrentIndex(combo.findData(value) if value is not None else 0)

    def _fill_choices(self, combo: QComboBox, any_text: str, values: list[str]) -> None:
        chosen = combo.currentData()
        if chosen is not None and chosen not in values:
            values = [*values, chosen]  # a participant with no rows yet (or gone) stays chosen
        current = [combo.itemData(i) for i in range(1, combo.count())]
        if current == values and combo.count():
            return
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(any_text, ALL)
        for value in values:
            combo.addItem(value, value)
        combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)
        combo.blockSignals(False)

    def _apply_filters(self) -> None:
        if self.timeline is None:
            return
        rows = self.timeline.filtered(self.participant_filter.currentData(), self.kind_filter.currentData())
        self.model.set_rows(rows)
        total = len(self.timeline.rows)
        self.count.setText(
            tr(C, "{shown} of {total} events", shown=len(rows), total=total)
            if len(rows) != total
            else tr(C, "{total} events", total=total)
        )

    # ------------------------------------------------------------------ reading what is shown

    def shown_rows(self) -> list[dict]:
        return list(self.model.rows)

    def shown_cells(self, column: int) -> list[str]:
        return [StudyTimelineModel.cell(row, column) for row in self.model.rows]
