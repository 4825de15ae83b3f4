"""The arithmetic of aggregation as pure functions, so tests can check them against hand-computed values."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def constant_staleness(staleness: int) -> float:
    """s(t − τ) = 1 (Xie et al. 2019, constant)."""
    return 1.0


def polynomial_staleness(staleness: int, a: float) -> float:
    """s(t − τ) = (t − τ + 1)^(−a)."""
    return float((staleness + 1) ** (-a))


def hinge_staleness(staleness: int, a: float, b: float) -> float:
    """s(t − τ) = 1 if t − τ ≤ b, else 1 / (a·(t − τ − b) + 1)."""
    if staleness <= b:
        return 1.0
    return float(1.0 / (a * (staleness - b) + 1.0))


def fedasync_mix(current: np.ndarray, client: np.ndarray, alpha_t: float) -> np.ndarray:
    """x ← (1 − α_t)·x + α_t·x_client."""
    return ((1.0 - alpha_t) * current + alpha_t * client).astype(np.float32)


def weighted_mean(vectors: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """Σ wᵢ·vᵢ / Σ wᵢ, computed in float64."""
    w = np.asarray(weights, dtype=np.float64)
    if w.sum() <= 0:
        raise ValueError("weights must sum to a positive number")
    stacked = np.stack([np.asarray(v, dtype=np.float64) for v in vectors])
    return (w[:, None] * stacked).sum(axis=0) / w.sum()


def coordinate_median(vectors: Sequence[np.ndarray]) -> np.ndarray:
    """The coordinate-wise median of the vectors."""
    return np.median(np.stack([np.asarray(v, dtype=np.float64) for v in vectors]), axis=0)


def trimmed_mean(vectors: Sequence[np.ndarray], trim: int) -> np.ndarray:
    """Coordinate-wise mean after dropping the ``trim`` largest and ``trim`` smallest values of each coordinate."""
    stacked = np.sort(np.stack([np.asarray(v, dtype=np.float64) for v in vectors]), axis=0)
    if 2 * trim >= stacked.shape[0]:
        raise ValueError("trim removes every vector")
    return stacked[trim : stacked.shape[0] - trim].mean(axis=0)


def clip_to_norm(vector: np.ndarray, max_norm: float) -> np.ndarray:
    """Scale ``vector`` down so its L2 norm is at most ``max_norm`` (unchanged when already within)."""
    norm = float(np.linalg.norm(vector))
    if norm <= max_norm or norm == 0.0:
        return vector
    return (vector * (max_norm / norm)).astype(vector.dtype)
