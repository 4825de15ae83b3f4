"""Race one call against itself: what simultaneous retries or joins from one device do."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def at_once(count: int, call: Callable[[], T], timeout: float = 60.0) -> list[T]:
    """``call()`` in ``count`` threads released together by a barrier; their results in finishing order.

    The first exception a call raised is raised here, after every thread has finished or timed out."""
    barrier = threading.Barrier(count)
    results: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            result = call()
        except BaseException as exc:  # re-raised below: a thread's failure must fail the test
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if errors:
        raise errors[0]
    return results
