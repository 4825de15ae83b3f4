"""Per-client rate limits: a sliding window of request times per key (an IP address or a participant)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass

from ..errors import RateLimited

FAILED_JOIN_WINDOW_SECONDS = 600.0


@dataclass(frozen=True)
class RateLimits:
    """Requests allowed per minute (``failed_joins_per_ip``: per FAILED_JOIN_WINDOW_SECONDS); 0: off.

    ``RateLimits(0, 0, 0)`` switches off the first three only; ``RateLimits.off()`` switches off all."""

    #: POST /join attempts per address. A class may share one address (a guest network behind NAT): 40
    #: phones joining at once are 40 joins, far below this.
    joins_per_ip: int = 120
    updates_per_participant: int = 30
    requests_per_ip: int = 1200
    #: Unknown join codes per address per 10 minutes (POST /join and GET /join/<code> together): what makes
    #: guessing a code impractical, counted apart from the joins that found their session.
    failed_joins_per_ip: int = 30
    events_per_participant: int = 30  # POST /events batches (up to 200 events each)
    test_results_per_participant: int = 20  # POST /test-results
    class_stats_per_participant: int = 10  # POST /class-stats (sent once per participant and class set)
    withdrawals_per_participant: int = 10  # POST /withdraw (a person leaves the study once; a few retries)

    @classmethod
    def off(cls) -> RateLimits:
        return cls(**{name: 0 for name in cls.__dataclass_fields__})


class SlidingWindow:
    def __init__(self, limit: int, window_seconds: float = 60.0) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def refund(self, key: str) -> None:
        """Take back the newest request counted for ``key`` (a reservation that turned out not to count)."""
        if self.limit <= 0:
            return
        with self._lock:
            hits = self._hits.get(key)
            if hits:
                hits.pop()

    def hit(self, key: str, what: str) -> None:
        """Count one request for ``key``; raise RateLimited when the window is full."""
        if self.limit <= 0:
            return
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                retry = max(1, math.ceil(self.window - (now - hits[0])))
                error = RateLimited(
                    f"Too many {what} (the limit is {self.limit} per {self.window:g} s); try again in {retry} s.",
                    code="rate_limited",
                )
                error.retry_after = retry
                raise error
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle keys so a flood of addresses cannot grow memory
                for stale in [k for k, v in self._hits.items() if not v or now - v[-1] >= self.window]:
                    del self._hits[stale]
