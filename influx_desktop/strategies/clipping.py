"""Update clipping as a wrapper around any strategy (the way Flower wraps a strategy for server-side clipping).

``ClipUpdates(strategy, max_norm)`` scales each update's change (client − base) down to ``max_norm`` before the
wrapped strategy aggregates; weights and the buffer size are the wrapped strategy's. What a participant sent is
stored unchanged (the audit record); the clipping is part of aggregation. The session's ``clip_update_norm``
chooses ``max_norm`` (``SessionConfig.update_clip_norm``: automatic, off or a fixed norm).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .aggregate import clip_to_norm
from .base import ClientUpdate, Strategy


class ClipUpdates:
    """``strategy`` with every update's change clipped to ``max_norm`` (L2) first."""

    def __init__(self, strategy: Strategy, max_norm: float) -> None:
        if max_norm <= 0:
            raise ValueError("ClipUpdates needs a positive max_norm; leave the strategy unwrapped for no clipping.")
        self.strategy = strategy
        self.max_norm = max_norm

    @property
    def buffer_size(self) -> int:
        return self.strategy.buffer_size

    def weight(self, staleness: int, sample_count: int) -> float:
        return self.strategy.weight(staleness, sample_count)

    def aggregate(self, current: np.ndarray, updates: Sequence[ClientUpdate]) -> np.ndarray:
        return self.strategy.aggregate(current, [self._clipped(u) for u in updates])

    def _clipped(self, update: ClientUpdate) -> ClientUpdate:
        delta = update.delta
        if float(np.linalg.norm(delta)) <= self.max_norm:
            return update  # as sent, bit for bit (base + (client − base) need not equal client in float32)
        return ClientUpdate(
            parameters=update.base_parameters + clip_to_norm(delta, self.max_norm),
            base_parameters=update.base_parameters,
            staleness=update.staleness,
            sample_count=update.sample_count,
        )


def with_clipping(strategy: Strategy, max_norm: float) -> Strategy | ClipUpdates:
    """``strategy`` wrapped in ``ClipUpdates`` when ``max_norm`` > 0, else ``strategy`` itself."""
    return ClipUpdates(strategy, max_norm) if max_norm > 0 else strategy
