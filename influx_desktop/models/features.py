"""Native feature extraction with the exported backbone (plain onnxruntime, CPU; never imports torch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from influx_desktop.errors import InvalidInput


class FeatureExtractor:
    """Runs ``feature_extractor.onnx``: ``"input"`` [N,3,S,S] float32 -> ``"features"`` [N,D]."""

    BATCH = 32

    def __init__(self, onnx_path: Path | str, threads: int | None = None) -> None:
        from influx_desktop.models.runtime import load_onnxruntime

        ort = load_onnxruntime()

        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        if threads:
            opts.intra_op_num_threads = threads
        self.path = Path(onnx_path)
        self._session = ort.InferenceSession(str(self.path), sess_options=opts, providers=["CPUExecutionProvider"])
        inp = self._session.get_inputs()[0]
        out = self._session.get_outputs()[0]
        self.input_name, self.output_name = inp.name, out.name
        self.input_size = int(inp.shape[2]) if isinstance(inp.shape[2], int) else None
        self.feature_dim = int(out.shape[1]) if isinstance(out.shape[1], int) else None

    def extract(self, batch: np.ndarray) -> np.ndarray:
        x = np.asarray(batch, dtype=np.float32)
        if x.ndim == 3:
            x = x[None]
        if x.ndim != 4 or x.shape[1] != 3 or (self.input_size and x.shape[2:] != (self.input_size, self.input_size)):
            raise InvalidInput(f"Expected a batch [N,3,{self.input_size},{self.input_size}], got {x.shape}.", field="images")
        if x.shape[0] == 0:
            return np.zeros((0, self.feature_dim or 0), dtype=np.float32)
        parts = [
            self._session.run([self.output_name], {self.input_name: np.ascontiguousarray(x[i : i + self.BATCH])})[0]
            for i in range(0, x.shape[0], self.BATCH)
        ]
        return np.concatenate(parts).astype(np.float32, copy=False)
