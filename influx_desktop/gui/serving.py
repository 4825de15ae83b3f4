"""Start and stop everything a running session needs: the session state, the HTTP server, mDNS.

Plain Python (no Qt): the window calls these from worker threads. The server is bound before
the session is started so that a taken port changes nothing; a failed start undoes what it did.
A successful start remembers the address and the port actually bound with the session
(``Coordinator.remember_network_choice``), so the next start keeps the same join link.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import Conflict
from ..server.mdns import MdnsAdvertiser
from ..server.network import address_is_present
from .i18n import core_message, tr

log = logging.getLogger(__name__)


@dataclass
class Serving:
    session_id: int
    host: str
    server: Any  # influx_desktop.server.runner.ServerThread
    advertiser: MdnsAdvertiser | None
    join_code: str
    port: int
    mdns_error: str | None = None

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


def start_serving(
    coordinator: Any,
    session_id: int,
    host: str,
    port: int,
    progress: Callable[[str], None] | None = None,
    advertise: bool = True,
    interface: str | None = None,
) -> Serving:
    """Bind ``host:port`` (0: a free port), start or resume the session, remember where it is served, announce it.

    A taken port raises ``PortInUse`` (with a free port to offer) before anything changed."""
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

    def say(text: str) -> None:  # the core's steps (errors.Text) in the app's language, like this module's own
        if progress is not None:
            progress(core_message(text))

    say(
        tr("Serving", "Opening {host}:{port}…", host=host, port=port)
        if port
        else tr("Serving", "Opening {host} on a free port…", host=host)
    )
    server = ServerThread(create_app(coordinator, secrets.token_urlsafe(24)), host, port).start()
    try:
        session = coordinator.start_or_resume(session_id, progress=say)
        coordinator.remember_network_choice(session_id, host, server.port, interface)
    except BaseException:
        server.stop()
        raise
    serving = Serving(session_id, host, server, None, session["join_code"], server.port)
    if advertise:
        say(tr("Serving", "Announcing the session on the network (mDNS)…"))
        try:
            title = session["config"]["title"]
            serving.advertiser = MdnsAdvertiser(host, server.port, title, path=f"/?join={session['join_code']}").start()
        except Exception as exc:  # mDNS is a convenience: the QR code still works without it
            log.warning("mDNS registration failed: %s", exc)
            serving.mdns_error = tr("Serving", "Not announced by mDNS ({error}); the QR code still works.", error=exc)
    return serving


def stop_serving(coordinator: Any, serving: Serving, stop_session: bool = True) -> dict | None:
    """Unregister mDNS, close the server, then mark the session stopped."""
    try:
        if serving.advertiser is not None:
            serving.advertiser.stop()
    finally:
        serving.server.stop()
    if stop_session and coordinator.get_session(serving.session_id)["state"] in ("running", "paused"):
        return coordinator.stop_session(serving.session_id)
    return None
