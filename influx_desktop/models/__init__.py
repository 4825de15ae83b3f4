"""Model pipeline: backbone registry, ONNX export, head training artifacts, global-model export.

Nothing here imports torch at import time; only exporting a backbone and building training artifacts do.
"""
