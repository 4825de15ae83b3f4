"""Core events: every state change is appended to the event log and then published to listeners.

A part of the core records its events inside its transaction (``record``) and publishes them on the
``EventBus`` once that transaction has committed. Listeners (the Qt bridge, the server-side evaluator,
tests) are called on the thread that made the change; they must return quickly and never call back into
the store's lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .store import Store


@dataclass(frozen=True)
class Event:
    id: int  # its row in the event log; 0 for an event published without being logged
    session_id: int | None
    at: float  # unix time
    kind: str
    participant_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def record(db: sqlite3.Connection, session_id: int | None, kind: str, participant_id: int | None = None, **data: Any) -> Event:
    """Append an event to the log inside the caller's transaction; publish it after the commit."""
    event_id, at = Store.append_event(db, session_id, kind, participant_id, data)
    return Event(event_id, session_id, at, kind, participant_id, data)


Listener = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` for every published event; returns a function that unsubscribes."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, *events: Event) -> None:
        """Hand each event, in order, to every listener."""
        with self._lock:
            listeners = list(self._listeners)
        for event in events:
            for listener in listeners:
                listener(event)
