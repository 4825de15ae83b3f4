"""Item 6 — a smaller backbone download: the feature extractor quantised to int8 with onnxruntime.quantization.

Two variants of the server's EfficientNet-Lite0 ``feature_extractor.onnx``:

- dynamic: ``quantize_dynamic`` (8-bit weights — uint8, the only kind ORT's CPU ConvInteger runs — activations quantised at run time; no calibration data);
- static: ``quant_pre_process`` then ``quantize_static`` in QDQ format, per-channel int8 weights (per-tensor in
  ``--quick``), MinMax-calibrated on 64 images: once here on Fashion-MNIST *training* images drawn with their
  own seed (the task's domain), and once as the app builds it (``influx_desktop/models/quantize.py``:
  synthetic images, smooth random colour fields with noise, and the int32 biases repaired), which is what a
  session with ``quantized_backbone`` serves (not in ``--quick``).

For each: bytes (raw and gzip -9), native ms/image (batch 1, one thread), the cosine similarity of its
features to the float32 model's, and the test accuracy of a head trained on its features (Fashion-MNIST, 10
classes, 60 training and 100 test images per class; the same optimizer and epochs for every model) against
the float32 model's. The first-visit download with each model is the float32 first visit measured by
bench/join_payload.py's replay with the extractor's bytes swapped. Whether each variant loads and runs in
ORT-web 1.19.2 is checked by bench/browser.py (``--int8``), which also times it there.

The rule (issue 6): int8 becomes a facilitator option only if it cuts first-visit bytes by 2× or more for
at most 1 point of accuracy.

    python bench/quantize.py [--quick]
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import fmt_bytes, median, say, table  # noqa: E402


def quantised_models(fp32: Path, quick: bool) -> dict[str, Path]:
    """Build (once, cached next to the model cache) the dynamic and static int8 variants of ``fp32``."""
    from influx_desktop.models.runtime import load_onnxruntime, quiet_onnxruntime

    load_onnxruntime()
    quiet_onnxruntime()
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    out_dir = common.CACHE / "int8"
    out_dir.mkdir(parents=True, exist_ok=True)
    tag = fp32.stem[:12]
    q = "-quick" if quick else ""
    dynamic = out_dir / f"{tag}-dynamic.onnx"
    static = {"fm": out_dir / f"{tag}-static-fm{q}.onnx"}
    if not dynamic.is_file() and not quick:  # quick: one static variant only, to stay within seconds
        say("Quantising (dynamic)…")
        # ORT's CPU ConvInteger takes uint8 weights only (int8 ones have no kernel in 1.19.2).
        quantize_dynamic(str(fp32), str(dynamic), weight_type=QuantType.QUInt8)
    pre = out_dir / f"{tag}-pre.onnx"
    for calib_name, path in static.items():
        if path.is_file():
            continue
        say(f"Quantising (static, QDQ, calibrated on {calib_name} images)…")
        if not pre.is_file():
            quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
        calib = calibration_inputs(2 if quick else 64)

        class Reader(CalibrationDataReader):
            def __init__(self, calib=calib) -> None:
                self.it = iter([{"input": calib[i : i + 1]} for i in range(len(calib))])

            def get_next(self):
                return next(self.it, None)

        quantize_static(
            str(pre),
            str(path),
            Reader(),
            quant_format=QuantFormat.QDQ,
            per_channel=not quick,
            weight_type=QuantType.QInt8,
            activation_type=QuantType.QUInt8,
        )
    built = {"int8 dynamic": dynamic, "int8 static, Fashion-MNIST calibration": static["fm"]}
    if not quick:  # the app's own build (influx_desktop/models/quantize.py): what quantized_backbone serves
        built["int8 static, synthetic calibration (as shipped)"] = (
            common.model_cache().feature_extractor("efficientnet_lite0", pretrained=True, quantized=True).path
        )
    return {name: path for name, path in built.items() if path.is_file()}


def calibration_inputs(n: int) -> np.ndarray:
    from fashion_mnist import load_fashion_mnist

    from influx_desktop.models.backbones import get_backbone
    from influx_desktop.models.images import preprocess_batch

    images, _ = load_fashion_mnist("train", list(range(10)), max(1, n // 10), seed=11)
    return preprocess_batch(images[:n], get_backbone("efficientnet_lite0"))


def fm_images(quick: bool):
    from fashion_mnist import load_fashion_mnist

    classes = [0, 1, 7, 8] if quick else list(range(10))
    tr, ytr = load_fashion_mnist("train", classes, 6 if quick else 60, seed=0)
    te, yte = load_fashion_mnist("test", classes, 6 if quick else 100, seed=1)
    return len(classes), tr, ytr, te, yte


def head_accuracy(k, xtr, ytr, xte, yte, epochs: int, seeds: int) -> float:
    from influx_desktop.models import head
    from influx_desktop.models.local_training import train_head

    arts = common.model_cache().head_artifacts(k, 1e-3)
    accs = []
    for s in range(seeds):
        p = train_head(arts, head.initial_parameters(k, seed=s), xtr, ytr, epochs=epochs, batch_size=16, seed=s)
        accs.append(float((head.logits(xte, p, k).argmax(axis=1) == yte).mean()))
    return median(accs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--quick", action="store_true", help="static variant only (2 calibration images), 4 classes, 6 images per class"
    )
    args = ap.parse_args(argv)
    machine = common.Machine.now()

    import join_payload
    from extraction import native_ms_per_image, sample_inputs

    from influx_desktop.models.backbones import get_backbone
    from influx_desktop.models.features import FeatureExtractor
    from influx_desktop.models.images import preprocess_batch

    fp32 = common.model_cache().feature_extractor("efficientnet_lite0", pretrained=True).path
    models = {"float32 (ours today)": fp32, **quantised_models(fp32, args.quick)}
    backbone = get_backbone("efficientnet_lite0")
    k, tr, ytr, te, yte = fm_images(args.quick)
    xtr_in, xte_in = preprocess_batch(tr, backbone), preprocess_batch(te, backbone)
    timing_inputs = sample_inputs(4 if args.quick else 20)
    first_fp32, _, _ = join_payload.ours(args.quick)["before"]  # the session that serves exactly ``fp32``
    epochs, seeds = (5, 1) if args.quick else (50, 3)

    rows, ref, results = [], None, {}
    for name, path in models.items():
        raw = path.read_bytes()
        gz = len(gzip.compress(raw, 9, mtime=0))
        ex = FeatureExtractor(path)
        ftr, fte = ex.extract(xtr_in), ex.extract(xte_in)
        if ref is None:
            ref = fte
        cos = float(np.median(np.sum(fte * ref, 1) / (np.linalg.norm(fte, axis=1) * np.linalg.norm(ref, axis=1) + 1e-12)))
        acc = head_accuracy(k, ftr, ytr, fte, yte, epochs, seeds)
        ms = native_ms_per_image(path, timing_inputs, 1, 1 if args.quick else 3)
        first = first_fp32 - fp32.stat().st_size + len(raw)  # the artifact route serves it uncompressed
        results[name] = dict(bytes=len(raw), gz=gz, ms=ms, acc=acc, cos=cos, first=first)
        say(f"  {name}: {len(raw):,} B, {ms:.1f} ms/image, accuracy {acc:.3f}, cosine {cos:.4f}")
    base = results["float32 (ours today)"]
    for name, r in results.items():
        rows.append(
            [
                name,
                f"{fmt_bytes(r['bytes'])} ({fmt_bytes(r['gz'])} gzipped)",
                f"{fmt_bytes(r['first'])}",
                f"{base['first'] / r['first']:.2f}×",
                f"{r['ms']:.1f}",
                f"{r['acc']:.3f}",
                f"{(r['acc'] - base['acc']) * 100:+.1f}",
                f"{r['cos']:.4f}",
            ]
        )
    say("")
    say(
        table(
            [
                "feature extractor",
                "model bytes",
                "first visit (as served)",
                "first-visit cut",
                "native ms/image (1 thread)",
                "head test accuracy",
                "Δ points",
                "feature cosine vs float32",
            ],
            rows,
        )
    )
    say("")
    for name, r in results.items():
        if name.startswith("int8"):
            cut = base["first"] / r["first"]
            loss = (base["acc"] - r["acc"]) * 100
            verdict = "QUALIFIES" if cut >= 2 and round(loss, 6) <= 1 else "does not qualify"
            say(
                f"Rule (≥2× first-visit cut, ≤1 point accuracy loss): {name}: cut {cut:.2f}×, "
                f"accuracy change {-loss:+.1f} points → {verdict}."
            )
    say(f"Accuracy: head trained {epochs} epochs on each model's features, median of {seeds} seed(s), {len(yte)} test images.")
    common.say_machine_and_command(machine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
