"""FedBuff with a robust mean: one participant's wild update cannot drag the model far."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .aggregate import coordinate_median, trimmed_mean
from .base import ClientUpdate, Param
from .fedbuff import FedBuff


class RobustFedBuff(FedBuff):
    """Collect K client deltas, then apply their coordinate-wise median or trimmed mean.

    x ← x + η·robust(Δ₁…Δ_K). The trimmed mean drops, per coordinate, the ⌊β·K⌋ largest and
    smallest values before averaging; the median is the limit of that. Sample counts are not
    used as weights: a participant could lie about them.
    """

    name = "robust_fedbuff"
    title = "FedBuff, robust (median / trimmed mean)"
    parameters = (
        Param("buffer_size", int, 5, "Updates K collected before the model changes (≥ 3 to trim).", minimum=1, maximum=1000),
        Param("server_learning_rate", float, 1.0, "Server step η applied to the robust delta.", minimum=0.0, maximum=10.0),
        Param("rule", str, "trimmed_mean", "How the buffered deltas are combined.", choices=("trimmed_mean", "median")),
        Param(
            "trim_fraction",
            float,
            0.2,
            "Trimmed mean: share β of the largest and of the smallest values dropped per coordinate.",
            minimum=0.0,
            maximum=0.49,
        ),
    )

    def weight(self, staleness: int, sample_count: int) -> float:
        return 1.0

    def aggregate(self, current: np.ndarray, updates: Sequence[ClientUpdate]) -> np.ndarray:
        deltas = [u.delta for u in updates]
        if self.settings["rule"] == "median":
            combined = coordinate_median(deltas)
        else:
            trim = min(math.floor(self.settings["trim_fraction"] * len(deltas)), (len(deltas) - 1) // 2)
            combined = trimmed_mean(deltas, trim)
        return (current + self.settings["server_learning_rate"] * combined).astype(np.float32)
