"""The session's event log tab: every core event, newest first, in the facilitator's words."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QAbstractItemView, QVBoxLayout, QWidget

from .dashboard import _item, _table
from .i18n import tr_noop
from .snapshot import SessionSnapshot, describe_event

C = "Dashboard"  # the strings' translation context, as when this view lived in dashboard.py


class EventLogView(QWidget):
    """The session's event log, newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = _table((tr_noop(C, "Time"), tr_noop(C, "Event"), tr_noop(C, "Details")))
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
