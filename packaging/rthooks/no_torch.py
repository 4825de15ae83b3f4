# PyInstaller runtime hook: runs in the frozen app before any of its code.
#
# The app ships no torch. onnxruntime-training's "import onnxruntime" probes
# onnxruntime.training.ortmodule (which imports torch); make that probe, and any stray
# "import torch", fail at once with ImportError instead of searching for a package that is not
# there. influx_desktop.models.runtime then imports onnxruntime.training.artifacts / .api
# through a bare onnxruntime.training package, which needs no torch.
import sys

for _name in ("torch", "torchvision", "onnxruntime.training.ortmodule"):
    sys.modules.setdefault(_name, None)
del _name
