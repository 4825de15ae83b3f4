"""The facilitator's sessions without Qt: the state the window shows and everything it asks of the core.

``SessionController`` holds the session shown (one at a time), the sessions served (``served``: one server and
one mDNS announcement for all of them), the latest dashboard snapshot and the network choice, and makes every
call into the core, the network or the disk through ``run(work, on_done, on_error, on_progress)``: the window
passes its thread pool's ``TaskRunner.run``, tests a function that runs the work at once. ``work(progress)``
runs off the UI thread and touches only the core and ``served`` (which keeps its own lock); the callbacks, which
alone change the state the widgets see (``serving_now``: what ``served`` serves, as of the last callback), run
on the UI thread. Widgets observe the controller through ``controller.events``
(``events.<name>.connect(callback)``, napari style) and call its methods.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InfluxError
from ..server.network import Interface, address_is_present, list_ipv4_interfaces, pick_default_interface
from .controller_events import ControllerEvents, failure_text
from .facilitator_actions import FacilitatorActions
from .i18n import tr
from .network_choice import NetworkChoice
from .served_sessions import ServedSessions
from .serving import Server, Serving, save_settings
from .snapshot import SessionSnapshot, load_snapshot

C = "SessionController"
Progress = Callable[[str], None]
Run = Callable[..., None]  # run(work, on_done=None, on_error=None, on_progress=None)


class SessionController(FacilitatorActions):
    def __init__(
        self, coordinator: Any, run: Run, snapshot_reads: Any, *, host: str | None = None, port: int = 0, advertise: bool = True
    ) -> None:
        """``snapshot_reads.request(work, show)`` coalesces dashboard reads (``tasks.CoalescedReads``);
        ``host``: the listening address to preselect (``--host``; tests pass 127.0.0.1); ``port``: the
        default for sessions never served."""
        self.coordinator = coordinator
        self.data_dir = Path(coordinator.data_dir)
        self.events = ControllerEvents()
        self.network = NetworkChoice(explicit_host=host, default_host=host, default_port=port)
        self.served = ServedSessions(coordinator, advertise)
        self.serving_now: dict[int, Serving] = {}  # ``served.current()`` as of the last start or stop
        self.session_id: int | None = None
        self.session: dict | None = None
        self.snapshot: SessionSnapshot | None = None
        self.starting = self.stopping = self.closed = False
        self._run = run
        self._snapshot_reads = snapshot_reads

    # ================================================================== state

    @property
    def busy(self) -> bool:
        return self.starting or self.stopping

    @property
    def serving(self) -> Serving | None:
        """The shown session's place on the server, or None when it is not served."""
        return self.serving_now.get(self.session_id) if self.session_id is not None else None

    @property
    def server(self) -> Server | None:
        """The server every served session shares; None while none is served."""
        return next(iter(self.serving_now.values())).shared if self.serving_now else None

    def _show_serving(self) -> None:
        """The shown session is served or not; while any is, the status bar says the shown one's link (or none)."""
        serving = self.serving
        self.events.serving.emit(serving)
        if self.serving_now:
            self.events.status.emit(tr(C, "Serving {url}", url=serving.join_url) if serving else "", 0)

    def _served_changed(self) -> None:
        self.serving_now = self.served.current()
        self.events.served.emit(self.serving_now)

    @property
    def state(self) -> str | None:
        return self.session["state"] if self.session else None

    def report(self, what: str) -> Callable[[BaseException], None]:
        def report(exc: BaseException) -> None:
            self.events.notice.emit("problem", failure_text(what, exc))
            self.events.changed.emit()

        return report

    def _set_session(self, session: dict, load_form: bool = False) -> None:
        self.session = session
        self.session_id = session["id"]
        self.events.session.emit(session, load_form)
        self.events.changed.emit()

    # ================================================================== network

    def load_interfaces(self, interfaces: list[Interface] | None) -> None:
        """Offer ``interfaces``, or (None) this machine's, listed off the UI thread with the default route's preselected."""
        host = self.network.explicit_host
        if interfaces is not None:
            self.network.interfaces = list(interfaces)
            self.network.default_host = host or (interfaces[0].address if interfaces else None)
            self._preselect_network()
            return
        if host is not None:  # usable at once; the full list follows
            self.events.network.emit([Interface("chosen", host)], host)

        def done(result) -> None:
            found, default = result
            self.network.interfaces = found
            self.network.default_host = host or default.address
            note = self._preselect_network()
            if note is not None:
                self.events.notice.emit(*note)

        def work(_progress):
            found = list_ipv4_interfaces()
            return found, pick_default_interface(found)

        self._run(work, done, self.report(tr(C, "Could not list the network interfaces")))

    def _preselect_network(self) -> tuple[str, str] | None:
        if self.serving_now or self.starting:
            return None
        offer, selected, note = self.network.preselect()
        if offer is not None:
            self.events.network.emit(offer, selected)
        return note

    def check_interface(self) -> None:
        """While serving, warn when the address served on has gone from this computer."""
        serving = self.server
        if serving is None:
            return

        def done(present: bool) -> None:
            if not present and self.server is serving:
                self.events.notice.emit(
                    "problem",
                    tr(
                        C,
                        "The network address {host} is gone from this computer (Wi-Fi off? cable out?): participants "
                        "cannot reach the server. Stop, choose another network, and Start again.",
                        host=serving.host,
                    ),
                )

        self._run(lambda _p: address_is_present(serving.host), done)

    # ================================================================== sessions

    def list_sessions(self, select_latest: bool = False) -> None:
        def done(sessions: list[dict]) -> None:
            self.events.sessions.emit(sessions)
            if select_latest:
                if sessions:
                    self.show_session(sessions[-1]["id"])
                else:
                    self.events.setup_needed.emit()
                    self.events.notice.emit(
                        "info", tr(C, "No session yet: give it a title and at least two classes, then press Start.")
                    )

        self._run(lambda _p: self.coordinator.list_sessions(), done, self.report(tr(C, "Could not read the sessions")))

    def show_session(self, session_id: int) -> None:
        """Read a session's settings (for the form), where it was served last, and its live state."""
        self.session_id = session_id
        self.snapshot = None
        self.events.shown.emit(session_id)
        self._show_serving()

        def done(result) -> None:
            session, remembered = result
            if self.session_id != session_id:
                return
            self._set_session(session, load_form=True)
            self.events.notice.emit(None, "")
            notes = []
            self.network.remembered = remembered
            if self.serving is None and session["state"] in ("running", "paused"):
                notes.append(
                    (
                        "info",
                        tr(C, "This session was still marked running when the app last closed. Press Start to serve it again."),
                    )
                )
            if not self.serving_now:
                self.events.port.emit(remembered["port"] if remembered else self.network.default_port)
                notes.append(self._preselect_network())
            elif self.serving is None:
                notes.append(self.network.running_server_note(self.server.host, self.server.port))
            notes = [note for note in notes if note is not None]
            if notes:
                kind = "problem" if any(k == "problem" for k, _ in notes) else "info"
                self.events.notice.emit(kind, " ".join(text for _, text in notes))
            self.request_refresh()
            self.events.timeline_stale.emit()

        def work(_progress):
            return self.coordinator.get_session(session_id), self.coordinator.network_choice(session_id)

        self._run(work, done, self.report(tr(C, "Could not open the session")))

    def new_session(self) -> bool:
        """Show a new, unsaved session: on the running server's port while one runs, else the default port."""
        if self.busy:
            return False
        self.session_id = self.session = self.snapshot = self.network.remembered = None
        server = self.server
        self.events.port.emit(server.port if server is not None else self.network.default_port)
        self.events.shown.emit(None)
        self._show_serving()
        self.list_sessions()
        self.events.changed.emit()
        return True

    def save(self, settings: dict) -> None:
        """Create the session or apply the settings that changed (``settings``: what the form validated)."""
        session_id = self.session_id

        def done(session: dict) -> None:
            self._set_session(session)
            self.list_sessions()
            self.events.status.emit(tr(C, "Settings saved."), 5000)
            self.request_refresh()

        def failed(exc: BaseException) -> None:
            self.events.settings_refused.emit(tr(C, "Could not save the settings"), exc)
            self.events.changed.emit()

        self._run(lambda _p: save_settings(self.coordinator, session_id, settings), done, failed)

    # ================================================================== server

    def start(self, settings: dict, host: str, port: int) -> None:
        """Save the settings, start or resume the session and announce it, on the running server or on one
        bound at ``host:port`` (0: a free one) when none runs."""
        if self.serving is not None or self.busy:
            return
        interface = self.network.interface_name(host)
        session_id = self.session_id
        created: dict = {}

        def work(progress: Progress):
            session = created["session"] = save_settings(self.coordinator, session_id, settings)
            serving = self.served.serve(session["id"], host, port, progress, interface)
            return self.coordinator.get_session(session["id"]), serving

        def finish() -> None:
            self.starting = False
            self.events.start_progress.emit(None)

        def done(result) -> None:
            finish()
            session, serving = result
            self.network.remembered = {"host": serving.host, "port": serving.port, "interface": serving.shared.interface}
            self._set_session(session)
            self.events.port.emit(serving.port)  # Stop/Start, and the next start of the app, keep the same link
            self._served_changed()
            self.events.serving.emit(serving)
            self.events.notice.emit(None, "")
            self.list_sessions()
            self.events.status.emit(tr(C, "Serving {url}", url=serving.join_url), 0)
            self.request_refresh()

        def failed(exc: BaseException) -> None:
            finish()
            self._served_changed()
            if "session" in created:
                self._set_session(created["session"])
                self.list_sessions()
            if isinstance(exc, InfluxError) and exc.field:
                self.events.settings_refused.emit(tr(C, "Could not start"), exc)
            self.report(tr(C, "Could not start"))(exc)
            if isinstance(exc, InfluxError) and exc.code == "port_in_use":  # server.runner.PortInUse
                self.events.port_in_use.emit(exc, self.network.keeps_link(exc.host, exc.port))

        self.starting = True
        self.events.start_progress.emit(tr(C, "Starting the session…"))
        self.events.changed.emit()
        self._run(work, done, failed, self.events.start_progress.emit)

    def stop(self) -> None:
        """Stop serving the shown session (the others go on); the last one served stops the server and mDNS."""
        serving = self.serving
        if serving is None or self.busy:
            return
        self.stopping = True
        self.events.changed.emit()

        def finish() -> None:
            self.stopping = False
            self._served_changed()
            if self.session_id == serving.session_id:
                self.events.serving.emit(self.serving)
            self.list_sessions()

        def done(_result) -> None:
            finish()
            others = len(self.serving_now)
            self.events.status.emit(
                tr(C, "Stopped. Participants keep their progress and can rejoin after Start.")
                if others == 0
                else tr(C, "Stopped this session; the other running sessions go on ({n}).", n=others),
                8000,
            )
            self.events.changed.emit()
            self.request_refresh()

        def failed(exc: BaseException) -> None:
            finish()
            self.report(tr(C, "Could not stop cleanly"))(exc)

        self._run(lambda _p: self.served.stop(serving.session_id), done, failed)

    def toggle_pause(self) -> None:
        if self.session_id is None or self.session is None:
            return
        session_id, coordinator = self.session_id, self.coordinator
        change = coordinator.pause_session if self.session["state"] == "running" else coordinator.resume_session

        def done(session: dict) -> None:
            if self.session_id == session_id:
                self._set_session(session)
            self.list_sessions()  # the chooser says which sessions run and which are paused

        self._run(lambda _p: change(session_id), done, self.report(tr(C, "Could not change the state")))

    # ================================================================== live updates

    def on_core_event(self, event: Any) -> None:
        """A core event (``events.Event``), delivered on the UI thread."""
        if event.session_id == self.session_id:
            self.request_refresh()
            if event.participant_id is not None or event.kind == "session_configured":
                self.events.timeline_stale.emit()  # the study timeline holds participants' events only

    def request_refresh(self) -> None:
        """Read a fresh snapshot off the UI thread; bursts of events collapse into one more read."""
        if self.session_id is None or self.closed:
            return
        session_id = self.session_id

        def show(snapshot: SessionSnapshot) -> None:
            if snapshot.session_id == self.session_id:
                self.snapshot = snapshot
                self.session = snapshot.session
                self.events.snapshot.emit(snapshot)
                self.events.changed.emit()

        self._snapshot_reads.request(lambda _p: load_snapshot(self.coordinator, session_id), show)

    # ================================================================== quitting

    def joined_in_served(self) -> tuple[int, int]:
        """(participants not removed, of them active in the last minute) of every served session: the shown one
        as the dashboard last read it, the others read now (when the app is about to close)."""
        joined = active = 0
        for session_id in self.serving_now:
            if session_id == self.session_id and self.snapshot is not None:
                j, a = self.snapshot.joined()
            else:
                participants = self.coordinator.participants(session_id)
                j = self.coordinator.get_session(session_id)["active_participants"]
                a = sum(p["state"] == "active" for p in participants)
            joined, active = joined + j, active + a
        return joined, active

    def close(self, wait_for_tasks: Callable[[], Any] = lambda: None) -> None:
        """Start nothing more, let running work finish, then stop every served session, the server and mDNS.
        Idempotent."""
        if self.closed:
            return
        self.closed = True
        self._snapshot_reads.stop()
        wait_for_tasks()
        try:
            self.served.stop_all()
        except Exception as exc:  # quitting must not fail; the core's state is already on disk
            print(f"influx-desktop: while stopping: {exc}")
        self.serving_now = {}
