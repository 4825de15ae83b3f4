"""Item 4, native side — backbone feature extraction in ms/image with native onnxruntime on this CPU.

The limit for this hardware: the same ``feature_extractor.onnx`` the browser downloads, run by native
onnxruntime (CPU execution provider) one image at a time (batch 1, as the web client does), once with one
intra-op thread (what single-threaded wasm gets) and once with every core. Inputs are real Fashion-MNIST
images preprocessed by ``influx_desktop.models.images.preprocess``. bench/browser.py measures the Chromium
side in the same run and prints the combined table; this script alone prints the native figures.

Issue 16, before and after: the extractor without the feature map output (what sessions prepared before
serve) against the one with it (``ModelCache.feature_extractor(..., feature_map=True)``), fetching both of
its outputs as the app does. Their passes alternate, so load on the machine hits both alike; the pooled
features of the two must be identical.

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
    return interleaved_ms_per_image({"model": (model_path, False)}, inputs, threads, repeats)["model"]


def interleaved_ms_per_image(
    models: dict[str, tuple[Path, bool]], inputs: np.ndarray, threads: int, repeats: int, clock=time.perf_counter
) -> dict[str, float]:
    """``{name: median ms/image}`` for ``{name: (model, fetch the feature map too)}``, batch 1, after one
    warm-up image each. The models take turns image by image (in reverse order every other image), so load
    from other programs falls on all of them alike; a pass is every image once per model. ``clock``:
    wall time by default; ``time.process_time`` gives this process's CPU time, which other programs' load
    on a shared machine does not inflate (with one thread it is the work's own cost)."""
    from influx_desktop.models.features import FeatureExtractor

    runs = {}
    for name, (path, with_map) in models.items():
        ex = FeatureExtractor(path, threads=threads)
        runs[name] = ex.extract_with_maps if with_map else ex.extract
        runs[name](inputs[:1])  # warm-up: first run allocates
    per_pass: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(repeats):
        spent = dict.fromkeys(runs, 0.0)
        for i in range(len(inputs)):
            for name in list(runs) if i % 2 == 0 else list(runs)[::-1]:  # ABBA: neither model always goes first
                t0 = clock()
                runs[name](inputs[i : i + 1])
                spent[name] += clock() - t0
        for name, seconds in spent.items():
            per_pass[name].append(seconds * 1e3 / len(inputs))
    return {name: median(times) for name, times in per_pass.items()}


def before_and_after(cache=None) -> dict[str, Path]:
    """Issue 16's two float32 extractors: ``{"before": without the feature map, "after": with it}``."""
    cache = cache or common.model_cache()
    return {
        "before": cache.feature_extractor("efficientnet_lite0", pretrained=True).path,
        "after": cache.feature_extractor("efficientnet_lite0", pretrained=True, feature_map=True).path,
    }


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
    inputs = sample_inputs(args.images)
    if args.model:
        rows = []
        for threads in sorted({1, os.cpu_count() or 1}):
            ms = native_ms_per_image(args.model, inputs, threads, args.repeats)
            rows.append([f"native onnxruntime, {threads} thread(s)", f"{ms:.1f}"])
        say(table(["runtime", "ms/image (batch 1)"], rows))
        say(f"{args.images} images, median of {args.repeats} passes. Model: {args.model.name} ({args.model.stat().st_size:,} B).")
    else:
        from influx_desktop.models.features import FeatureExtractor

        models = before_and_after()
        pair = {"before": (models["before"], False), "after": (models["after"], True)}
        rows = []
        for threads in sorted({1, os.cpu_count() or 1}):
            ms = interleaved_ms_per_image(pair, inputs, threads, args.repeats)
            rows.append(
                [
                    f"native onnxruntime, {threads} thread(s), wall time",
                    f"{ms['before']:.1f}",
                    f"{ms['after']:.1f}",
                    f"{(ms['after'] / ms['before'] - 1) * 100:+.1f} %",
                ]
            )
        cpu = interleaved_ms_per_image(pair, inputs, 1, args.repeats, clock=time.process_time)
        rows.append(
            [
                "native onnxruntime, 1 thread, CPU time of this process",
                f"{cpu['before']:.1f}",
                f"{cpu['after']:.1f}",
                f"{(cpu['after'] / cpu['before'] - 1) * 100:+.1f} %",
            ]
        )
        sizes = {k: p.stat().st_size for k, p in models.items()}
        rows.append(
            [
                "model bytes",
                f"{sizes['before']:,}",
                f"{sizes['after']:,}",
                f"{(sizes['after'] / sizes['before'] - 1) * 100:+.3f} %",
            ]
        )
        say(
            table(
                [
                    "EfficientNet-Lite0 float32, batch 1",
                    "before: features (ms/image)",
                    "after: features + feature map (ms/image)",
                    "change",
                ],
                rows,
            )
        )
        same = np.array_equal(
            FeatureExtractor(models["before"]).extract(inputs), FeatureExtractor(models["after"]).extract(inputs)
        )
        say(
            f"{args.images} images, median of {args.repeats} alternating passes. Pooled features before and after "
            f"{'bit-identical' if same else 'DIFFERENT'} on all {args.images}."
        )
    common.say_machine_and_command(machine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
