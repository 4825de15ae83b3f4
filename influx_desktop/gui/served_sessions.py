"""The sessions the app serves at the same time, without Qt: one HTTP server (one address and port) and one
mDNS announcement for all of them, each session with its own join code, link and state.

``ServedSessions.serve`` opens the server for the first session (bound before the session is started, so a
taken port changes nothing; a failed start undoes it), starts or resumes the session, remembers where it is
served (``Coordinator.remember_network_choice``: the next start keeps the same join link) and announces the
sessions now served. ``stop`` stops one session and announces the others; the last one closes mDNS and the
server. A session is in ``current()`` from when it is served until it is stopped. The window's worker threads
call these, one at a time (a lock); the UI thread reads ``current()`` once they are done.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from ..server.mdns import MdnsAdvertiser, txt_list
from .i18n import core_message, tr
from .serving import Server, Serving, open_server

log = logging.getLogger(__name__)


def announcement(served: list[Serving]) -> tuple[str, str, dict[str, str]]:
    """What mDNS says of the ``served`` sessions (in the order they started): (instance title, path, TXT entries).

    One session: its title and its join link's path. Several: their titles joined by " · " (zeroconf cuts the
    name at 63 bytes) and ``/``. TXT: ``sessions`` (how many) and ``codes`` (their join codes, as many as fit)."""
    if len(served) == 1:
        title, path = served[0].title, f"/?join={served[0].join_code}"
    else:
        title, path = " · ".join(s.title for s in served), "/"
    return title, path, {"sessions": str(len(served)), "codes": txt_list("codes", [s.join_code for s in served])}


class ServedSessions:
    def __init__(self, coordinator: Any, advertise: bool = True) -> None:
        self.coordinator = coordinator
        self.advertise = advertise
        #: The running server; None while no session is served.
        self.server: Server | None = None
        self._served: dict[int, Serving] = {}  # in the order started
        self._lock = threading.RLock()

    @property
    def running(self) -> bool:
        return self.server is not None

    def current(self) -> dict[int, Serving]:
        """The sessions served now, by id, in the order they started."""
        return dict(self._served)

    def ids(self) -> list[int]:
        return list(self._served)

    def serve(
        self, session_id: int, host: str, port: int, progress: Callable[[str], None] | None = None, interface: str | None = None
    ) -> Serving:
        """Serve the session: on the running server (``host``, ``port``, ``interface`` are then ignored), else on
        one opened at ``host:port`` (0: a free port). Starts or resumes it and announces it."""

        def say(text: str) -> None:  # the core's steps (errors.Text) in the app's language, like ours
            if progress is not None:
                progress(core_message(text))

        with self._lock:
            if session_id in self._served:
                return self._served[session_id]
            opened = self.server is None
            if opened:
                self.server = open_server(self.coordinator, host, port, interface, say)
            server = self.server
            try:
                session = self.coordinator.start_or_resume(session_id, progress=say)
                self.coordinator.remember_network_choice(session_id, server.host, server.port, server.interface)
            except BaseException:
                if opened:
                    self._close_server()
                    self.server = None
                raise
            serving = Serving(session_id, session["join_code"], session["config"]["title"], server)
            self._served[session_id] = serving
            self._announce(list(self._served.values()), say)
            return serving

    def stop(self, session_id: int, stop_session: bool = True) -> dict | None:
        """Stop serving the session and mark it stopped (``stop_session``); the last one closes mDNS and the server."""
        with self._lock:
            if session_id not in self._served:
                return None
            others = [s for s in self._served.values() if s.session_id != session_id]
            try:
                if others:
                    stopped = self._stop_session(session_id) if stop_session else None
                    self._announce(others)
                    return stopped
                self._close_server()  # mDNS says goodbye, then the server closes
                return self._stop_session(session_id) if stop_session else None
            finally:
                del self._served[session_id]
                if not self._served:
                    self.server = None

    def stop_all(self) -> None:
        """Stop every served session (the app is closing); raises the first failure after trying them all."""
        failures = []
        for session_id in self.ids():
            try:
                self.stop(session_id)
            except Exception as exc:  # the others must still stop
                failures.append(exc)
        if failures:
            raise failures[0]

    def _stop_session(self, session_id: int) -> dict | None:
        if self.coordinator.get_session(session_id)["state"] in ("running", "paused"):
            return self.coordinator.stop_session(session_id)
        return None

    def _announce(self, served: list[Serving], say: Callable[[str], None] | None = None) -> None:
        """Announce ``served`` by mDNS (a convenience: a failure is noted, the QR codes still work)."""
        server = self.server
        if not self.advertise or server is None or not served:
            return
        title, path, properties = announcement(served)
        if say is not None:
            say(tr("Serving", "Announcing the session on the network (mDNS)…"))
        try:
            if server.advertiser is None:
                server.advertiser = MdnsAdvertiser(server.host, server.port, title, path, properties).start()
            else:
                server.advertiser.update(title, path, properties)
            server.mdns_error = None
        except Exception as exc:
            log.warning("mDNS registration failed: %s", exc)
            server.mdns_error = tr("Serving", "Not announced by mDNS ({error}); the QR code still works.", error=exc)

    def _close_server(self) -> None:
        server = self.server
        if server is None:
            return
        try:
            if server.advertiser is not None:
                server.advertiser.stop()
        finally:
            server.thread.stop()
