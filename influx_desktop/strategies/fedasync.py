"""FedAsync (Xie, Koyejo, Gupta 2019)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .aggregate import constant_staleness, fedasync_mix, hinge_staleness, polynomial_staleness
from .base import ClientUpdate, Param, Strategy


class FedAsync(Strategy):
    """Apply each update as soon as it arrives, mixed in with a weight that shrinks with staleness.

    x ← (1 − α_t)·x + α_t·x_client with α_t = α·s(t − τ), where t − τ is the number of
    versions published since the client's base version. s is constant (1), polynomial
    ((t − τ + 1)^−a) or hinge (1 up to b versions late, then 1/(a·(t − τ − b) + 1)).
    """

    name = "fedasync"
    title = "FedAsync"
    parameters = (
        Param("alpha", float, 0.6, "Mixing weight α of a fresh update (0–1).", minimum=0.0, maximum=1.0),
        Param(
            "staleness_function",
            str,
            "polynomial",
            "How the weight shrinks for late updates.",
            choices=("constant", "polynomial", "hinge"),
        ),
        Param("a", float, 0.5, "Decay rate a of the polynomial and hinge functions.", minimum=0.0, maximum=10.0),
        Param("b", int, 4, "Hinge: versions an update may be late before its weight shrinks.", minimum=0, maximum=1000),
    )

    def staleness_factor(self, staleness: int) -> float:
        kind = self.settings["staleness_function"]
        if kind == "constant":
            return constant_staleness(staleness)
        if kind == "polynomial":
            return polynomial_staleness(staleness, self.settings["a"])
        return hinge_staleness(staleness, self.settings["a"], self.settings["b"])

    def weight(self, staleness: int, sample_count: int) -> float:
        return self.settings["alpha"] * self.staleness_factor(staleness)

    def aggregate(self, current: np.ndarray, updates: Sequence[ClientUpdate]) -> np.ndarray:
        # One update, except right after the session switched here from a buffering strategy with
        # updates still waiting: then apply them one after another, in arrival order.
        for update in updates:
            current = fedasync_mix(current, update.parameters, self.weight(update.staleness, update.sample_count))
        return current
