"""The window's toolbar: the session chooser (which marks the sessions being served) and every action on the shown
session (start, stop, pause, present, test set, exports, data folder), enabled by what the controller says is
possible. The window connects the actions."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QToolBar, QToolButton, QWidget

from .exports import STUDY_EXPORTS, C as EXPORTS
from .i18n import tr
from .param_fields import ignore_wheel_unless_focused


class SessionToolbar(QToolBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("SessionToolbar", "Session"), parent)
        self.setMovable(False)
        self.session_combo = ignore_wheel_unless_focused(QComboBox())
        self.session_combo.setMinimumWidth(220)
        self.session_combo.setMaximumWidth(440)  # a long title is cut; the toolbar fits 1440 px in German too
        self.session_combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        c = "SessionToolbar"
        self.session_combo.setToolTip(tr(c, "Sessions in this data folder; ● marks those being served now"))
        self._sessions: dict[int, dict] = {}  # as listed, by id
        self._served: set[int] = set()
        self.addWidget(QLabel(" " + tr(c, "Session:") + " "))
        self.addWidget(self.session_combo)
        self.new_action = self.addAction(tr(c, "New session"))
        self.group_action = self.addAction(tr(c, "Group link…"))
        self.group_action.setToolTip(tr(c, "One join link for several sessions: each participant is given one of them"))
        self.addSeparator()
        self.start_action = self.addAction("▶ " + tr(c, "Start"))
        self.stop_action = self.addAction("■ " + tr(c, "Stop"))
        self.pause_action = self.addAction(tr(c, "Pause updates"))
        self.present_action = self.addAction(tr(c, "Present QR"))
        self.addSeparator()
        self.testset_action = self.addAction(tr(c, "Load test set…"))
        # One "Export" menu: the model, the event log and the study data (the toolbar fits 1440 px in German too)
        self.export_menu = QMenu(tr(c, "Export"), self)
        self.export_model_action = self.export_menu.addAction(tr(c, "Model…"))
        self.export_model_action.setToolTip(tr(c, "Save the class model as an ONNX file"))
        self.export_events_action = self.export_menu.addAction(tr(c, "Event log…"))
        self.export_study_menu = self.export_menu.addMenu(tr(c, "Study data"))
        self.export_study_actions = {
            key: self.export_study_menu.addAction(tr(EXPORTS, e.menu_text)) for key, e in STUDY_EXPORTS.items()
        }
        self.export_study_action = self.export_study_menu.menuAction()
        self.export_study_action.setToolTip(
            tr(c, "Save the session's pseudonymous study timeline or per-participant summary (see docs/study-data.md)")
        )
        self.export_menu.setToolTipsVisible(True)
        self.export_action = self.export_menu.menuAction()
        self.addAction(self.export_action)
        export_button = self.widgetForAction(self.export_action)
        if isinstance(export_button, QToolButton):
            export_button.setPopupMode(QToolButton.InstantPopup)
        self.open_folder_action = self.addAction(tr(c, "Open data folder"))
        self.start_action.setToolTip(tr(c, "Save the settings, prepare the model and start accepting participants"))
        self.stop_action.setToolTip(
            tr(c, "Stop this session (the server stops with the last one served); participants can rejoin after Start")
        )

    def update_controls(self, *, serving: bool, busy: bool, state: str | None, has_session: bool) -> None:
        self.start_action.setEnabled(not serving and not busy)
        self.stop_action.setEnabled(serving and not busy)
        self.pause_action.setEnabled(serving and not busy and state in ("running", "paused"))
        c = "SessionToolbar"
        self.pause_action.setText(tr(c, "Resume updates") if state == "paused" else tr(c, "Pause updates"))
        self.present_action.setEnabled(serving)
        for action in (
            self.testset_action,
            self.export_action,
            self.export_model_action,
            self.export_events_action,
            self.export_study_action,
        ):
            action.setEnabled(has_session and not busy)
        self.new_action.setEnabled(not busy)
        self.group_action.setEnabled(not busy)
        self.session_combo.setEnabled(not busy)

    def show_sessions(self, sessions: list[dict], current: int | None) -> None:
        """List ``sessions``; a new, unsaved one (``current`` None) as "(new session)"."""
        combo = self.session_combo
        combo.blockSignals(True)
        combo.clear()
        self._sessions = {s["id"]: s for s in sessions}
        for s in sessions:
            combo.addItem(self._label(s), s["id"])
        if current is None:
            combo.addItem(tr("SessionToolbar", "(new session)"), None)
        combo.setCurrentIndex(combo.findData(current))
        combo.blockSignals(False)

    def show_session(self, session: dict) -> None:
        index = self.session_combo.findData(session["id"])
        if index >= 0:
            self._sessions[session["id"]] = session
            self.session_combo.setItemText(index, self._label(session))
            self.session_combo.setCurrentIndex(index)

    def mark_served(self, session_ids: list[int]) -> None:
        """Mark the sessions being served ("● #2 Fruit (running)"); the others read "#3 Clothes"."""
        self._served = set(session_ids)
        for session_id, session in self._sessions.items():  # not itemData(): "(new session)" holds None
            index = self.session_combo.findData(session_id)
            if index >= 0:
                self.session_combo.setItemText(index, self._label(session))

    def _label(self, session: dict) -> str:
        label = f"#{session['id']} {session['config']['title']}"
        if session["id"] not in self._served:
            return label
        if session["state"] == "paused":
            return tr("SessionToolbar", "● {session} (paused)", session=label)
        return tr("SessionToolbar", "● {session} (running)", session=label)
