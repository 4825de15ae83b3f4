"""Core events into Qt signals.

The core's ``EventBus`` calls listeners on whichever thread committed the change (a waitress
worker, the evaluator, a task). ``CoreEventBridge.event`` is emitted right there; receivers
connect with a queued connection and so run on the UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..events import EventBus


class CoreEventBridge(QObject):
    event = Signal(object)  # an influx_desktop.events.Event

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = bus.subscribe(self.event.emit)

    def close(self) -> None:
        """Stop listening (before this object goes away, so no thread emits into a deleted object)."""
        self._unsubscribe()
