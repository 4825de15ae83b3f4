"""Run the Flask app under waitress in a background thread, with a clean stop."""

from __future__ import annotations

import errno
import logging
import os
import socket
import threading

from waitress.server import create_server

from ..errors import Conflict

log = logging.getLogger(__name__)
_IN_USE = {errno.EADDRINUSE, 10048}  # 10048: WSAEADDRINUSE


class PortInUse(Conflict):
    """Another program listens on the port. ``free_port``: one free on the same address now (or None)."""

    def __init__(self, host: str, port: int, free_port: int | None) -> None:
        super().__init__(f"Port {port} on {host} is in use by another program.", code="port_in_use", field="port")
        self.host = host
        self.port = port
        self.free_port = free_port


def free_port(host: str) -> int | None:
    """A port nothing listens on at ``host`` right now (the system's pick), or None if none can be had."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            return int(probe.getsockname()[1])
    except OSError:
        return None


def _refuse_if_taken_on_windows(host: str, port: int) -> None:
    """waitress sets SO_REUSEADDR, which on Windows (unlike POSIX) lets it bind a port another program
    listens on. A plain bind first (no SO_REUSEADDR) fails there as it does on POSIX."""
    if os.name != "nt" or port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, port))


class ServerThread:
    """``start()`` binds and serves in a daemon thread; ``stop()`` closes every connection and joins it."""

    def __init__(self, app, host: str, port: int = 0, threads: int = 8) -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.threads = threads
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not running")
        return int(self._server.effective_port)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> "ServerThread":
        """Bind and serve. A taken port raises ``PortInUse``; any other failure to bind, ``Conflict``."""
        try:
            _refuse_if_taken_on_windows(self.host, self.requested_port)
            self._server = create_server(
                self.app, host=self.host, port=self.requested_port, threads=self.threads, ident="influx-desktop",
                clear_untrusted_proxy_headers=True, channel_timeout=60,
            )
        except OSError as exc:
            if exc.errno in _IN_USE or getattr(exc, "winerror", None) in _IN_USE:
                raise PortInUse(self.host, self.requested_port, free_port(self.host)) from exc
            raise Conflict(
                f"Cannot listen on {self.host}:{self.requested_port} ({exc.strerror or exc}). "
                "Pick another port, or check that the address still belongs to this machine.",
                code="cannot_listen",
            ) from exc
        self._thread = threading.Thread(target=self._serve, name="influx-waitress", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        try:
            self._server.run()
        except Exception:  # raised by waitress's loop when stop() closes sockets underneath it
            log.debug("waitress loop ended", exc_info=True)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        logging.getLogger("waitress").setLevel(logging.ERROR)
        # Let requests in progress finish (queued ones are dropped) before their channels go away,
        # then close every channel inside the serving loop's own thread: asyncore channels are not
        # thread-safe, and a loop blocked in select() on closed sockets only notices after its 1 s
        # timeout. With its map empty the loop returns at once.
        server.task_dispatcher.shutdown()

        def close_every_channel() -> None:
            for channel in list(server._map.values()):
                channel.handle_close()

        server.trigger.pull_trigger(close_every_channel)
        if self._thread is not None:
            self._thread.join(timeout=10)
