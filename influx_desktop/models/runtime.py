"""Import onnxruntime without importing torch.

The ``onnxruntime-training-cpu`` wheel's ``import onnxruntime`` runs a build check that imports
``onnxruntime.training.ortmodule``, which imports torch (3-9 s, and a "No CUDA runtime" warning).
Inference (``InferenceSession``) needs none of that. ``load_onnxruntime()`` makes that one probe fail
with ImportError (which the check treats as "no ORTModule") and then lifts the block, so a later
``import onnxruntime.training.api`` (training, artifact generation) still works and imports torch then.

Anything in the app that runs ONNX models natively should get onnxruntime from here, or import it
only after this has run once.
"""

from __future__ import annotations

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
