"""waitress, guarded against a room that holds connections open or sends bodies it should not.

Plain waitress stops accepting at ``connection_limit`` (100) and closes only connections that go quiet,
so a hundred half-open connections sending a header line now and then, or a class of browsers holding
idle keep-alive connections, lock every newcomer out; and it buffers a whole body (up to 1 GiB, in temp
files) before the app can refuse it. Here (docs/security.md, "Connections and bodies"):

- **Room for a newcomer.** Connections are accepted up to ``max_connections`` open ones, at most
  ``per_address`` from one address. When a newcomer would exceed either, the cheapest open connection is
  closed for it — from the address holding the most connections, first one that is idle (a keep-alive
  connection with nothing to do; the browser opens a new one when it needs one), then one still sending
  its request headers, then the slowest body upload; the oldest first. A connection whose request is
  being answered is never closed. Only when every connection is busy is the newcomer turned away.
- **Deadlines.** A request's headers must arrive whole within ``header_timeout`` seconds of its first
  byte (slowloris); after that grace its body must keep up an average of ``min_body_rate`` bytes/s; a
  connection with nothing to do is closed after ``idle_timeout`` seconds (waitress's channel_timeout).
- **Bodies refused before they are read.** Each request's body cap comes from its route
  (``body_limit(method, path, peer)``, built by ``create_app``); a larger ``Content-Length`` is answered
  413 (JSON) right after the headers, and a chunked body is counted while it arrives and refused as soon
  as it passes the cap. So at most the cap plus one read (8 KiB) is read, and temp files hold at most the
  cap per connection. After such an answer the connection is closed gently (its write side first, then
  whatever the client still sends is read and dropped for up to 2 s / 1 MiB), so a client that is still
  sending gets the 413 instead of a connection reset.

Every error answer this layer makes is JSON, like the app's.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, WSGITask
from waitress.utilities import Error

log = logging.getLogger(__name__)

LINGER_SECONDS = 2.0
LINGER_MAX_BYTES = 1024 * 1024
#: Slots above max_connections: newcomers are accepted while the connections closed for them finish
#: closing (one loop turn).
HEADROOM = 32

BodyLimit = Callable[[str, str, str], int]


@dataclass(frozen=True)
class ConnectionLimits:
    """How many connections the server holds open, and how long a request may take to arrive.

    Defaults fit a class of 40 browsers behind one address (a guest network behind NAT: up to 6
    connections each) with room to spare, and stay under Windows' select() limit of 512 sockets."""

    max_connections: int = 400 if os.name == "nt" else 500
    per_address: int = 256
    header_timeout: float = 10.0
    min_body_rate: int = 1024
    idle_timeout: int = 30


class BodyTooLarge(Error):
    code = 413
    reason = "Payload Too Large"


class JsonErrorTask(ErrorTask):
    """waitress's own error answers (413 before reading, 400 for a malformed request, 431 …) as JSON."""

    def execute(self):
        error = self.request.error
        message = error.body if isinstance(error, BodyTooLarge) else f"{error.reason}: {error.body}"
        code = "payload_too_large" if error.code == 413 else error.reason.lower().replace(" ", "_")
        body = json.dumps({"error": {"code": code, "message": message, "field": "body" if error.code == 413 else None}})
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff")])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body.encode())


class KeepAliveTask(WSGITask):
    """waitress's WSGI task, except that an answer without a body (304 Not Modified, 204) keeps the
    connection open. waitress 3.0.2 closes every HTTP/1.1 answer that has no Content-Length, and a 304
    may not carry one (RFC 9110 §8.6), so each unchanged task or model poll cost the browser a new
    connection (about 20 ms of a 50 ms later round, bench/browser.py). Such an answer ends with its
    headers, so nothing is lost by keeping the connection; every other reason to close still closes."""

    _bodyless_keep_alive = False

    def build_response_header(self):
        asked_to_close = self.request.headers.get("CONNECTION", "").lower() == "close"
        self._bodyless_keep_alive = (
            self.version == "1.1" and not self.has_body and not asked_to_close and not self.close_on_finish
        )
        try:
            return super().build_response_header()
        finally:
            self._bodyless_keep_alive = False

    def set_close_on_finish(self) -> None:
        if not self._bodyless_keep_alive:
            super().set_close_on_finish()


class GuardedParser(HTTPRequestParser):
    """waitress's parser plus the route's body cap: checked against Content-Length once the headers are
    in, and against a chunked body's size while it arrives."""

    body_limit: int | None = None

    def __init__(self, adj, limit_for: BodyLimit | None = None, peer: str = "", on_refuse=None):
        super().__init__(adj)
        self._limit_for = limit_for
        self._peer = peer
        self._on_refuse = on_refuse

    def parse_header(self, header_plus):
        super().parse_header(header_plus)
        if self._limit_for is None:
            return
        self.body_limit = self._limit_for(self.command, self.path, self._peer)
        if not self.chunked and self.content_length > self.body_limit:
            self._refuse(f"The body may be at most {self.body_limit} bytes; this one is {self.content_length}.")

    def received(self, data):
        consumed = super().received(data)
        if (
            self.body_limit is not None
            and self.chunked
            and not self.completed
            and self.body_rcv is not None
            and len(self.body_rcv) > self.body_limit
        ):
            self._refuse(f"The body may be at most {self.body_limit} bytes.")
        return consumed

    def _refuse(self, message: str) -> None:
        declared = self.content_length
        if self.body_rcv is not None:
            self.body_rcv.getbuf().close()  # a chunked body's temp file goes at once
        self.body_rcv = None
        self.content_length = 0  # waitress's own max_request_body_size check must not replace our answer
        self.expect_continue = False  # never invite the body we refuse ("100 Continue")
        self.error = BodyTooLarge(message)
        self.completed = True
        if self._on_refuse is not None:
            self._on_refuse(self.path, declared)


class GuardedChannel(HTTPChannel):
    task_class = KeepAliveTask
    error_task_class = JsonErrorTask

    def __init__(self, server, sock, addr, adj, map=None):
        self.peer = addr[0] if isinstance(addr, tuple) else str(addr)
        self.bytes_in = 0  # read from the socket for the request being received
        self.request_started: float | None = None  # monotonic: that request's first byte
        self.headers_done_at: float | None = None
        self.linger_after_close = False
        self.lingering_until: float | None = None
        self.lingered = 0
        super().__init__(server, sock, addr, adj, map)
        self.parser_class = functools.partial(GuardedParser, limit_for=server.body_limit, peer=self.peer, on_refuse=self._refused)

    # --- reading ----------------------------------------------------------------------------------

    def readable(self):
        if self.lingering_until is not None:
            return not self.will_close
        return super().readable()

    def writable(self):
        if self.lingering_until is not None:
            return self.will_close
        return super().writable()

    def handle_read(self):
        if self.lingering_until is None:
            return super().handle_read()
        try:  # after a refusal: drop what the client still sends until it stops, or enough
            data = self.socket.recv(65536)
        except OSError:
            data = b""
        self.lingered += len(data)
        if not data or self.lingered > LINGER_MAX_BYTES:
            self.will_close = True

    def received(self, data):
        if not data:
            return False
        now = time.monotonic()
        if self.request is None:  # a new request starts with these bytes
            self.request_started, self.headers_done_at, self.bytes_in = now, None, 0
        self.bytes_in += len(data)
        result = super().received(data)
        if self.request is None:
            self.request_started = self.headers_done_at = None
        elif self.request.headers_finished and self.headers_done_at is None:
            self.headers_done_at = now
        return result

    def _refused(self, path: str, declared: int) -> None:
        self.linger_after_close = True
        self.server.body_refusals.append(
            {"peer": self.peer, "path": path[:200], "declared": declared, "bytes_read": self.bytes_in}
        )

    # --- closing ----------------------------------------------------------------------------------

    def handle_close(self):
        if self.linger_after_close and self.lingering_until is None and self.socket is not None:
            self.linger_after_close = False
            try:
                self.socket.shutdown(socket.SHUT_WR)  # the answer is sent; the client sees our FIN after it
            except OSError:
                return super().handle_close()
            self.lingering_until = time.monotonic() + LINGER_SECONDS
            self.will_close = self.close_when_flushed = False
            return
        super().handle_close()

    # --- what the server asks ---------------------------------------------------------------------

    def check_deadlines(self, now: float, limits: ConnectionLimits) -> None:
        """Called once a second from the serving loop: mark for closing what is too slow."""
        if self.will_close:
            return
        if self.lingering_until is not None:
            if now > self.lingering_until:
                self.will_close = True
            return
        if self.requests or self.request is None or self.request_started is None:
            return
        if not self.request.headers_finished:
            if now - self.request_started > limits.header_timeout:
                log.debug("closing %s: request headers not complete after %.0f s", self.peer, limits.header_timeout)
                self.will_close = True
        elif self.headers_done_at is not None:
            late = now - self.headers_done_at - limits.header_timeout
            if late > 0 and self.request.body_bytes_received < limits.min_body_rate * late:
                log.debug("closing %s: request body slower than %d bytes/s", self.peer, limits.min_body_rate)
                self.will_close = True

    def eviction_rank(self, now: float) -> tuple[int, float] | None:
        """(kind, age key) when this connection may be closed to make room, lowest first; None when not
        (it is being answered, or has an answer to send)."""
        if self.will_close:
            return None
        if self.lingering_until is not None:
            return (0, 0.0)
        if self.requests or self.total_outbufs_len or self.close_when_flushed:
            return None
        if self.request is None:
            return (1, self.last_activity)  # idle keep-alive: the longest idle first
        if not self.request.headers_finished:
            return (2, self.request_started or 0.0)  # still sending headers: the oldest first
        since = max(1e-3, now - (self.headers_done_at or now))
        return (3, self.request.body_bytes_received / since)  # a body upload: the slowest first


class GuardedServer(TcpWSGIServer):
    channel_class = GuardedChannel

    def __init__(self, application, *, limits: ConnectionLimits, body_limit: BodyLimit | None, **adjustments):
        self.limits = limits
        self.body_limit = body_limit
        self.body_refusals: deque[dict] = deque(maxlen=100)  # the latest refused bodies, for tests and logs
        self.turned_away = 0  # newcomers refused because every connection was busy
        self.evicted = 0
        adj = Adjustments(**adjustments)
        super().__init__(application, adj=adj, sockinfo=adj.listen[0])

    def open_channels(self) -> list[GuardedChannel]:
        return [c for c in self.active_channels.values() if not c.will_close]

    def readable(self):
        now = time.time()
        if now >= self.next_channel_cleanup:
            self.next_channel_cleanup = now + self.adj.cleanup_interval
            self.maintenance(now)
        return self.accepting and len(self.active_channels) < self.limits.max_connections + HEADROOM

    def maintenance(self, now):
        super().maintenance(now)  # idle connections: closed after channel_timeout (idle_timeout)
        mono = time.monotonic()
        for channel in list(self.active_channels.values()):
            channel.check_deadlines(mono, self.limits)

    def handle_accept(self):
        try:
            pair = self.accept()
            if pair is None:
                return
            conn, addr = pair
            self.set_socket_options(conn)
        except OSError:
            if self.adj.log_socket_errors:
                self.logger.warning("server accept() threw an exception", exc_info=True)
            return
        addr = self.fix_addr(addr)
        peer = addr[0] if isinstance(addr, tuple) else str(addr)
        if not self._make_room(peer):
            self.turned_away += 1
            conn.close()
            return
        self.channel_class(self, conn, addr, self.adj, map=self._map)

    def _make_room(self, peer: str) -> bool:
        """Close (at the loop's next turn) what must go so that ``peer`` may open one more connection."""
        channels = self.open_channels()
        counts = Counter(c.peer for c in channels)
        if counts[peer] >= self.limits.per_address:
            if not self._evict([c for c in channels if c.peer == peer], counts):
                return False
            channels = self.open_channels()
            counts[peer] -= 1
        if len(channels) >= self.limits.max_connections:
            return self._evict(channels, counts)
        return True

    def _evict(self, channels: list[GuardedChannel], counts: Counter) -> bool:
        now = time.monotonic()
        ranked = [(-counts[c.peer], rank, c) for c in channels if (rank := c.eviction_rank(now)) is not None]
        if not ranked:
            return False
        _, _, victim = min(ranked, key=lambda item: (item[0], item[1]))
        victim.will_close = True
        self.evicted += 1
        return True
