"""What serving a session means, without Qt: ``Server`` (the app's one HTTP server and mDNS advertiser, which
every served session shares), ``Serving`` (one session on it: its join code and link), opening the server, and
saving a session's settings before a start.

The window calls these from worker threads (``served_sessions.ServedSessions`` starts and stops sessions on the
server). The server is bound before a session is started, so a taken port changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import Conflict
from ..server.mdns import MdnsAdvertiser
from ..server.network import address_is_present
from .i18n import tr


@dataclass
class Server:
    """The HTTP server every served session shares (one address, one port) and its mDNS announcement."""

    host: str
    port: int
    interface: str | None  # the adapter's name, remembered with each session for display
    thread: Any  # influx_desktop.server.runner.ServerThread
    advertiser: MdnsAdvertiser | None = None
    mdns_error: str | None = None  # why it is not announced, when announcing failed


@dataclass(frozen=True)
class Serving:
    """One session served on the app's ``Server``."""

    session_id: int
    join_code: str
    title: str
    shared: Server

    host = property(lambda self: self.shared.host)
    port = property(lambda self: self.shared.port)
    server = property(lambda self: self.shared.thread)
    advertiser = property(lambda self: self.shared.advertiser)
    mdns_error = property(lambda self: self.shared.mdns_error)

    @property
    def join_url(self) -> str:
        return join_url(self.host, self.port, self.join_code)


def join_url(host: str, port: int, join_code: str) -> str:
    """What the QR code carries: the IP address (``.local`` names fail on many phones), port and code."""
    return f"http://{host}:{port}/?join={join_code}"


def save_settings(coordinator: Any, session_id: int | None, settings: Mapping[str, Any]) -> dict:
    """Create the session, or apply only the settings that changed (each change is an event)."""
    if session_id is None:
        return coordinator.create_session(settings)
    current = coordinator.config(session_id).to_dict()
    changes = {k: v for k, v in settings.items() if current.get(k) != (list(v) if isinstance(v, tuple) else v)}
    if not changes:
        return coordinator.get_session(session_id)
    return coordinator.update_session(session_id, changes)


def open_server(coordinator: Any, host: str, port: int, interface: str | None, say: Callable[[str], None]) -> Server:
    """Bind ``host:port`` (0: a free port) and serve the HTTP API and the participant app there.

    An address this computer no longer has raises ``Conflict`` (``interface_gone``); a taken port ``PortInUse``
    (with a free port to offer)."""
    from ..server.app import create_app
    from ..server.runner import ServerThread

    if not address_is_present(host):
        raise Conflict(
            tr(
                "Serving",
                "The address {host} no longer belongs to this computer (network "
                "disconnected?). Choose another network interface.",
                host=host,
            ),
            code="interface_gone",
        )
    say(
        tr("Serving", "Opening {host}:{port}…", host=host, port=port)
        if port
        else tr("Serving", "Opening {host} on a free port…", host=host)
    )
    thread = ServerThread(create_app(coordinator, secrets.token_urlsafe(24)), host, port).start()
    return Server(host, thread.port, interface, thread)
