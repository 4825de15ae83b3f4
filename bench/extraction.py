"""Item 4, native side — backbone feature extraction in ms/image with native onnxruntime on this CPU.

The limit for this hardware: the same ``feature_extractor.onnx`` the browser downloads, run by native
onnxruntime (CPU execution provider) one image at a time (batch 1, as the web client does), once with one
intra-op thread (what single-threaded wasm gets) and once with every core. Inputs are real Fashion-MNIST
images preprocessed by ``influx_desktop.models.images.preprocess``. bench/browser.py measures the Chromium
side in the same run and prints the combined table; this script alone prints the native figures.

    python bench/extraction.py [--quick] [--model PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import median, say, table  # noqa: E402


def sample_inputs(n: int, backbone_name: str = "efficientnet_lite0") -> np.ndarray:
    """``n`` preprocessed Fashion-MNIST images [n,3,S,S] (random pixels if the data set is missing)."""
    from fashion_mnist import available, load_fashion_mnist

    from influx_desktop.models.backbones import get_backbone
    from influx_desktop.models.images import preprocess_batch

    backbone = get_backbone(backbone_name)
    if available():
        per_class = -(-n // 4)
        images, _ = load_fashion_mnist("train", [0, 1, 7, 8], per_class, seed=3)
        return preprocess_batch(images[:n], backbone)
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 3, backbone.input_size, backbone.input_size)).astype(np.float32)


def native_ms_per_image(model_path: Path, inputs: np.ndarray, threads: int, repeats: int = 3) -> float:
    """Median over ``repeats`` passes of the per-image mean time, batch 1, after one warm-up image."""
    from influx_desktop.models.features import FeatureExtractor

    ex = FeatureExtractor(model_path, threads=threads)
    ex.extract(inputs[:1])  # warm-up: first run allocates
    per_pass = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for i in range(len(inputs)):
            ex.extract(inputs[i : i + 1])
        per_pass.append((time.perf_counter() - t0) * 1e3 / len(inputs))
    return median(per_pass)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="4 images, one pass")
    ap.add_argument("--images", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--model", type=Path, help="an ONNX feature extractor (default: the server's EfficientNet-Lite0)")
    args = ap.parse_args(argv)
    if args.quick:
        args.images, args.repeats = 4, 1
    machine = common.Machine.now()
    model = args.model or common.model_cache().feature_extractor("efficientnet_lite0", pretrained=True).path
    inputs = sample_inputs(args.images)
    rows = []
    for threads in sorted({1, os.cpu_count() or 1}):
        ms = native_ms_per_image(model, inputs, threads, args.repeats)
        rows.append([f"native onnxruntime, {threads} thread(s)", f"{ms:.1f}"])
    say(table(["runtime", "ms/image (batch 1)"], rows))
    say(f"{args.images} images, median of {args.repeats} passes. Model: {Path(model).name} ({Path(model).stat().st_size:,} B).")
    say(machine.line())
    say(f"Command: {common.command_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
