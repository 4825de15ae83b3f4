"""Class activation maps of the linear head over the backbone's feature map (issue 16).

The backbone is frozen and the head is linear, so the map of class k is exact (Zhou et al., CAM, 2016):

    CAM_k(y, x) = Σ_c W[k, c] · F(c, y, x) + b_k / (h·w)

with ``F`` the extractor's ``"feature_map"`` [D,h,w] (``feature_map.py``) and ``W``, ``b`` the head's
parameters (``head.py``'s layout). **The bias is spread evenly over the h·w cells**: each cell gets
``b_k/(h·w)``, so the bias adds exactly ``b_k`` to the map's total, as it adds ``b_k`` to the logit. The
weight term averages to the logit's weight term, because the pooled features are the map's mean:
``mean_yx Σ_c W[k,c]·F(c,y,x) = W_k · features``. Hence ``logit_k = mean_yx CAM_k + b_k·(1 − 1/(h·w))``
(``logits_from_maps``), exactly in exact arithmetic and within float32 rounding for the float32 extractor;
the int8 extractor re-quantises its pooled features, so there its logits differ from the maps' by that
rounding (about one quantisation step, ~0.01 per feature).

A constant per map does not change where it is high: a heatmap shown to a person is the map scaled to
its own range (``normalised``), so how the bias is spread never shows in the picture.

The exported global model computes the same maps in its graph (``export.py``, ``heatmap=True``: a 1×1
``Conv`` with weights ``W`` and bias ``b/(h·w)`` on ``"feature_map"``); the browser computes them in
JavaScript. Both must match this function.
"""

from __future__ import annotations

import numpy as np

from influx_desktop.errors import InvalidInput
from influx_desktop.models import head


def spread_bias(bias: np.ndarray, cells: int) -> np.ndarray:
    """Each cell's share of the bias, ``b/(h·w)`` in float32: the one place the spreading is decided."""
    return (np.asarray(bias, np.float32) / np.float32(cells)).astype(np.float32)


def class_activation_maps(feature_maps: np.ndarray, parameters: np.ndarray, num_classes: int) -> np.ndarray:
    """Every class's map: ``feature_maps`` [D,h,w] -> [K,h,w], or [N,D,h,w] -> [N,K,h,w] (float32)."""
    f = np.asarray(feature_maps, dtype=np.float32)
    single = f.ndim == 3
    if single:
        f = f[None]
    if f.ndim != 4:
        raise InvalidInput(
            "A feature map must be [D,h,w] or [N,D,h,w], got shape {shape}.", field="feature_map", shape=tuple(f.shape)
        )
    n, d, h, w = f.shape
    weight, bias = head.split(parameters, num_classes, d)
    maps = np.matmul(weight, f.reshape(n, d, h * w)) + spread_bias(bias, h * w)[None, :, None]
    maps = maps.reshape(n, int(num_classes), h, w).astype(np.float32, copy=False)
    return maps[0] if single else maps


def logits_from_maps(
    maps: np.ndarray, parameters: np.ndarray, num_classes: int, feature_dim: int = head.FEATURE_DIM
) -> np.ndarray:
    """The head's logits recovered from its maps ([K,h,w] -> [K], [N,K,h,w] -> [N,K]): see the module's note."""
    m = np.asarray(maps, dtype=np.float64)
    _, bias = head.split(parameters, num_classes, feature_dim)
    cells = m.shape[-1] * m.shape[-2]
    return (m.mean(axis=(-2, -1)) + np.asarray(bias, np.float64) * (1 - 1 / cells)).astype(np.float32)


def normalised(cam: np.ndarray) -> np.ndarray:
    """One map scaled to 0..1 over its own range (all zeros when it is flat): what a heatmap shows."""
    m = np.asarray(cam, dtype=np.float32)
    low, high = float(m.min()), float(m.max())
    if not np.isfinite(low) or not np.isfinite(high) or high - low <= 0:
        return np.zeros_like(m)
    return (m - low) / (high - low)


#: The heatmap's colours from low to high (a perceptual blue → green → yellow → red ramp); the web client
#: uses the same stops.
HEAT_STOPS = np.array(
    [[0.0, 48, 18, 59], [0.25, 40, 150, 220], [0.5, 90, 210, 100], [0.75, 250, 200, 40], [1.0, 200, 20, 10]], dtype=np.float32
)


def upsample(cam: np.ndarray, size: int) -> np.ndarray:
    """A [h,w] map resized to [size,size] by bilinear interpolation between cell centres (edges held), so
    each cell's value sits over the middle of the patch of the photo it was computed from."""
    m = np.asarray(cam, dtype=np.float32)
    h, w = m.shape

    def axis(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pos = np.clip((np.arange(size, dtype=np.float32) + 0.5) * n / size - 0.5, 0, n - 1)
        low = np.floor(pos).astype(int)
        high = np.minimum(low + 1, n - 1)
        return low, high, (pos - low).astype(np.float32)

    y0, y1, fy = axis(h)
    x0, x1, fx = axis(w)
    top = m[y0][:, x0] * (1 - fx) + m[y0][:, x1] * fx
    bottom = m[y1][:, x0] * (1 - fx) + m[y1][:, x1] * fx
    return top * (1 - fy)[:, None] + bottom * fy[:, None]


def heat_colours(values: np.ndarray) -> np.ndarray:
    """Values in 0..1 -> RGB float32 (0..255) along ``HEAT_STOPS``."""
    v = np.clip(np.asarray(values, dtype=np.float32), 0, 1)
    return np.stack([np.interp(v, HEAT_STOPS[:, 0], HEAT_STOPS[:, c]) for c in (1, 2, 3)], axis=-1).astype(np.float32)


def overlay(image: np.ndarray, cam: np.ndarray, opacity: float = 0.5) -> np.ndarray:
    """The photo (uint8 [S,S,3], what the backbone saw) with one class's map drawn over it: the map scaled to
    its own range, upsampled, coloured, and mixed in at ``opacity`` (uint8 [S,S,3])."""
    picture = np.asarray(image, dtype=np.float32)
    heat = heat_colours(upsample(normalised(cam), picture.shape[0]))
    return np.clip(np.rint(picture * (1 - opacity) + heat * opacity), 0, 255).astype(np.uint8)
