"""The facilitator's main window: session setup, server control, join QR code, live dashboard, study replay.

Every call into the core, the network or the disk goes through ``self.tasks`` (a thread pool); core
events arrive through ``CoreEventBridge`` and trigger coalesced, off-thread reads of the dashboard's
snapshot and (when its tab is shown) the study timeline.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..errors import InfluxError
from ..events import Event
from ..server.mdns import SERVICE_TYPE
from ..server.network import Interface, address_is_present, list_ipv4_interfaces, pick_default_interface
from ..testset import read_test_folder
from .bridge import CoreEventBridge
from .dashboard import Dashboard, EventLogView, short_device
from .join_panel import JoinPanel, PresentWindow
from .replay import StudyReplayView
from .serving import Serving, save_settings, start_serving, stop_serving
from .session_form import SessionForm
from .snapshot import SessionSnapshot, load_snapshot, participant_label
from .study_timeline import StudyTimeline, load_study_timeline
from .tasks import CoalescedReads, TaskRunner

PERIODIC_REFRESH_MS = 10_000  # "last seen" and "updates per minute" age even when nothing happens
INTERFACE_CHECK_MS = 5_000
STATE_TEXT = {
    "draft": "not started yet",
    "running": "running: accepting updates",
    "paused": "paused: updates are refused",
    "stopped": "stopped",
}
STUDY_EXPORTS = (  # (what, format, menu text) for coordinator.export_study
    ("events", "csv", "Event timeline (CSV)…"),
    ("events", "jsonl", "Event timeline (JSON Lines)…"),
    ("summary", "csv", "Per-participant summary (CSV)…"),
    ("summary", "jsonl", "Per-participant summary (JSON Lines)…"),
)


def _write_atomically(path: Path, data: bytes) -> None:
    """A file appears complete or not at all (a half-written model would load as garbage)."""
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _address_label(host: str, interface: str | None) -> str:
    return f"{host} ({interface})" if interface else host


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "session"


class MainWindow(QMainWindow):
    def __init__(
        self,
        coordinator: Any,
        *,
        interfaces: list[Interface] | None = None,
        host: str | None = None,
        port: int = 0,
        advertise: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        """``host``: preselected listening address (tests pass 127.0.0.1); ``interfaces``: the choices
        (default: this machine's IPv4 addresses, listed off the UI thread, default route preselected).

        A session that was served before gets its remembered address and port preselected (an explicit
        ``host`` still wins), so Start gives it the same join link; ``port`` is the default for the others."""
        super().__init__(parent)
        self.coordinator = coordinator
        self.data_dir = Path(coordinator.data_dir)
        self.advertise = advertise
        self.session_id: int | None = None
        self.session: dict | None = None
        self.serving: Serving | None = None
        self.snapshot: SessionSnapshot | None = None
        self.present_window: PresentWindow | None = None
        self._replay_stale = True  # the study timeline changed since the replay tab last read it
        self._closed = False
        self._starting = False
        self._stopping = False
        self.progress_dialog: QProgressDialog | None = None
        #: Open while a taken port waits for the facilitator's answer (use the offered port, retry, cancel).
        self.port_dialog: QMessageBox | None = None
        self.port_dialog_buttons: dict[str, Any] = {}
        #: Open while "Remove participant" waits for the facilitator's answer (remove, optionally blocking; cancel).
        self.remove_dialog: QMessageBox | None = None
        self.remove_dialog_buttons: dict[str, Any] = {}
        self._explicit_host = host  # --host: wins over a session's remembered address
        self._default_host = host  # until the interface list says which one has the default route
        self._default_port = port
        self._interfaces: list[Interface] | None = None  # this machine's, once listed
        self._remembered: dict | None = None  # where the shown session was served last (Coordinator.network_choice)
        self.tasks = TaskRunner(self)
        self.snapshot_reads = CoalescedReads(self.tasks, self._report("Could not read the session"), self)
        self.timeline_reads = CoalescedReads(self.tasks, self._report("Could not read the study timeline"), self)
        self.setWindowTitle("InFL-UX Desktop")
        self.resize(1280, 800)

        self._build_widgets(port)
        self.bridge = CoreEventBridge(coordinator.events, self)
        self.bridge.event.connect(self._on_core_event, Qt.QueuedConnection)
        self.refresh_timer = QTimer(self, interval=PERIODIC_REFRESH_MS, timeout=self.request_refresh)
        self.refresh_timer.start()
        self.interface_timer = QTimer(self, interval=INTERFACE_CHECK_MS, timeout=self._check_interface)

        self._load_interfaces(interfaces, host)
        self._load_sessions(select_latest=True)
        self._update_controls()

    # ================================================================== building

    def _build_widgets(self, port: int) -> None:
        toolbar = QToolBar("Session")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.session_combo = QComboBox()
        self.session_combo.setMinimumWidth(220)
        self.session_combo.setToolTip("Sessions in this data folder")
        self.session_combo.activated.connect(self._session_chosen)
        toolbar.addWidget(QLabel(" Session: "))
        toolbar.addWidget(self.session_combo)
        self.new_action = toolbar.addAction("New session", self.new_session)
        toolbar.addSeparator()
        self.start_action = toolbar.addAction("▶ Start", self.start)
        self.stop_action = toolbar.addAction("■ Stop", self.stop)
        self.pause_action = toolbar.addAction("Pause updates", self.toggle_pause)
        self.present_action = toolbar.addAction("Present QR", self.present)
        toolbar.addSeparator()
        self.testset_action = toolbar.addAction("Load test set…", self.choose_test_set)
        self.export_model_action = toolbar.addAction("Export model…", self.export_model)
        self.export_events_action = toolbar.addAction("Export event log…", self.export_events)
        self.export_study_menu = QMenu("Export study data", self)
        self.export_study_actions = {}
        for what, fmt, text in STUDY_EXPORTS:
            action = self.export_study_menu.addAction(text)
            action.triggered.connect(lambda _checked=False, w=what, f=fmt: self.export_study(w, f))
            self.export_study_actions[(what, fmt)] = action
        self.export_study_action = self.export_study_menu.menuAction()
        self.export_study_action.setText("Export study data…")
        self.export_study_action.setToolTip(
            "Save the session's pseudonymous study timeline or per-participant summary (see docs/study-data.md)"
        )
        toolbar.addAction(self.export_study_action)
        study_button = toolbar.widgetForAction(self.export_study_action)
        if isinstance(study_button, QToolButton):
            study_button.setPopupMode(QToolButton.InstantPopup)
        self.open_folder_action = toolbar.addAction("Open data folder", self.open_data_folder)
        self.start_action.setToolTip("Save the settings, prepare the model and start accepting participants")
        self.stop_action.setToolTip("Stop the server and the session; participants can rejoin after Start")

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.PlainText)  # it may quote a participant's nickname
        self.banner.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.banner_close = QPushButton("✕")
        self.banner_close.setFlat(True)
        self.banner_close.setFixedWidth(28)
        self.banner_close.clicked.connect(self.clear_banner)
        banner_row = QWidget()
        banner_layout = QHBoxLayout(banner_row)
        banner_layout.setContentsMargins(8, 2, 8, 2)
        banner_layout.addWidget(self.banner, 1)
        banner_layout.addWidget(self.banner_close)
        self.banner_row = banner_row
        banner_row.hide()

        server_box = QGroupBox("Server")
        server_form = QFormLayout(server_box)
        self.interface_combo = QComboBox()
        self.interface_combo.setToolTip("The network participants' devices are on. Default: the one with the default route.")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText("automatic (a free port)")
        self.port_spin.setValue(port)
        self.state_label = QLabel("No session")
        self.state_label.setObjectName("state_label")
        self.state_label.setWordWrap(True)
        self.mdns_label = QLabel("")
        self.mdns_label.setWordWrap(True)
        server_form.addRow("Network", self.interface_combo)
        server_form.addRow("Port", self.port_spin)
        server_form.addRow("State", self.state_label)
        server_form.addRow("mDNS", self.mdns_label)
        self.join_panel = JoinPanel()
        self.join_panel.present_requested.connect(self.present)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(server_box)
        left_layout.addWidget(self.join_panel, 1)

        self.form = SessionForm()
        self.form.save_requested.connect(self.save)
        setup_scroll = QScrollArea()
        setup_scroll.setWidgetResizable(True)
        setup_scroll.setWidget(self.form)
        self.dashboard = Dashboard()
        self.dashboard.remove_participant_requested.connect(self.remove_participant)
        self.dashboard.unblock_device_requested.connect(self.unblock_device)
        self.event_log = EventLogView()
        self.replay = StudyReplayView()
        self.tabs = QTabWidget()
        self.tabs.addTab(setup_scroll, "Setup")
        self.tabs.addTab(self.dashboard, "Dashboard")
        self.tabs.addTab(self.event_log, "Event log")
        self.tabs.addTab(self.replay, "Study replay")
        self.tabs.currentChanged.connect(self._tab_changed)

        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([380, 900])
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(4, 4, 4, 4)
        central_layout.addWidget(banner_row)
        central_layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"InFL-UX Desktop {__version__} · data: {self.data_dir}")

    # ================================================================== feedback

    def show_problem(self, text: str) -> None:
        self.banner.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self.banner.setText(text)
        self.banner_row.show()

    def show_info(self, text: str) -> None:
        self.banner.setStyleSheet("color: #0d47a1;")
        self.banner.setText(text)
        self.banner_row.show()

    def clear_banner(self) -> None:
        self.banner.clear()
        self.banner_row.hide()

    def _report(self, what: str) -> Callable[[BaseException], None]:
        def report(exc: BaseException) -> None:
            if isinstance(exc, InfluxError):
                self.show_problem(f"{what}: {exc.message}")
            else:
                self.show_problem(f"{what}: {type(exc).__name__}: {exc}")
            self._update_controls()

        return report

    # ================================================================== interfaces

    def _load_interfaces(self, interfaces: list[Interface] | None, host: str | None) -> None:
        if interfaces is not None:
            self._interfaces = list(interfaces)
            self._default_host = host or (interfaces[0].address if interfaces else None)
            self._preselect_network()
            return
        if host is not None:  # usable at once; the full list follows
            self._fill_interfaces([Interface("chosen", host)], host)

        def work(_progress):
            found = list_ipv4_interfaces()
            return found, pick_default_interface(found)

        def done(result):
            found, default = result
            self._interfaces = found
            self._default_host = host or default.address
            note = self._preselect_network()
            if note is not None:
                self._show_note(*note)

        self.tasks.run(work, done, self._report("Could not list the network interfaces"))

    def _preselect_network(self) -> tuple[str, str] | None:
        """Select the shown session's remembered address (``--host`` wins), else the default one.

        Returns ``(kind, text)`` to tell the facilitator when the remembered address cannot be used."""
        if self.serving is not None or self._starting:
            return None
        remembered = self._remembered
        wanted = self._explicit_host or (remembered["host"] if remembered else None) or self._default_host
        note = None
        if remembered is not None:
            before = _address_label(remembered["host"], remembered.get("interface"))
            if remembered["host"] != wanted:
                note = ("info", f"This session was served on {before} last time; the app was started with "
                                f"--host {wanted}, so participants' join links change when you Start it.")
            elif self._interfaces is not None and not any(i.address == wanted for i in self._interfaces):
                note = ("problem", f"This session was served on {before} last time, and this computer does not have "
                                   "that address now (network disconnected? another Wi-Fi?). Reconnect it to keep "
                                   "participants' join links, or choose another Network under Server: their links "
                                   "then change.")
                wanted = self._default_host
        if self._interfaces is not None:
            self._fill_interfaces(self._interfaces, wanted)
        elif wanted:  # the list is still being read: show the wanted one meanwhile
            name = remembered.get("interface") if remembered and remembered["host"] == wanted else None
            self._fill_interfaces([Interface(name or "chosen", wanted)], wanted)
        return note

    def _interface_name(self, address: str) -> str | None:
        """The adapter name of ``address``, remembered with the session for display."""
        for interface in self._interfaces or ():
            if interface.address == address:
                return interface.name
        if self._remembered and self._remembered["host"] == address:
            return self._remembered.get("interface")
        return None

    def _show_note(self, kind: str, text: str) -> None:
        (self.show_problem if kind == "problem" else self.show_info)(text)

    def _fill_interfaces(self, interfaces: list[Interface], selected: str | None) -> None:
        if selected and not any(i.address == selected for i in interfaces):
            interfaces = [Interface("chosen", selected), *interfaces]
        self.interface_combo.clear()
        for interface in interfaces:
            self.interface_combo.addItem(interface.label, interface.address)
        index = self.interface_combo.findData(selected) if selected else 0
        self.interface_combo.setCurrentIndex(max(0, index))

    def _check_interface(self) -> None:
        serving = self.serving
        if serving is None:
            return

        def done(present: bool) -> None:
            if not present and self.serving is serving:
                self.show_problem(
                    f"The network address {serving.host} is gone from this computer (Wi-Fi off? cable out?): "
                    "participants cannot reach the server. Stop, choose another network, and Start again."
                )

        self.tasks.run(lambda _p: address_is_present(serving.host), done)

    # ================================================================== sessions

    def _load_sessions(self, select_latest: bool = False) -> None:
        def done(sessions: list[dict]) -> None:
            self._fill_session_combo(sessions)
            if select_latest:
                if sessions:
                    self.show_session(sessions[-1]["id"])
                else:
                    self.tabs.setCurrentIndex(0)
                    self.show_info("No session yet: give it a title and at least two classes, then press Start.")

        self.tasks.run(lambda _p: self.coordinator.list_sessions(), done, self._report("Could not read the sessions"))

    def _fill_session_combo(self, sessions: list[dict]) -> None:
        self.session_combo.blockSignals(True)
        self.session_combo.clear()
        for s in sessions:
            self.session_combo.addItem(f"#{s['id']} {s['config']['title']}", s["id"])
        if self.session_id is None:
            self.session_combo.addItem("(new session)", None)
        self.session_combo.setCurrentIndex(self.session_combo.findData(self.session_id))
        self.session_combo.blockSignals(False)

    def _session_chosen(self, index: int) -> None:
        session_id = self.session_combo.itemData(index)
        if session_id is not None and session_id != self.session_id:
            self.show_session(session_id)

    def show_session(self, session_id: int) -> None:
        """Load a session's settings into the form and its live state into the dashboard."""
        self.session_id = session_id
        self.snapshot = None
        self.replay.clear()

        def work(_progress):
            return self.coordinator.get_session(session_id), self.coordinator.network_choice(session_id)

        def done(result) -> None:
            session, remembered = result
            if self.session_id != session_id:
                return
            self._set_session(session, load_form=True)
            self.clear_banner()
            notes = []
            if self.serving is None:
                self._remembered = remembered
                self.port_spin.setValue(remembered["port"] if remembered else self._default_port)
                note = self._preselect_network()
                if session["state"] in ("running", "paused"):
                    notes.append(("info", "This session was still marked running when the app last closed. "
                                          "Press Start to serve it again."))
                if note is not None:
                    notes.append(note)
            if notes:
                kind = "problem" if any(k == "problem" for k, _ in notes) else "info"
                self._show_note(kind, " ".join(text for _, text in notes))
            self.request_refresh()
            self.request_replay_refresh()

        self.tasks.run(work, done, self._report("Could not open the session"))

    def _set_session(self, session: dict, load_form: bool = False) -> None:
        self.session = session
        self.session_id = session["id"]
        if load_form:
            self.form.load(session["config"], has_run=session["has_run"])
        else:
            self.form.set_shape_locked(session["has_run"])
        self.setWindowTitle(f"InFL-UX Desktop — {session['config']['title']}")
        index = self.session_combo.findData(session["id"])
        if index >= 0:
            self.session_combo.setItemText(index, f"#{session['id']} {session['config']['title']}")
            self.session_combo.setCurrentIndex(index)
        self._update_controls()

    def new_session(self) -> None:
        if self.serving is not None:
            self.show_problem("Stop the running session before creating a new one.")
            return
        self.session_id = None
        self.session = None
        self.snapshot = None
        self._remembered = None
        self.port_spin.setValue(self._default_port)  # its own link; the network choice stays
        self.replay.clear()
        self.form.load_defaults()
        self.join_panel.set_url(None)
        self.tabs.setCurrentIndex(0)
        self.form.title.setFocus()
        self.setWindowTitle("InFL-UX Desktop — new session")
        self._load_sessions()
        self._update_controls()

    def save(self) -> None:
        settings = self.form.validate()
        if settings is None:
            self.tabs.setCurrentIndex(0)
            return
        session_id = self.session_id

        def done(session: dict) -> None:
            self._set_session(session, load_form=False)
            self._load_sessions()
            self.statusBar().showMessage("Settings saved.", 5000)
            self.request_refresh()

        self.tasks.run(lambda _p: save_settings(self.coordinator, session_id, settings), done, self._form_error)

    def _form_error(self, exc: BaseException) -> None:
        if isinstance(exc, InfluxError) and self.form.field_widget(exc.field) is not None:
            self.form.show_error(exc)
            self.tabs.setCurrentIndex(0)
            self._update_controls()
        else:
            self._report("Could not save the settings")(exc)

    # ================================================================== server

    def start(self) -> None:
        if self.serving is not None:
            return
        settings = self.form.validate()
        if settings is None:
            self.tabs.setCurrentIndex(0)
            return
        host = self.interface_combo.currentData()
        if not host:
            self.show_problem("Choose a network interface first.")
            return
        port = self.port_spin.value()
        interface = self._interface_name(host)
        session_id = self.session_id
        created: dict = {}

        def work(progress):
            session = save_settings(self.coordinator, session_id, settings)
            created["session"] = session
            serving = start_serving(self.coordinator, session["id"], host, port, progress, self.advertise, interface)
            return session, serving

        dialog = QProgressDialog("Starting the session…", None, 0, 0, self)
        dialog.setWindowTitle("Starting")
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        self.progress_dialog = dialog
        self._starting = True
        self._update_controls()

        def finish() -> None:
            dialog.reset()
            dialog.deleteLater()
            self.progress_dialog = None
            self._starting = False

        def done(result) -> None:
            finish()
            session, serving = result
            self.serving = serving
            self._remembered = {"host": serving.host, "port": serving.port, "interface": interface}
            self._set_session(session, load_form=False)
            self.port_spin.setValue(serving.port)  # Stop/Start, and the next start of the app, keep the same link
            self.join_panel.set_url(serving.join_url, serving.join_code)
            if serving.advertiser is not None:
                instance = serving.advertiser.service_name.removesuffix("." + SERVICE_TYPE)
                self.mdns_label.setText(f"announced as “{instance}” ({SERVICE_TYPE.rstrip('.')})")
            else:
                self.mdns_label.setText(serving.mdns_error or "off")
            self.clear_banner()
            self.tabs.setCurrentIndex(1)
            self.interface_timer.start()
            self._load_sessions()
            self.statusBar().showMessage(f"Serving {serving.join_url}")
            self.request_refresh()

        def failed(exc: BaseException) -> None:
            finish()
            if "session" in created:
                self._set_session(created["session"], load_form=False)
                self._load_sessions()
            if isinstance(exc, InfluxError) and self.form.field_widget(exc.field) is not None:
                self._form_error(exc)
            self._report("Could not start")(exc)
            if isinstance(exc, InfluxError) and exc.code == "port_in_use":  # server.runner.PortInUse
                self._ask_about_taken_port(exc)

        self.tasks.run(work, done, failed, dialog.setLabelText)

    def _ask_about_taken_port(self, exc: Any) -> None:
        """Never move silently: say that the port is taken and what another port means for the join link,
        then use the free port offered, retry, or leave it (a window-modal box; the answer starts again)."""
        remembered = self._remembered
        keeps_link = remembered is not None and (remembered["host"], remembered["port"]) == (exc.host, exc.port)
        if keeps_link:
            detail = (
                "Participants' join links of this session use this port. On another port their links change: the "
                "photos their browsers keep stay with the old link, and each of them joins again as a new participant. "
                "To keep the links, close the other program and press Retry."
            )
        else:
            detail = "Close the other program and press Retry, or use another port."
        box = QMessageBox(QMessageBox.Warning, "Port in use", exc.message, QMessageBox.NoButton, self)
        box.setInformativeText(detail)
        use = box.addButton(f"Use port {exc.free_port}", QMessageBox.AcceptRole) if exc.free_port else None
        retry = box.addButton("Retry", QMessageBox.ActionRole)
        cancel = box.addButton(QMessageBox.Cancel)
        box.setDefaultButton(retry)
        box.setEscapeButton(cancel)

        def answered(button) -> None:
            self.port_dialog = None
            self.port_dialog_buttons = {}
            box.deleteLater()
            if self._closed or self.serving is not None:
                return
            if use is not None and button is use:
                self.port_spin.setValue(exc.free_port)
                self.start()
            elif button is retry:
                self.start()

        box.buttonClicked.connect(answered)
        box.setWindowModality(Qt.WindowModal)
        self.port_dialog = box
        self.port_dialog_buttons = {"use": use, "retry": retry, "cancel": cancel}
        box.open()

    def stop(self) -> None:
        serving = self.serving
        if serving is None:
            return
        self._stopping = True
        self._update_controls()

        def done(_result) -> None:
            self._stopping = False
            self.serving = None
            self.interface_timer.stop()
            self.join_panel.set_url(None)
            self.mdns_label.setText("not announced")
            if self.present_window is not None:
                self.present_window.close()
            self.statusBar().showMessage("Stopped. Participants keep their progress and can rejoin after Start.", 8000)
            self._update_controls()
            self.request_refresh()

        def failed(exc: BaseException) -> None:
            self._stopping = False
            self._report("Could not stop cleanly")(exc)

        self.tasks.run(lambda _p: stop_serving(self.coordinator, serving), done, failed)

    def toggle_pause(self) -> None:
        if self.session_id is None or self.session is None:
            return
        session_id = self.session_id
        if self.session["state"] == "running":
            work = lambda _p: self.coordinator.pause_session(session_id)  # noqa: E731
        else:
            work = lambda _p: self.coordinator.resume_session(session_id)  # noqa: E731
        self.tasks.run(work, lambda s: self._set_session(s), self._report("Could not change the state"))

    # ================================================================== live updates

    def _on_core_event(self, event: Event) -> None:
        if event.session_id == self.session_id:
            self.request_refresh()
            if event.participant_id is not None or event.kind == "session_configured":
                self.request_replay_refresh()  # the study timeline holds participants' events only

    def request_refresh(self) -> None:
        """Read a fresh snapshot off the UI thread; bursts of events collapse into one more read."""
        if self.session_id is None or self._closed:
            return
        session_id = self.session_id

        def show(snapshot: SessionSnapshot) -> None:
            if snapshot.session_id == self.session_id:
                self._show_snapshot(snapshot)

        self.snapshot_reads.request(lambda _p: load_snapshot(self.coordinator, session_id), show)

    def _tab_changed(self, _index: int) -> None:
        if self._replay_stale:
            self.request_replay_refresh()

    def request_replay_refresh(self) -> None:
        """Read the study timeline off the UI thread if the replay tab is shown; otherwise when it is next shown."""
        self._replay_stale = True
        if self.session_id is None or self._closed or self.tabs.currentWidget() is not self.replay:
            return
        self._replay_stale = False
        session_id = self.session_id

        def show(timeline: StudyTimeline) -> None:
            if timeline.session_id == self.session_id:
                self.replay.show_timeline(timeline)

        self.timeline_reads.request(lambda _p: load_study_timeline(self.coordinator, session_id), show)

    def _show_snapshot(self, snapshot: SessionSnapshot) -> None:
        self.snapshot = snapshot
        self.session = snapshot.session
        self.dashboard.show_snapshot(snapshot)
        self.event_log.show_snapshot(snapshot)
        count = snapshot.session["active_participants"]
        self.join_panel.set_participant_count(count)
        if self.present_window is not None:
            self.present_window.set_participant_count(count)
        self.form.set_shape_locked(snapshot.session["has_run"])
        self._update_controls()

    def _update_controls(self) -> None:
        serving = self.serving is not None
        busy = self._starting or self._stopping
        state = self.session["state"] if self.session else None
        self.start_action.setEnabled(not serving and not busy)
        self.stop_action.setEnabled(serving and not busy)
        self.pause_action.setEnabled(serving and not busy and state in ("running", "paused"))
        self.pause_action.setText("Resume updates" if state == "paused" else "Pause updates")
        self.present_action.setEnabled(serving)
        has_session = self.session_id is not None
        for action in (self.testset_action, self.export_model_action, self.export_events_action, self.export_study_action):
            action.setEnabled(has_session and not busy)
        self.new_action.setEnabled(not serving and not busy)
        self.session_combo.setEnabled(not serving and not busy)
        self.interface_combo.setEnabled(not serving and not busy)
        self.port_spin.setEnabled(not serving and not busy)
        if self.session is None:
            self.state_label.setText("new session (not saved yet)" if self.session_id is None else "…")
        else:
            text = f"v{self.session['version']} · {STATE_TEXT.get(state, state)}"
            if serving:
                text += f"\nlistening on {self.serving.host}:{self.serving.port}"
            elif state in ("running", "paused"):
                text += "\nthe server is not running: press Start"
            self.state_label.setText(text)

    # ================================================================== facilitator actions

    def present(self) -> None:
        if self.serving is None:
            return
        if self.present_window is not None:
            self.present_window.close()
        title = self.session["config"]["title"] if self.session else ""
        count = self.session["active_participants"] if self.session else 0
        self.present_window = PresentWindow(title, self.serving.join_url, count)
        self.present_window.setAttribute(Qt.WA_DeleteOnClose)
        self.present_window.destroyed.connect(lambda: setattr(self, "present_window", None))
        self.present_window.showFullScreen()

    def remove_participant(self, participant: dict) -> None:
        """Ask (a window-modal box), then revoke the participant's token and, if chosen, block their device."""
        if self.session_id is None:
            return
        session_id, participant_id = self.session_id, participant["id"]
        who = participant_label(participant["nickname"], participant_id)
        box = QMessageBox(QMessageBox.Question, "Remove participant", "", QMessageBox.NoButton, self)
        box.setTextFormat(Qt.PlainText)  # the nickname and device are the participant's own text
        box.setText(f"Remove {who} ({short_device(participant['device'])})?")
        box.setInformativeText(
            "Their token stops working at once and their further updates are refused; updates already applied "
            "stay in the model. Without a block, their device can join again as a new participant."
        )
        block = QCheckBox("Also block this device from joining this session again")
        if not participant["device_blockable"]:
            block.setEnabled(False)
            block.setToolTip("This browser sent no device key (an older page), so it cannot be told apart.")
        box.setCheckBox(block)
        remove = box.addButton("Remove", QMessageBox.DestructiveRole)
        cancel = box.addButton(QMessageBox.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)

        def answered(button) -> None:
            self.remove_dialog = None
            self.remove_dialog_buttons = {}
            box.deleteLater()
            if button is not remove or self._closed:
                return
            block_device = block.isChecked()
            done = f"{who} was removed" + (" and their device blocked." if block_device else ".")
            self.tasks.run(
                lambda _p: self.coordinator.revoke_participant(session_id, participant_id, block_device=block_device),
                lambda _r: self.statusBar().showMessage(done, 5000),
                self._report(f"Could not remove {who}"),
            )

        box.buttonClicked.connect(answered)
        box.setWindowModality(Qt.WindowModal)
        self.remove_dialog = box
        self.remove_dialog_buttons = {"remove": remove, "cancel": cancel, "block": block}
        box.open()

    def unblock_device(self, participant: dict) -> None:
        if self.session_id is None:
            return
        session_id, participant_id = self.session_id, participant["id"]
        who = participant_label(participant["nickname"], participant_id)
        self.tasks.run(
            lambda _p: self.coordinator.unblock_device(session_id, participant_id),
            lambda _r: self.statusBar().showMessage(f"{who}'s device may join again, as a new participant.", 5000),
            self._report(f"Could not unblock {who}'s device"),
        )

    def choose_test_set(self) -> None:
        if self.session_id is None:
            return
        folder = QFileDialog.getExistingDirectory(
            self, "Choose the test set folder (one subfolder per class, named like the class)"
        )
        if folder:
            self.load_test_set(Path(folder))

    def load_test_set(self, folder: Path) -> None:
        session_id = self.session_id

        def work(_progress):
            classes = self.coordinator.config(session_id).classes
            return self.coordinator.load_test_set(session_id, read_test_folder(folder, classes))

        def done(status: dict) -> None:
            self.statusBar().showMessage(
                f"Reading {status.get('images')} test images; accuracy appears after each new version.", 8000
            )
            self.request_refresh()

        self.tasks.run(work, done, self._report("Could not load the test set"))

    def export_model(self) -> None:
        if self.session_id is None or self.session is None:
            return
        suggested = self.data_dir / f"{_slug(self.session['config']['title'])}-v{self.session['version']}.onnx"
        path, _ = QFileDialog.getSaveFileName(self, "Export the global model", str(suggested), "ONNX model (*.onnx)")
        if path:
            self.save_model_to(Path(path))

    def save_model_to(self, path: Path) -> None:
        session_id = self.session_id
        self.statusBar().showMessage("Exporting the model…")

        def work(_progress):
            _write_atomically(path, self.coordinator.export_model(session_id))
            return path

        self.tasks.run(work, lambda p: self.statusBar().showMessage(f"Model saved to {p}", 10000),
                       self._report("Could not export the model"))

    def export_events(self) -> None:
        if self.session_id is None or self.session is None:
            return
        suggested = self.data_dir / f"{_slug(self.session['config']['title'])}-events.csv"
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export the event log", str(suggested), "CSV (*.csv);;JSON Lines (*.jsonl)"
        )
        if path:
            fmt = "jsonl" if path.endswith(".jsonl") or "jsonl" in chosen else "csv"
            self.save_events_to(Path(path), fmt)

    def save_events_to(self, path: Path, fmt: str) -> None:
        session_id = self.session_id

        def work(_progress):
            _write_atomically(path, self.coordinator.export_events(session_id, fmt).encode("utf-8"))
            return path

        self.tasks.run(work, lambda p: self.statusBar().showMessage(f"Event log saved to {p}", 10000),
                       self._report("Could not export the event log"))

    def export_study(self, what: str, fmt: str) -> None:
        if self.session_id is None or self.session is None:
            return
        suggested = self.data_dir / f"{_slug(self.session['config']['title'])}-study-{what}.{fmt}"
        kind = "CSV (*.csv)" if fmt == "csv" else "JSON Lines (*.jsonl)"
        title = "Export the study timeline" if what == "events" else "Export the per-participant study summary"
        path, _ = QFileDialog.getSaveFileName(self, title, str(suggested), kind)
        if path:
            self.save_study_to(Path(path), what, fmt)

    def save_study_to(self, path: Path, what: str, fmt: str) -> None:
        """Write ``coordinator.export_study(session, what, fmt)`` to ``path``, whole or not at all, off the UI thread."""
        session_id = self.session_id
        label = "Study timeline" if what == "events" else "Study summary"

        def work(_progress):
            _write_atomically(path, self.coordinator.export_study(session_id, what, fmt).encode("utf-8"))
            return path

        self.tasks.run(work, lambda p: self.statusBar().showMessage(f"{label} saved to {p}", 10000),
                       self._report(f"Could not export the {label.lower()}"))

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir)))

    # ================================================================== quitting

    def shutdown(self) -> None:
        """Stop the server and mDNS, mark the session stopped, stop listening to the core. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self.snapshot_reads.stop()
        self.timeline_reads.stop()
        self.refresh_timer.stop()
        self.interface_timer.stop()
        if self.present_window is not None:
            self.present_window.close()
        if self.port_dialog is not None:
            self.port_dialog.close()
        self.tasks.wait()
        serving, self.serving = self.serving, None
        if serving is not None:
            try:
                stop_serving(self.coordinator, serving)
            except Exception as exc:  # quitting must not fail; the core's state is already on disk
                print(f"influx-desktop: while stopping: {exc}")
        self.bridge.close()

    def closeEvent(self, event) -> None:
        self.shutdown()
        event.accept()
