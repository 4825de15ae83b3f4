"""Train the head natively with onnxruntime.training on the very artifacts the browser uses.

This is what simulated participants (tests, benchmarks) run instead of ORT-web. It goes through the same
``training_model.onnx`` / ``optimizer_model.onnx`` / ``checkpoint`` files, so it also exercises the
learning-rate multiplier baked into the optimizer model: the optimizer is fed ORT's fixed base rate
(1e-3, as ORT-web does) and the model scales it to the configured one.

The training model's third input, ``logit_offset``, masks the classes absent from the participant's data
(``mask_absent_classes=True``, what the browser does when the manifest says ``mask_absent_classes``): their
rows then come back unchanged. With ``False`` it is all zeros, the plain softmax cross-entropy.

``onnxruntime.training.api`` is imported only inside the functions, through ``runtime.import_training_api``,
which skips ``onnxruntime/training/__init__.py`` and so never imports torch.
"""

from __future__ import annotations

import numpy as np

from influx_desktop.errors import InvalidInput
from influx_desktop.models.head import as_vector, logit_offset
from influx_desktop.models.head_artifacts import BASE_LEARNING_RATE, HeadArtifacts
from influx_desktop.models.runtime import import_training_api, quiet_onnxruntime


def train_head(
    artifacts: HeadArtifacts,
    parameters: np.ndarray,
    features: np.ndarray,
    labels: np.ndarray,
    epochs: int,
    batch_size: int,
    seed: int = 0,
    mask_absent_classes: bool = True,
) -> np.ndarray:
    """Run ``epochs`` passes of shuffled mini-batch AdamW from ``parameters``; return the new float32 vector.

    The optimizer state starts fresh each call, like a browser participant that loads the checkpoint.
    ``mask_absent_classes``: feed ``logit_offset`` −10000 for the classes not in ``labels`` (0 for those in
    it), so only the rows of classes present are trained; False feeds zeros (softmax over every class).
    """
    f = np.ascontiguousarray(features, dtype=np.float32)
    y = np.ascontiguousarray(labels).astype(np.int64, copy=False)
    if f.ndim != 2 or y.ndim != 1 or f.shape[0] != y.shape[0] or f.shape[0] == 0:
        raise InvalidInput(
            "Need features [N,D] and labels [N] with N > 0, got {features} and {labels}.",
            field="features",
            features=tuple(f.shape),
            labels=tuple(y.shape),
        )
    if epochs < 0 or batch_size < 1:
        raise InvalidInput("epochs must be >= 0 and batch_size >= 1.", field="training")
    n, dim = f.shape
    p = np.asarray(parameters, dtype=np.float32).reshape(-1)
    k = (p.size) // (dim + 1)
    if k < 2 or k * (dim + 1) != p.size:
        raise InvalidInput(
            "A parameter vector of {size} values does not fit features of dimension {dim}.",
            field="parameters",
            size=int(p.size),
            dim=dim,
        )
    p = as_vector(p, k, dim)
    if y.min() < 0 or y.max() >= k:
        raise InvalidInput("Labels must lie in 0..{last}.", field="labels", last=k - 1)

    quiet_onnxruntime()
    api = import_training_api()
    CheckpointState, Module, Optimizer = api.CheckpointState, api.Module, api.Optimizer

    state = CheckpointState.load_checkpoint(str(artifacts.checkpoint.path))
    # No eval model: training never runs it, and creating its session would take most of the setup time.
    module = Module(str(artifacts.training_model.path), state, device="cpu")
    optimizer = Optimizer(str(artifacts.optimizer_model.path), module)
    optimizer.set_learning_rate(BASE_LEARNING_RATE)  # what ORT-web feeds; the model scales it
    # (Assigning state.parameters[...] before a Module exists segfaults in 1.19.2: go through the module.)
    load_parameters(module, p)

    offset = logit_offset(y, k) if mask_absent_classes else np.zeros(k, np.float32)
    rng = np.random.default_rng(seed)
    module.train()
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            module(np.ascontiguousarray(f[idx]), np.ascontiguousarray(y[idx]), offset)
            optimizer.step()
            module.lazy_reset_grad()
    return contiguous_parameters(module)


def load_parameters(module, parameters: np.ndarray) -> None:
    """Copy a flat float32 vector into the module's trainable parameters (loadParametersBuffer).

    ``OrtValue.ortvalue_from_numpy(a)`` wraps ``a`` without copying and only the Python wrapper keeps
    ``a`` alive; the C-level ``._ortvalue`` that ``copy_buffer_to_parameters`` needs does not. Both the
    array and the wrapper must outlive the call, so they are held in locals here.
    """
    from onnxruntime import OrtValue

    array = np.array(parameters, dtype=np.float32, copy=True).reshape(-1)
    wrapper = OrtValue.ortvalue_from_numpy(array)
    module.copy_buffer_to_parameters(wrapper._ortvalue, True)
    del wrapper, array


def contiguous_parameters(module) -> np.ndarray:
    """A copy of the module's trainable parameters, flat (what ORT-web's getContiguousParameters gives).

    ``OrtValue.numpy()`` is a view of ORT's buffer, not a copy: copy it while the OrtValue is held.
    """
    value = module.get_contiguous_parameters(True)
    out = np.array(value.numpy(), dtype=np.float32, copy=True).reshape(-1)
    del value
    return out


def evaluate_loss(artifacts: HeadArtifacts, parameters: np.ndarray, features: np.ndarray, labels: np.ndarray) -> float:
    """Mean cross-entropy (over every class: ``logit_offset`` 0) of ``parameters`` on a labelled feature set,
    via the eval model."""
    quiet_onnxruntime()
    api = import_training_api()
    CheckpointState, Module = api.CheckpointState, api.Module

    state = CheckpointState.load_checkpoint(str(artifacts.checkpoint.path))
    module = Module(str(artifacts.training_model.path), state, str(artifacts.eval_model.path), device="cpu")
    load_parameters(module, parameters)
    module.eval()
    k = np.asarray(parameters).size // (np.asarray(features).shape[1] + 1)
    out = module(
        np.ascontiguousarray(features, dtype=np.float32), np.ascontiguousarray(labels).astype(np.int64), np.zeros(k, np.float32)
    )
    loss = out[0] if isinstance(out, (tuple, list)) else out
    return float(np.asarray(loss))
