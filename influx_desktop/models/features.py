"""Native feature extraction with the exported backbone (plain onnxruntime, CPU; never imports torch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from influx_desktop.errors import InvalidInput, ModelUnavailable
from influx_desktop.models.feature_map import FEATURE_MAP_NAME


class FeatureExtractor:
    """Runs ``feature_extractor.onnx``: ``"input"`` [N,3,S,S] float32 -> ``"features"`` [N,D], and with
    ``extract_with_maps`` also ``"feature_map"`` [N,D,h,w] when the file has it (``feature_map.py``)."""

    BATCH = 32

    def __init__(self, onnx_path: Path | str, threads: int | None = None, feature_map: bool = False) -> None:
        """``feature_map``: make sure ``extract_with_maps`` works: a file without the output (a session
        prepared before issue 16) gets it added in memory (``feature_map.py``; its features stay the same)."""
        from influx_desktop.models.runtime import load_onnxruntime

        ort = load_onnxruntime()

        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        if threads:
            opts.intra_op_num_threads = threads
        self.path = Path(onnx_path)
        self._session = ort.InferenceSession(str(self.path), sess_options=opts, providers=["CPUExecutionProvider"])
        if feature_map and not any(o.name == FEATURE_MAP_NAME for o in self._session.get_outputs()):
            import onnx

            from influx_desktop.models.feature_map import add_feature_map_output

            proto = onnx.load(str(self.path))
            add_feature_map_output(proto)
            self._session = ort.InferenceSession(proto.SerializeToString(), sess_options=opts, providers=["CPUExecutionProvider"])
        inp = self._session.get_inputs()[0]
        out = self._session.get_outputs()[0]
        self.input_name, self.output_name = inp.name, out.name
        self.has_feature_map = any(o.name == FEATURE_MAP_NAME for o in self._session.get_outputs())
        self.input_size = int(inp.shape[2]) if isinstance(inp.shape[2], int) else None
        self.feature_dim = int(out.shape[1]) if isinstance(out.shape[1], int) else None

    def extract(self, batch: np.ndarray) -> np.ndarray:
        x = self._checked(batch)
        if x.shape[0] == 0:
            return np.zeros((0, self.feature_dim or 0), dtype=np.float32)
        return np.concatenate([part[0] for part in self._run(x, [self.output_name])]).astype(np.float32, copy=False)

    def extract_with_maps(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(features [N,D], feature maps [N,D,h,w])`` from one run of the model."""
        if not self.has_feature_map:
            raise ModelUnavailable(
                "The feature extractor {file} has no '{output}' output.", file=self.path.name, output=FEATURE_MAP_NAME
            )
        x = self._checked(batch)
        parts = self._run(x, [self.output_name, FEATURE_MAP_NAME])
        if not parts:
            return np.zeros((0, self.feature_dim or 0), np.float32), np.zeros((0, self.feature_dim or 0, 0, 0), np.float32)
        return tuple(np.concatenate([p[j] for p in parts]).astype(np.float32, copy=False) for j in (0, 1))  # type: ignore[return-value]

    def _checked(self, batch: np.ndarray) -> np.ndarray:
        x = np.asarray(batch, dtype=np.float32)
        if x.ndim == 3:
            x = x[None]
        if x.ndim != 4 or x.shape[1] != 3 or (self.input_size and x.shape[2:] != (self.input_size, self.input_size)):
            raise InvalidInput(
                "Expected a batch [N,3,{size},{size}], got {shape}.", field="images", size=self.input_size, shape=tuple(x.shape)
            )
        return x

    def _run(self, x: np.ndarray, outputs: list[str]) -> list[list[np.ndarray]]:
        return [
            self._session.run(outputs, {self.input_name: np.ascontiguousarray(x[i : i + self.BATCH])})
            for i in range(0, x.shape[0], self.BATCH)
        ]
