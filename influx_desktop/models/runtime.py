"""Import onnxruntime without importing torch; import torch without log noise when it is needed.

The ``onnxruntime-training-cpu`` wheel's ``import onnxruntime`` runs a build check that imports
``onnxruntime.training.ortmodule``, which imports torch (3-9 s, and a "No CUDA runtime" warning).
Inference (``InferenceSession``) needs none of that. ``load_onnxruntime()`` makes that one probe fail
with ImportError (which the check treats as "no ORTModule") and then lifts the block, so a later
``import onnxruntime.training.api`` (training, artifact generation) still works and imports torch then.

Anything in the app that runs ONNX models natively should get onnxruntime from here, or import it
only after this has run once.
"""

from __future__ import annotations

import logging
import sys
import threading
from types import ModuleType

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


def import_torch_quietly() -> None:
    """Import torch and onnxruntime.training (which imports torch.utils.cpp_extension) with logging
    muted: on CPU-only machines that import logs a "No CUDA runtime" warning."""
    if "onnxruntime.training.api" in sys.modules:
        return
    load_onnxruntime()
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        import torch  # noqa: F401
        import torch.utils.cpp_extension  # noqa: F401
        import onnxruntime.training.api  # noqa: F401
        import onnxruntime.training.artifacts  # noqa: F401
    finally:
        logging.disable(previous)
