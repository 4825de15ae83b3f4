"""Import onnxruntime and its training modules without importing torch; import torch quietly when needed.

The ``onnxruntime-training-cpu`` wheel's ``import onnxruntime`` runs a build check that imports
``onnxruntime.training.ortmodule``, which imports torch (3-9 s, and a "No CUDA runtime" warning).
Inference (``InferenceSession``) needs none of that. ``load_onnxruntime()`` makes that one probe fail
with ImportError (which the check treats as "no ORTModule") and then lifts the block.

``onnxruntime/training/__init__.py`` imports ``amp`` and ``optim``, which import torch, but
``onnxruntime.training.artifacts`` (head artifact generation) and ``onnxruntime.training.api``
(native training) need none of it. ``import_training_artifacts()`` and ``import_training_api()``
register ``onnxruntime.training`` as a bare package (its ``__path__`` only, ``__init__`` not run) and
import those submodules from it, so building head artifacts and training natively work without torch:
in the development install (faster, no CUDA warning) and in the frozen app, which ships no torch.
Only exporting a backbone needs torch (``import_torch_quietly``).

Anything in the app that runs ONNX models natively should get onnxruntime from here, or import it
only after this has run once.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import threading
from types import ModuleType

#: The ONNX format every model the app writes uses: ORT(-web) 1.19 reads opsets up to 21 and IR versions up to
#: 10 (onnx 1.23 writes IR 14 unless told otherwise, e.g. into the generated optimizer model).
OPSET = 17
IR_VERSION = 8

_PROBE = "onnxruntime.training.ortmodule"
_lock = threading.Lock()


def load_onnxruntime() -> ModuleType:
    with _lock:
        module = sys.modules.get("onnxruntime")
        if module is not None:
            return module
        blocked = _PROBE not in sys.modules
        if blocked:
            sys.modules[_PROBE] = None  # type: ignore[assignment]  # makes "import" raise ImportError
        try:
            import onnxruntime
        finally:
            if blocked and sys.modules.get(_PROBE, 0) is None:
                del sys.modules[_PROBE]
            # A half-imported onnxruntime.training left behind by the failed probe must not be reused.
            for name in [m for m in sys.modules if m == "onnxruntime.training" or m.startswith("onnxruntime.training.")]:
                if sys.modules[name] is None:
                    del sys.modules[name]
        return onnxruntime


def quiet_onnxruntime() -> None:
    """Lower onnxruntime's default logger severity to ERROR."""
    load_onnxruntime().set_default_logger_severity(3)


_TRAINING = "onnxruntime.training"


def _bare_training_package() -> ModuleType:
    """``onnxruntime.training`` as an empty package whose submodules import normally (caller holds _lock)."""
    module = sys.modules.get(_TRAINING)
    if module is not None:
        return module
    spec = importlib.util.find_spec(_TRAINING)
    if spec is None or not spec.submodule_search_locations:
        from influx_desktop.errors import ModelUnavailable

        raise ModelUnavailable(
            "This onnxruntime has no training support: install onnxruntime-training-cpu==1.19.2 "
            "(the plain onnxruntime wheel cannot build or run training artifacts)."
        )
    module = importlib.util.module_from_spec(spec)  # __spec__, __path__, __file__ set; __init__ not run
    sys.modules[_TRAINING] = module
    sys.modules["onnxruntime"].training = module
    return module


def import_training_artifacts() -> ModuleType:
    """``onnxruntime.training.artifacts`` (generate_artifacts, LossType, OptimType), without torch."""
    load_onnxruntime()
    with _lock:
        _bare_training_package()
    from onnxruntime.training import artifacts

    return artifacts


def import_training_api() -> ModuleType:
    """``onnxruntime.training.api`` (CheckpointState, Module, Optimizer), without torch."""
    load_onnxruntime()
    with _lock:
        _bare_training_package()
    from onnxruntime.training import api

    return api


def import_torch_quietly() -> None:
    """Import torch with logging muted (on CPU-only machines its CUDA probing can log warnings).

    Raises ImportError where torch is absent (the frozen app): callers that export backbones turn that
    into ModelUnavailable.
    """
    if sys.modules.get("torch") is not None:
        return
    load_onnxruntime()
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        import torch  # noqa: F401
    finally:
        logging.disable(previous)
