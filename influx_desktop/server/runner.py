"""Run the Flask app under waitress in a background thread, with a clean stop."""

from __future__ import annotations

import errno
import logging
import os
import socket
import threading

from ..errors import Conflict
from .connections import HEADROOM, ConnectionLimits, GuardedServer

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


def _room_for_connections(limits: ConnectionLimits) -> ConnectionLimits:
    """Raise the open-file limit (macOS starts at 256, Linux at 1024) so every connection gets a socket;
    where it cannot be raised enough, hold fewer connections instead of failing in accept()."""
    try:
        import resource
    except ImportError:  # Windows: no per-process descriptor limit of this kind
        return limits
    need = limits.max_connections + HEADROOM + 256  # plus the database, model files, threads, pipes
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and soft < need:
            target = need if hard == resource.RLIM_INFINITY else min(need, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    except (OSError, ValueError):
        return limits
    if soft != resource.RLIM_INFINITY and soft < need:
        fewer = max(32, soft - HEADROOM - 256)
        log.warning("only %d open files allowed: holding at most %d connections", soft, fewer)
        return ConnectionLimits(**{**limits.__dict__, "max_connections": fewer, "per_address": min(limits.per_address, fewer)})
    return limits


def _largest_body(app) -> int | None:
    limits = getattr(app, "extensions", {}).get("influx_body_limits")
    return max(limits.values()) if limits else None


class ServerThread:
    """``start()`` binds and serves in a daemon thread; ``stop()`` closes every connection and joins it.

    The server is waitress guarded by ``connections.py``: connection caps that keep room for a newcomer,
    header and body deadlines, and bodies refused by their route's cap before they are read (when ``app``
    is ours: ``create_app`` puts the caps in ``app.extensions``)."""

    def __init__(
        self, app, host: str, port: int = 0, threads: int = 8, connection_limits: ConnectionLimits = ConnectionLimits()
    ) -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.threads = threads
        self.connection_limits = connection_limits
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not running")
        return int(self._server.effective_port)

    @property
    def server(self) -> GuardedServer:
        """The running waitress server (its ``body_refusals``, ``evicted``, ``turned_away``, channels)."""
        if self._server is None:
            raise RuntimeError("the server is not running")
        return self._server

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> ServerThread:
        """Bind and serve. A taken port raises ``PortInUse``; any other failure to bind, ``Conflict``."""
        try:
            _refuse_if_taken_on_windows(self.host, self.requested_port)
            limits = _room_for_connections(self.connection_limits)
            largest = _largest_body(self.app)
            self._server = GuardedServer(
                self.app,
                limits=limits,
                body_limit=getattr(self.app, "extensions", {}).get("influx_body_limit"),
                host=self.host,
                port=self.requested_port,
                threads=self.threads,
                ident="influx-desktop",
                clear_untrusted_proxy_headers=True,
                channel_timeout=limits.idle_timeout,
                cleanup_interval=1,
                asyncore_use_poll=True,  # poll() where there is one: select() stops at 1024 descriptors
                **({"max_request_body_size": largest + 1} if largest else {}),
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
        if server is not None:
            stop_waitress(server, self._thread)


def stop_waitress(server, thread: threading.Thread | None) -> None:
    """Stop a waitress server whose loop runs in ``thread``. Requests in progress finish (queued ones are
    dropped) before their channels go away; then every channel is closed inside the serving loop's own
    thread: asyncore channels are not thread-safe, and a loop blocked in select() on closed sockets only
    notices after its 1 s timeout. With its map empty the loop returns at once."""
    logging.getLogger("waitress").setLevel(logging.ERROR)
    server.task_dispatcher.shutdown()

    def close_every_channel() -> None:
        for channel in list(server._map.values()):
            channel.handle_close()

    server.trigger.pull_trigger(close_every_channel)
    if thread is not None:
        thread.join(timeout=10)
