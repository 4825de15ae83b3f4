"""The "Group link…" dialog: a study's conditions behind one join code (docs/architecture.md, "Session groups").

The facilitator ticks two or more sessions (those served are marked), names each one's condition (default: its
title), chooses how new participants are assigned (taking turns, or a repeating order of their own), gives the
group a title, and Create makes the group: ``Coordinator.create_group`` runs off the UI thread through the
window's ``run``; what the core refuses is shown here, the choices kept. The group's join link and QR code follow,
with "Copy link"; the groups made so far are listed with their links and a Delete."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..errors import InfluxError
from .i18n import core_message, tr
from .qr_widget import QrCodeView
from .serving import Server, join_url

C = "GroupDialog"


def parse_order(text: str) -> list[int]:
    """The session numbers in "In this order:" ("#1, #1, #2" or "1 1 2"), in order."""
    return [int(n) for n in re.findall(r"\d+", text)]


class GroupDialog(QDialog):
    def __init__(
        self, coordinator: Any, run: Callable[..., None], served: list[int], server: Server | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.coordinator, self._run, self.served, self.server = coordinator, run, set(served), server
        self.setWindowTitle(tr(C, "Group link"))
        self.rows: dict[int, tuple[QCheckBox, QLineEdit]] = {}
        self.group: dict | None = None  # the group created last
        self.busy = False
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr(
                C,
                "One link for several sessions: each participant who joins through it is given one of them "
                "(a condition of your study). Tick two or more sessions.",
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.sessions_box = QGroupBox(tr(C, "Sessions and their conditions"))
        self.sessions_grid = QGridLayout(self.sessions_box)
        layout.addWidget(self.sessions_box)

        assign_box = QGroupBox(tr(C, "How participants are assigned"))
        assign = QVBoxLayout(assign_box)
        self.turns = QRadioButton(tr(C, "Take turns (A, B, A, B…)"))
        self.turns.setToolTip(tr(C, "Each new participant goes to the next running session of the group"))
        self.in_order = QRadioButton(tr(C, "In this order:"))
        self.order = QLineEdit()
        self.order.setPlaceholderText(tr(C, "Session numbers, repeated: e.g. 1, 1, 2"))
        self.order.setToolTip(
            tr(C, "The order repeats (1, 1, 2 → 1, 1, 2, 1, 1, 2…); a session that is not running makes its turn wait")
        )
        self._policy = QButtonGroup(self)
        self._policy.addButton(self.turns)
        self._policy.addButton(self.in_order)
        self.turns.setChecked(True)
        self.in_order.toggled.connect(self._order_toggled)
        order_row = QHBoxLayout()
        order_row.addWidget(self.in_order)
        order_row.addWidget(self.order, 1)
        assign.addWidget(self.turns)
        assign.addLayout(order_row)
        self.order.setEnabled(False)
        layout.addWidget(assign_box)

        title_row = QHBoxLayout()
        title_row.addWidget(QLabel(tr(C, "Group title:")))
        self.title = QLineEdit()
        self.title.setMaxLength(80)
        title_row.addWidget(self.title, 1)
        self.create_button = QPushButton(tr(C, "Create group link"))
        self.create_button.clicked.connect(self.create)
        title_row.addWidget(self.create_button)
        layout.addLayout(title_row)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        layout.addWidget(self.error)

        self.result_box = QGroupBox(tr(C, "The group's join link"))
        result = QVBoxLayout(self.result_box)
        self.link = QLabel()
        self.link.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.qr = QrCodeView()
        self.copy_button = QPushButton(tr(C, "Copy link"))
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.link_url()))
        self.server_note = QLabel(tr(C, "The link works only while the server runs (while at least one session is started)."))
        self.server_note.setWordWrap(True)
        for widget in (self.link, self.qr, self.copy_button, self.server_note):
            result.addWidget(widget)
        self.result_box.hide()
        layout.addWidget(self.result_box)

        self.groups_box = QGroupBox(tr(C, "Group links made so far"))
        self.groups_layout = QVBoxLayout(self.groups_box)
        layout.addWidget(self.groups_box)
        self.group_rows: dict[int, tuple[QLabel, QPushButton, QPushButton]] = {}  # text, Rename…, Delete
        self.loaded = False
        self.reload()

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        """List the sessions and the groups, off the UI thread."""

        def work(_progress):
            return self.coordinator.list_sessions(), self.coordinator.list_groups()

        self._run(work, self._show_lists, self._failed)

    def _show_lists(self, lists: tuple[list[dict], list[dict]]) -> None:
        sessions, groups = lists
        if not self.rows:
            for row, session in enumerate(sessions):
                label = f"#{session['id']} {session['config']['title']}"
                if session["id"] in self.served:
                    label = tr(C, "● {session} (served)", session=label)
                check = QCheckBox(label)
                condition = QLineEdit(session["config"]["title"])
                condition.setPlaceholderText(session["config"]["title"])
                condition.setMaxLength(60)
                condition.setToolTip(tr(C, "The condition's name in the study data"))
                check.toggled.connect(self._fill_order)
                self.sessions_grid.addWidget(check, row, 0)
                self.sessions_grid.addWidget(condition, row, 1)
                self.rows[session["id"]] = (check, condition)
        self._show_groups(groups)
        self.loaded = True

    def _show_groups(self, groups: list[dict]) -> None:
        for widgets in self.group_rows.values():
            for widget in widgets:
                widget.deleteLater()
        self.group_rows = {}
        for group in groups:
            row = QHBoxLayout()
            conditions = ", ".join(m["condition"] for m in group["members"])
            url = self.url_of(group)
            text = tr(C, "{title} ({conditions}): {link}", title=group["title"], conditions=conditions, link=url)
            label = QLabel(text)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextSelectableByMouse)
            rename = QPushButton(tr(C, "Rename…"))
            rename.setToolTip(tr(C, "A new title for the link: participants read it before they join; the link stays the same"))
            rename.clicked.connect(lambda _checked=False, g=group: self.ask_new_title(g))
            button = QPushButton(tr(C, "Delete"))
            button.setToolTip(tr(C, "The link stops working; the sessions, their data and the assignments stay"))
            button.clicked.connect(lambda _checked=False, gid=group["id"]: self.delete(gid))
            row.addWidget(label, 1)
            row.addWidget(rename)
            row.addWidget(button)
            self.groups_layout.addLayout(row)
            self.group_rows[group["id"]] = (label, rename, button)
        self.groups_box.setVisible(bool(groups))

    def url_of(self, group: dict) -> str:
        if self.server is None:
            return tr(C, "code {code} (a link once a session is started)", code=group["join_code"])
        return join_url(self.server.host, self.server.port, group["join_code"])

    def link_url(self) -> str:
        return self.qr.text()

    # ------------------------------------------------------------------ choosing

    def chosen(self) -> list[int]:
        return [sid for sid, (check, _condition) in self.rows.items() if check.isChecked()]

    def _order_toggled(self, on: bool) -> None:
        self.order.setEnabled(on)
        if on and not self.order.text().strip():
            self._fill_order()

    def _fill_order(self) -> None:
        """A starting order for "In this order:": each ticked session once (the facilitator edits it)."""
        if self.in_order.isChecked() and not self.order.isModified():
            self.order.setText(", ".join(str(sid) for sid in self.chosen()))

    def settings(self) -> dict:
        """What Create asks the core for."""
        sessions = [
            {"session_id": sid, "condition": self.rows[sid][1].text().strip() or self.rows[sid][1].placeholderText()}
            for sid in self.chosen()
        ]
        settings: dict = {"title": self.title.text().strip(), "sessions": sessions, "policy": "round_robin"}
        if self.in_order.isChecked():
            settings["policy"] = "sequence"
            settings["sequence"] = parse_order(self.order.text())
        return settings

    # ------------------------------------------------------------------ acting

    def create(self) -> None:
        if self.busy:
            return
        settings = self.settings()
        self._set_busy(True)
        self.error.hide()

        def work(_progress):
            return self.coordinator.create_group(settings), self.coordinator.list_groups()

        self._run(work, self._created, self._failed)

    def _created(self, result: tuple[dict, list[dict]]) -> None:
        group, groups = result
        self._set_busy(False)
        self.group = group
        url = self.url_of(group)
        self.link.setText(url)
        self.qr.set_text(url if self.server is not None else "")
        self.copy_button.setEnabled(self.server is not None)
        self.result_box.setTitle(tr(C, "Join link of “{title}”", title=group["title"]))
        self.result_box.show()
        self._show_groups(groups)

    def ask_new_title(self, group: dict) -> None:
        """Rename…: the group's title in a box to edit; OK renames it (the core checks the title)."""
        title, ok = QInputDialog.getText(
            self, tr(C, "Rename group"), tr(C, "Title participants read before they join:"), text=group["title"]
        )
        if ok and title.strip() != group["title"]:
            self.rename(group["id"], title)

    def rename(self, group_id: int, title: str) -> None:
        self.error.hide()

        def work(_progress):
            self.coordinator.rename_group(group_id, {"title": title})
            return self.coordinator.list_groups()

        self._run(work, self._renamed, self._rename_failed)

    def _renamed(self, groups: list[dict]) -> None:
        shown = next((g for g in groups if self.group is not None and g["id"] == self.group["id"]), None)
        if shown is not None:  # the link made last, shown above: its new title there too
            self.group = shown
            self.result_box.setTitle(tr(C, "Join link of “{title}”", title=shown["title"]))
        self._show_groups(groups)

    def _rename_failed(self, exc: BaseException) -> None:
        self.error.setText(tr(C, "Could not rename the group: {why}", why=_why(exc)))
        self.error.show()

    def delete(self, group_id: int) -> None:
        def work(_progress):
            self.coordinator.delete_group(group_id)
            return self.coordinator.list_groups()

        self._run(work, self._show_groups, self._failed)

    def _failed(self, exc: BaseException) -> None:
        """What the core refused (or what went wrong), on the dialog; the choices stay as they were."""
        self._set_busy(False)
        self.error.setText(tr(C, "Could not make the group link: {why}", why=_why(exc)))
        self.error.show()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.create_button.setEnabled(not busy)


def _why(exc: BaseException) -> str:
    """What the core refused, in the app's language, or what else went wrong."""
    return core_message(exc) if isinstance(exc, InfluxError) else f"{type(exc).__name__}: {exc}"
