"""What ``SessionController`` tells the widgets that observe it: one ``Emitter`` per kind of event (napari's
``EmitterGroup``, in a few lines). No Qt here; the controller emits on the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import InfluxError
from .i18n import core_message, tr


class Emitter:
    """One kind of event: ``connect(callback)``; ``emit(*args)`` calls the callbacks in the order connected."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[..., Any]] = []

    def connect(self, callback: Callable[..., Any]) -> None:
        self._callbacks.append(callback)

    def emit(self, *args: Any) -> None:
        for callback in list(self._callbacks):
            callback(*args)


class ControllerEvents:
    def __init__(self) -> None:
        self.changed = Emitter()  # (): serving, busy or the session's state changed: enable the controls
        self.sessions = Emitter()  # (sessions: list[dict]): the data folder's sessions, oldest first
        self.shown = Emitter()  # (session_id | None): another session is shown (None: a new, unsaved one)
        self.setup_needed = Emitter()  # (): there is no session yet: show the setup form
        self.session = Emitter()  # (session: dict, load_form: bool): the shown session as stored
        self.snapshot = Emitter()  # (SessionSnapshot): what the dashboard shows
        self.timeline_stale = Emitter()  # (): the study timeline has changed
        self.serving = Emitter()  # (Serving | None): the shown session is served (how to join) or not
        self.served = Emitter()  # ({session_id: Serving}): the sessions served changed (which, where, mDNS)
        self.network = Emitter()  # (interfaces: list[Interface], selected: str | None): the addresses to offer
        self.port = Emitter()  # (port: int): the port to preselect
        self.notice = Emitter()  # (kind: "problem" | "info" | None, text): the banner; None clears it
        self.status = Emitter()  # (text, msecs): a passing message (0: until the next one)
        self.settings_refused = Emitter()  # (what, InfluxError): the core refused a setting (``exc.field``)
        self.start_progress = Emitter()  # (text | None): a start's progress; None when it has ended
        self.port_in_use = Emitter()  # (PortInUse, keeps_link: bool): ask whether to use another port


C = "SessionController"  # the translation context of failure_text's strings


def failure_text(what: str, exc: BaseException) -> str:
    """The banner's line for ``what`` having failed with ``exc``, in the app's language."""
    if isinstance(exc, InfluxError):
        why = core_message(exc)
        if exc.code == "port_in_use":
            why = tr(C, "Port {port} on {host} is in use by another program.", port=exc.port, host=exc.host)
        return tr(C, "{what}: {why}", what=what, why=why)
    return tr(C, "{what}: {why}", what=what, why=f"{type(exc).__name__}: {exc}")
