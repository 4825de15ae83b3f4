"""The head's flat parameter vector: the one layout shared by the wire, the store, the strategies and ORT.

The head is ``Linear(feature_dim -> K)``: ``logits = features @ W.T + b``. Its parameters travel as one
little-endian float32 vector of length ``K*feature_dim + K``: ``W[K,feature_dim]`` row-major, then ``b[K]``.
That is the order of the trainable inputs of the generated ``training_model.onnx`` (``weight`` then
``bias``), hence what ORT's ``getContiguousParameters(true)`` returns and ``loadParametersBuffer`` takes;
``tests/models/test_head.py`` proves it against the real training artifacts.
"""

from __future__ import annotations

import numpy as np

from influx_desktop.errors import InvalidInput

FEATURE_DIM = 1280

# Names of the head's initialisers in the ONNX graphs (and so in the ORT checkpoint), in layout order.
WEIGHT_NAME = "weight"
BIAS_NAME = "bias"
#: The training graph's third input, [K] float32, added to the logits before the loss (see ``logit_offset``).
LOGIT_OFFSET_NAME = "logit_offset"
#: What ``logit_offset`` holds for a class absent from the round's training data: its softmax probability
#: becomes exactly 0, so its row gets exactly zero gradient.
ABSENT_CLASS_OFFSET = -10000.0


def _check_k(num_classes: int) -> int:
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise InvalidInput("The number of classes must be an integer of at least 2, got {n!r}.", field="classes", n=num_classes)
    return int(num_classes)


def parameter_count(num_classes: int, feature_dim: int = FEATURE_DIM) -> int:
    k = _check_k(num_classes)
    return k * feature_dim + k


def initial_parameters(num_classes: int, seed: int = 0, feature_dim: int = FEATURE_DIM) -> np.ndarray:
    """Deterministic start: W ~ N(0, 0.01^2), b = 0; float32 vector in the layout above."""
    k = _check_k(num_classes)
    rng = np.random.default_rng(seed)
    w = (rng.standard_normal((k, feature_dim)) * 0.01).astype(np.float32)
    b = np.zeros(k, dtype=np.float32)
    return np.concatenate([w.ravel(), b])


def as_vector(parameters: np.ndarray, num_classes: int, feature_dim: int = FEATURE_DIM) -> np.ndarray:
    """Validate and return a contiguous float32 1-d copy-free view when possible."""
    v = np.ascontiguousarray(np.asarray(parameters, dtype=np.float32).reshape(-1))
    expected = parameter_count(num_classes, feature_dim)
    if v.size != expected:
        raise InvalidInput(
            "The parameter vector has {size} values; a head with {classes} classes needs {expected}.",
            field="parameters",
            size=int(v.size),
            classes=num_classes,
            expected=expected,
        )
    return v


def split(vector: np.ndarray, num_classes: int, feature_dim: int = FEATURE_DIM) -> tuple[np.ndarray, np.ndarray]:
    """``(W[K,feature_dim], b[K])`` views of the vector."""
    v = as_vector(vector, num_classes, feature_dim)
    k = int(num_classes)
    return v[: k * feature_dim].reshape(k, feature_dim), v[k * feature_dim :]


def join(weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Inverse of ``split``."""
    return np.concatenate([np.asarray(weight, np.float32).ravel(), np.asarray(bias, np.float32).ravel()])


def logits(features: np.ndarray, vector: np.ndarray, num_classes: int) -> np.ndarray:
    """``features [N,feature_dim] -> logits [N,K]`` in float32 numpy."""
    f = np.asarray(features, dtype=np.float32)
    if f.ndim != 2:
        raise InvalidInput("Features must be a [N, D] matrix, got shape {shape}.", field="features", shape=tuple(f.shape))
    w, b = split(vector, num_classes, f.shape[1])
    return f @ w.T + b


def logit_offset(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """The ``logit_offset`` a participant feeds: 0 for the classes among ``labels``, −10000 for the others."""
    k = _check_k(num_classes)
    offset = np.full(k, ABSENT_CLASS_OFFSET, dtype=np.float32)
    offset[np.unique(np.asarray(labels, dtype=np.int64))] = 0.0
    return offset
