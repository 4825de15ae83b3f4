"""The facilitator's session without Qt: the state the window shows and everything it asks of the core.

``SessionController`` holds the session shown, its server, the latest dashboard snapshot and the network
choice, and makes every call into the core, the network or the disk through ``run(work, on_done, on_error,
on_progress)``: the window passes its thread pool's ``TaskRunner.run``, tests a function that runs the work
at once. ``work(progress)`` runs off the UI thread and touches only the core; the callbacks, which alone
change the state, run on the UI thread. Widgets observe the controller through ``controller.events``
(``events.<name>.connect(callback)``, napari style) and call its methods.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InfluxError
from ..server.network import Interface, address_is_present, list_ipv4_interfaces, pick_default_interface
from ..testset import read_test_folder
from .controller_events import ControllerEvents, failure_text
from .exports import Export, write_atomically
from .i18n import tr
from .network_choice import NetworkChoice
from .serving import Serving, save_settings, start_serving, stop_serving
from .snapshot import SessionSnapshot, load_snapshot, participant_label

C = "SessionController"
Progress = Callable[[str], None]
Run = Callable[..., None]  # run(work, on_done=None, on_error=None, on_progress=None)


class SessionController:
    def __init__(
        self, coordinator: Any, run: Run, snapshot_reads: Any, *, host: str | None = None, port: int = 0, advertise: bool = True
    ) -> None:
        """``snapshot_reads.request(work, show)`` coalesces dashboard reads (``tasks.CoalescedReads``);
        ``host``: the listening address to preselect (``--host``; tests pass 127.0.0.1); ``port``: the
        default for sessions never served."""
        self.coordinator = coordinator
        self.data_dir = Path(coordinator.data_dir)
        self.advertise = advertise
        self.events = ControllerEvents()
        self.network = NetworkChoice(explicit_host=host, default_host=host, default_port=port)
        self.session_id: int | None = None
        self.session: dict | None = None
        self.serving: Serving | None = None
        self.snapshot: SessionSnapshot | None = None
        self.starting = self.stopping = self.closed = False
        self._run = run
        self._snapshot_reads = snapshot_reads

    # ================================================================== state

    @property
    def busy(self) -> bool:
        return self.starting or self.stopping

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
        if self.serving is not None or self.starting:
            return None
        offer, selected, note = self.network.preselect()
        if offer is not None:
            self.events.network.emit(offer, selected)
        return note

    def check_interface(self) -> None:
        """While serving, warn when the address served on has gone from this computer."""
        serving = self.serving
        if serving is None:
            return

        def done(present: bool) -> None:
            if not present and self.serving is serving:
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

        def done(result) -> None:
            session, remembered = result
            if self.session_id != session_id:
                return
            self._set_session(session, load_form=True)
            self.events.notice.emit(None, "")
            notes = []
            if self.serving is None:
                self.network.remembered = remembered
                self.events.port.emit(remembered["port"] if remembered else self.network.default_port)
                note = self._preselect_network()
                if session["state"] in ("running", "paused"):
                    notes.append(
                        (
                            "info",
                            tr(
                                C,
                                "This session was still marked running when the app last closed. Press Start to serve it again.",
                            ),
                        )
                    )
                if note is not None:
                    notes.append(note)
            if notes:
                kind = "problem" if any(k == "problem" for k, _ in notes) else "info"
                self.events.notice.emit(kind, " ".join(text for _, text in notes))
            self.request_refresh()
            self.events.timeline_stale.emit()

        def work(_progress):
            return self.coordinator.get_session(session_id), self.coordinator.network_choice(session_id)

        self._run(work, done, self.report(tr(C, "Could not open the session")))

    def new_session(self) -> bool:
        """Show a new, unsaved session (its own port; the network choice stays). False while serving."""
        if self.serving is not None:
            self.events.notice.emit("problem", tr(C, "Stop the running session before creating a new one."))
            return False
        self.session_id = self.session = self.snapshot = self.network.remembered = None
        self.events.port.emit(self.network.default_port)
        self.events.shown.emit(None)
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
        """Save the settings, bind ``host:port`` (0: a free one), start or resume the session, announce it."""
        if self.serving is not None or self.starting:
            return
        interface = self.network.interface_name(host)
        session_id = self.session_id
        created: dict = {}

        def work(progress: Progress):
            session = created["session"] = save_settings(self.coordinator, session_id, settings)
            serving = start_serving(self.coordinator, session["id"], host, port, progress, self.advertise, interface)
            return session, serving

        def finish() -> None:
            self.starting = False
            self.events.start_progress.emit(None)

        def done(result) -> None:
            finish()
            session, serving = result
            self.serving = serving
            self.network.remembered = {"host": serving.host, "port": serving.port, "interface": interface}
            self._set_session(session)
            self.events.port.emit(serving.port)  # Stop/Start, and the next start of the app, keep the same link
            self.events.serving.emit(serving)
            self.events.notice.emit(None, "")
            self.list_sessions()
            self.events.status.emit(tr(C, "Serving {url}", url=serving.join_url), 0)
            self.request_refresh()

        def failed(exc: BaseException) -> None:
            finish()
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
        serving = self.serving
        if serving is None:
            return
        self.stopping = True
        self.events.changed.emit()

        def done(_result) -> None:
            self.stopping = False
            self.serving = None
            self.events.serving.emit(None)
            self.events.status.emit(tr(C, "Stopped. Participants keep their progress and can rejoin after Start."), 8000)
            self.events.changed.emit()
            self.request_refresh()

        def failed(exc: BaseException) -> None:
            self.stopping = False
            self.report(tr(C, "Could not stop cleanly"))(exc)

        self._run(lambda _p: stop_serving(self.coordinator, serving), done, failed)

    def toggle_pause(self) -> None:
        if self.session_id is None or self.session is None:
            return
        session_id, coordinator = self.session_id, self.coordinator
        change = coordinator.pause_session if self.session["state"] == "running" else coordinator.resume_session
        self._run(lambda _p: change(session_id), self._set_session, self.report(tr(C, "Could not change the state")))

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

    # ================================================================== facilitator actions

    def _act(self, what: str, work: Callable[[], Any], done_text: str, msecs: int) -> None:
        """Run ``work`` off the UI thread; say ``done_text`` when it is done, or what failed."""
        self._run(lambda _p: work(), lambda _r: self.events.status.emit(done_text, msecs), self.report(what))

    def remove_participant(self, participant: dict, block_device: bool) -> None:
        """Revoke the participant's token and, if asked, block their device from joining again."""
        if self.session_id is None:
            return
        session_id, participant_id = self.session_id, participant["id"]
        who = participant_label(participant["nickname"], participant_id)
        self._act(
            tr(C, "Could not remove {who}", who=who),
            lambda: self.coordinator.revoke_participant(session_id, participant_id, block_device=block_device),
            tr(C, "{who} was removed and their device blocked.", who=who)
            if block_device
            else tr(C, "{who} was removed.", who=who),
            5000,
        )

    def unblock_device(self, participant: dict) -> None:
        if self.session_id is None:
            return
        session_id, participant_id = self.session_id, participant["id"]
        who = participant_label(participant["nickname"], participant_id)
        self._act(
            tr(C, "Could not unblock {who}'s device", who=who),
            lambda: self.coordinator.unblock_device(session_id, participant_id),
            tr(C, "{who}'s device may join again, as a new participant.", who=who),
            5000,
        )

    def load_test_set(self, folder: Path) -> None:
        """Read ``folder`` (one subfolder per class) as the session's test set; accuracy follows each version."""
        session_id = self.session_id

        def work(_progress):
            classes = self.coordinator.config(session_id).classes
            return self.coordinator.load_test_set(session_id, read_test_folder(folder, classes))

        def done(status: dict) -> None:
            self.events.status.emit(
                tr(C, "Reading {n} test images; accuracy appears after each new version.", n=status.get("images")), 8000
            )
            self.request_refresh()

        self._run(work, done, self.report(tr(C, "Could not load the test set")))

    def save_export(self, export: Export, path: Path, fmt: str) -> None:
        """Write the shown session's ``export`` in ``fmt`` to ``path``, whole or not at all, off the UI thread."""
        session_id, what = self.session_id, tr(C, export.what)
        self.events.status.emit(tr(C, "Exporting {what}…", what=what), 0)

        def work(_progress):
            write_atomically(path, export.produce(self.coordinator, session_id, fmt))
            return path

        def saved(p):
            self.events.status.emit(tr(C, "{label} saved to {path}", label=tr(C, export.label), path=p), 10000)

        self._run(work, saved, self.report(tr(C, "Could not export {what}", what=what)))

    # ================================================================== quitting

    def close(self, wait_for_tasks: Callable[[], Any] = lambda: None) -> None:
        """Start nothing more, let running work finish, then stop the server and mDNS and mark the session
        stopped. Idempotent."""
        if self.closed:
            return
        self.closed = True
        self._snapshot_reads.stop()
        wait_for_tasks()
        serving, self.serving = self.serving, None
        if serving is not None:
            try:
                stop_serving(self.coordinator, serving)
            except Exception as exc:  # quitting must not fail; the core's state is already on disk
                print(f"influx-desktop: while stopping: {exc}")
