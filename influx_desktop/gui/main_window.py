"""The facilitator's main window: small widgets over a ``SessionController`` (no Qt), which holds the state
and talks to the core. Every call into the core, the network or the disk runs on ``self.tasks`` (a thread
pool); core events arrive through ``CoreEventBridge`` and trigger coalesced, off-thread reads of the
dashboard's snapshot and (when its tab is shown) the study timeline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMainWindow, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget

from .. import __version__
from ..errors import InfluxError
from ..server.network import Interface
from .banner import Banner
from .bridge import CoreEventBridge
from .controller_events import failure_text
from .dashboard import Dashboard
from .dialogs import StartProgress
from .event_log_view import EventLogView
from .exports import EVENT_LOG, MODEL, STUDY_EXPORTS, C as EXPORTS, Export
from .group_dialog import GroupDialog
from .i18n import tr
from .join_panel import PresentWindow
from .replay import StudyReplayView
from .review_controller import ReviewController
from .review_view import ReviewView
from .server_panel import ServerPanel
from .serving import Serving
from .session_controller import SessionController
from .session_form import SessionForm
from .session_toolbar import SessionToolbar
from .snapshot import SessionSnapshot
from .study_timeline import StudyTimeline, load_study_timeline
from .tasks import CoalescedReads, TaskRunner
from .window_questions import WindowQuestions

C = "MainWindow"
PERIODIC_REFRESH_MS = 10_000  # "last seen" and "updates per minute" age even when nothing happens
INTERFACE_CHECK_MS = 5_000
SETUP_TAB, DASHBOARD_TAB = 0, 1


class MainWindow(WindowQuestions, QMainWindow):
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
        self.tasks = TaskRunner(self)
        self.snapshot_reads = CoalescedReads(self.tasks, self._report(tr(C, "Could not read the session")), self)
        self.timeline_reads = CoalescedReads(self.tasks, self._report(tr(C, "Could not read the study timeline")), self)
        self.controller = SessionController(
            coordinator, self.tasks.run, self.snapshot_reads, host=host, port=port, advertise=advertise
        )
        self.present_window: PresentWindow | None = None
        self.group_dialog: GroupDialog | None = None
        self.start_progress = StartProgress(self)
        self._init_questions()
        self._replay_stale = True  # the study timeline changed since the replay tab last read it
        self.setWindowTitle("InFL-UX Desktop")
        self.resize(1280, 800)

        self._build_widgets(port)
        self._observe_controller()
        self.bridge = CoreEventBridge(coordinator.events, self)
        self.bridge.event.connect(self.controller.on_core_event, Qt.QueuedConnection)
        self.refresh_timer = QTimer(self, interval=PERIODIC_REFRESH_MS, timeout=self.controller.request_refresh)
        self.refresh_timer.start()
        self.interface_timer = QTimer(self, interval=INTERFACE_CHECK_MS, timeout=self.controller.check_interface)

        self.controller.load_interfaces(interfaces)
        self.controller.list_sessions(select_latest=True)
        self._update_controls()

    # The controller's state, read where tests and the app look for it.
    session_id = property(lambda self: self.controller.session_id)
    session = property(lambda self: self.controller.session)
    serving = property(lambda self: self.controller.serving)
    snapshot = property(lambda self: self.controller.snapshot)
    data_dir = property(lambda self: self.controller.data_dir)

    # ================================================================== building

    def _build_widgets(self, port: int) -> None:
        self.toolbar = toolbar = SessionToolbar(self)
        self.addToolBar(toolbar)
        toolbar.session_combo.activated.connect(self._session_chosen)
        toolbar.new_action.triggered.connect(self.controller.new_session)
        toolbar.group_action.triggered.connect(self.open_group_dialog)
        toolbar.start_action.triggered.connect(self.start)
        toolbar.stop_action.triggered.connect(self.stop)
        toolbar.pause_action.triggered.connect(self.controller.toggle_pause)
        toolbar.present_action.triggered.connect(self.present)
        toolbar.testset_action.triggered.connect(self.choose_test_set)
        toolbar.export_model_action.triggered.connect(lambda: self.export(MODEL))
        toolbar.export_events_action.triggered.connect(lambda: self.export(EVENT_LOG))
        for key, action in toolbar.export_study_actions.items():
            action.triggered.connect(lambda _checked=False, e=STUDY_EXPORTS[key]: self.export(e))
        toolbar.open_folder_action.triggered.connect(self.open_data_folder)

        self.banner = Banner()
        self.server_panel = ServerPanel(port)
        self.join_panel = self.server_panel.join_panel
        self.join_panel.present_requested.connect(self.present)
        self.form = SessionForm()
        self.form.save_requested.connect(self.save)
        setup_scroll = QScrollArea()
        setup_scroll.setWidgetResizable(True)
        setup_scroll.setWidget(self.form)
        self.dashboard = Dashboard()
        self.dashboard.remove_participant_requested.connect(self.remove_participant)
        self.dashboard.unblock_device_requested.connect(self.controller.unblock_device)
        self.event_log = EventLogView()
        self.replay = StudyReplayView()
        self.tabs = QTabWidget()
        for tab, title in (
            (setup_scroll, tr(C, "Setup")),
            (self.dashboard, tr(C, "Dashboard")),
            (self.event_log, tr(C, "Event log")),
            (self.replay, tr(C, "Study replay")),
        ):
            self.tabs.addTab(tab, title)
        self.review = ReviewView(ReviewController(self.coordinator, self.tasks.run))
        self.tabs.insertTab(DASHBOARD_TAB + 1, self.review, tr(C, "Test set"))
        self.tabs.currentChanged.connect(self._tab_changed)

        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(self.server_panel)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([380, 900])
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(4, 4, 4, 4)
        central_layout.addWidget(self.banner)
        central_layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(
            tr(C, "InFL-UX Desktop {version} · data: {folder}", version=__version__, folder=self.data_dir)
        )

    def _observe_controller(self) -> None:
        events = self.controller.events
        events.changed.connect(self._update_controls)
        events.sessions.connect(lambda sessions: self.toolbar.show_sessions(sessions, self.session_id))
        events.served.connect(self._show_served)
        events.shown.connect(self._show_session_id)
        events.shown.connect(self.review.controller.show_session)
        events.snapshot.connect(self.review.controller.on_snapshot)
        events.setup_needed.connect(lambda: self.tabs.setCurrentIndex(SETUP_TAB))
        events.session.connect(self._show_session)
        events.snapshot.connect(self._show_snapshot)
        events.timeline_stale.connect(self.request_replay_refresh)
        events.serving.connect(self._show_serving)
        events.network.connect(self.server_panel.offer_interfaces)
        events.port.connect(self.server_panel.port_spin.setValue)
        events.notice.connect(self.banner.show_notice)
        events.status.connect(self.statusBar().showMessage)
        events.settings_refused.connect(self._settings_refused)
        events.start_progress.connect(self.start_progress.show)
        events.port_in_use.connect(self._ask_about_taken_port)

    # ================================================================== showing the controller's state

    def _report(self, what: str):
        return lambda exc: self.controller.report(what)(exc)

    def _update_controls(self) -> None:
        controller = self.controller
        serving, busy = controller.serving is not None, controller.busy
        self.toolbar.update_controls(
            serving=serving, busy=busy, state=controller.state, has_session=controller.session_id is not None
        )
        self.server_panel.set_editable(not controller.serving_now and not busy)
        self.server_panel.show_state(controller.session, controller.session_id is not None, controller.serving)

    def _show_session_id(self, session_id: int | None) -> None:
        self.replay.clear()
        if session_id is None:  # a new session
            self.form.load_defaults()
            self.join_panel.set_url(None)
            self.tabs.setCurrentIndex(SETUP_TAB)
            self.form.title.setFocus()
            self.setWindowTitle(tr(C, "InFL-UX Desktop — new session"))

    def _show_session(self, session: dict, load_form: bool) -> None:
        if load_form:
            self.form.load(session["config"], has_run=session["has_run"])
        else:
            self.form.set_shape_locked(session["has_run"])
        self.setWindowTitle(f"InFL-UX Desktop — {session['config']['title']}")
        self.toolbar.show_session(session)

    def _show_snapshot(self, snapshot: SessionSnapshot) -> None:
        self.dashboard.show_snapshot(snapshot)
        self.event_log.show_snapshot(snapshot)
        count = snapshot.session["active_participants"]
        self.join_panel.set_participant_count(count)
        if self.present_window is not None:
            self.present_window.set_participant_count(count)
        self.form.set_shape_locked(snapshot.session["has_run"])

    def _show_serving(self, serving: Serving | None) -> None:
        """How to join the shown session (and the projector shows it too), or that it is not served."""
        self.server_panel.show_serving(serving)
        if serving is not None:
            self.tabs.setCurrentIndex(DASHBOARD_TAB)
        if self.present_window is not None:
            self.present_window.show_session(serving.title, serving.join_url) if serving else self.present_window.close()

    def _show_served(self, served: dict[int, Serving]) -> None:
        """Which sessions are served (the chooser marks them) and where (the server panel, mDNS)."""
        self.toolbar.mark_served(list(served))
        self.server_panel.show_served(self.controller.server, len(served))
        self.interface_timer.start() if served else self.interface_timer.stop()

    def _settings_refused(self, what: str, exc: BaseException) -> None:
        """Shown on the field at fault when the form has it, else in the banner."""
        if isinstance(exc, InfluxError) and self.form.field_widget(exc.field) is not None:
            self.form.show_error(exc)
            self.tabs.setCurrentIndex(SETUP_TAB)
        else:
            self.banner.show_notice("problem", failure_text(what, exc))

    def _tab_changed(self, _index: int) -> None:
        self.review.controller.set_visible(self.tabs.currentWidget() is self.review)
        if self._replay_stale:
            self.request_replay_refresh()

    def request_replay_refresh(self) -> None:
        """Read the study timeline off the UI thread if the replay tab is shown; otherwise when it is next shown."""
        self._replay_stale = True
        session_id = self.session_id
        if session_id is None or self.controller.closed or self.tabs.currentWidget() is not self.replay:
            return
        self._replay_stale = False

        def show(timeline: StudyTimeline) -> None:
            if timeline.session_id == self.session_id:
                self.replay.show_timeline(timeline)

        self.timeline_reads.request(lambda _p: load_study_timeline(self.coordinator, session_id), show)

    # ================================================================== facilitator actions

    def _session_chosen(self, index: int) -> None:
        session_id = self.toolbar.session_combo.itemData(index)
        if session_id is not None and session_id != self.session_id:
            self.controller.show_session(session_id)

    def _validated_settings(self) -> dict | None:
        settings = self.form.validate()
        if settings is None:
            self.tabs.setCurrentIndex(SETUP_TAB)
        return settings

    def save(self) -> None:
        settings = self._validated_settings()
        if settings is not None:
            self.controller.save(settings)

    def start(self) -> None:
        if self.serving is not None:
            return
        settings = self._validated_settings()
        if settings is None:
            return
        host = self.server_panel.host()
        if not host:
            self.banner.show_notice("problem", tr(C, "Choose a network first."))
            return
        self.controller.start(settings, host, self.server_panel.port_spin.value())

    def present(self) -> None:
        if self.serving is None:
            return
        if self.present_window is not None:
            self.present_window.close()
        count = self.session["active_participants"] if self.session else 0
        serving = self.serving
        self.present_window = PresentWindow(serving.title, serving.join_url, count, self.server_panel.network_warning())
        self.present_window.setAttribute(Qt.WA_DeleteOnClose)
        self.present_window.destroyed.connect(lambda: setattr(self, "present_window", None))
        self.present_window.showFullScreen()

    def open_group_dialog(self) -> None:
        """The "Group link…" dialog over the sessions in the data folder (served ones marked, linked on this server)."""
        if self.group_dialog is not None:
            self.group_dialog.close()
        controller = self.controller
        self.group_dialog = GroupDialog(self.coordinator, self.tasks.run, list(controller.serving_now), controller.server, self)
        self.group_dialog.show()

    def choose_test_set(self) -> None:
        if self.session_id is None:
            return
        folder = QFileDialog.getExistingDirectory(
            self, tr(C, "Choose the test set folder (one subfolder per class, named like the class)")
        )
        if folder:
            self.controller.load_test_set(Path(folder))

    def export(self, export: Export) -> None:
        """Ask where to save ``export`` of the shown session (and, by its file type, in which format), then save it."""
        if self.session_id is None or self.session is None:
            return
        suggested = self.data_dir / export.suggested_name(self.session)
        path, chosen = QFileDialog.getSaveFileName(self, tr(EXPORTS, export.title), str(suggested), export.file_types())
        if path:
            self.controller.save_export(export, Path(path), export.format_for(path, chosen))

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir)))

    # ================================================================== quitting

    def shutdown(self) -> None:
        """Stop the server and mDNS, mark the session stopped, stop listening to the core. Idempotent."""
        if self.controller.closed:
            return
        self.timeline_reads.stop()
        self.refresh_timer.stop()
        self.interface_timer.stop()
        if self.present_window is not None:
            self.present_window.close()
        for dialog in (self.port_dialog, self.stop_dialog, self.group_dialog):
            if dialog is not None:
                dialog.close()
        self.controller.close(wait_for_tasks=self.tasks.wait)
        self.bridge.close()

    def closeEvent(self, event) -> None:
        """Closing stops every served session and the server: with participants in, once the facilitator said so."""
        if self.controller.serving_now and not self._close_confirmed and self.controller.joined_in_served()[0] > 0:
            event.ignore()
            self.stop(closing=True)
            return
        self.shutdown()
        event.accept()
