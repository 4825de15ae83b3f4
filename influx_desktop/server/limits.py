"""Per-client rate limits: a sliding window of request times per key (an IP address or a participant)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass

from ..errors import RateLimited


@dataclass(frozen=True)
class RateLimits:
    """Requests allowed per minute; 0 switches a limit off."""

    joins_per_ip: int = 20
    updates_per_participant: int = 30
    requests_per_ip: int = 1200


class SlidingWindow:
    def __init__(self, limit: int, window_seconds: float = 60.0) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

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
