"""FedBuff (Nguyen et al. 2022): buffered asynchronous aggregation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .aggregate import weighted_mean
from .base import ClientUpdate, Param, Strategy


class FedBuff(Strategy):
    """Collect K client deltas, then apply their sample-weighted mean times a server learning rate.

    x ← x + η·Σ nᵢ·Δᵢ / Σ nᵢ, where Δᵢ = x_client − x_base of each buffered update and nᵢ its
    sample count. Updates wait in the (persistent) buffer until K have arrived.
    """

    name = "fedbuff"
    title = "FedBuff"
    parameters = (
        Param("buffer_size", int, 3, "Updates K collected before the model changes.", minimum=1, maximum=1000),
        Param("server_learning_rate", float, 1.0, "Server step η applied to the mean delta.", minimum=0.0, maximum=10.0),
    )

    @property
    def buffer_size(self) -> int:
        return self.settings["buffer_size"]

    def weight(self, staleness: int, sample_count: int) -> float:
        return float(sample_count)

    def aggregate(self, current: np.ndarray, updates: Sequence[ClientUpdate]) -> np.ndarray:
        mean_delta = weighted_mean([u.delta for u in updates], [u.sample_count for u in updates])
        return (current + self.settings["server_learning_rate"] * mean_delta).astype(np.float32)
