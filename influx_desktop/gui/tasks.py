"""Run blocking work (disk, network, model export) on a thread pool; hear back on the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal

Progress = Callable[[str], None]


class _TaskSignals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(str)


class _Task(QRunnable):
    def __init__(self, work: Callable[[Progress], Any], signals: _TaskSignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._work = work
        self._signals = signals

    def run(self) -> None:
        try:
            result = self._work(self._signals.progress.emit)
        except BaseException as exc:  # reported to the UI, never lost in a worker thread
            self._signals.failed.emit(exc)
        else:
            self._signals.done.emit(result)


class TaskRunner(QObject):
    """``run(work, on_done, on_error, on_progress)``: ``work(progress)`` runs off the UI thread.

    The callbacks run on the UI thread (queued connections), in order: progress messages first,
    then exactly one of ``on_done(result)`` / ``on_error(exception)``.
    """

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._pending: set[_TaskSignals] = set()

    def run(
        self,
        work: Callable[[Progress], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[str], None] | None = None,
    ) -> None:
        signals = _TaskSignals()
        self._pending.add(signals)

        def finished(callback, value):
            self._pending.discard(signals)
            if callback is not None:
                callback(value)

        signals.done.connect(lambda result: finished(on_done, result), Qt.QueuedConnection)
        signals.failed.connect(lambda exc: finished(on_error, exc), Qt.QueuedConnection)
        if on_progress is not None:
            signals.progress.connect(on_progress, Qt.QueuedConnection)
        self._pool.start(_Task(work, signals))

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every started task has finished (used when the window closes)."""
        return self._pool.waitForDone(msecs)


class CoalescedReads(QObject):
    """At most one read of a kind at a time: requests made while one runs collapse into one more read after it.

    ``request(work, show)``: ``work(progress)`` runs on ``tasks``; ``show(result)`` on the UI thread. Of the
    requests made meanwhile only the latest runs, shortly after, so a burst of core events costs two reads.
    """

    RERUN_DELAY_MS = 50

    def __init__(self, tasks: TaskRunner, on_error: Callable[[BaseException], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._on_error = on_error
        self._running = False
        self._stopped = False
        self._pending: tuple[Callable[[Progress], Any], Callable[[Any], None]] | None = None

    def request(self, work: Callable[[Progress], Any], show: Callable[[Any], None]) -> None:
        if self._stopped:
            return
        if self._running:
            self._pending = (work, show)
            return
        self._running = True

        def done(result: Any) -> None:
            self._running = False
            show(result)
            self._run_pending()

        def failed(exc: BaseException) -> None:
            self._running = False
            self._on_error(exc)
            self._run_pending()

        self._tasks.run(work, done, failed)

    def _run_pending(self) -> None:
        if self._pending is not None:
            work, show = self._pending
            self._pending = None
            QTimer.singleShot(self.RERUN_DELAY_MS, self, lambda: self.request(work, show))

    def stop(self) -> None:
        """Start no more reads (the window is closing); one already running still reports."""
        self._stopped = True
        self._pending = None
