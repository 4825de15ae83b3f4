"""Benchmark of the participant app in headless Debian Chromium (not a test; prints numbers).

    python tests/browser/benchmark_webclient.py [--images 20] [--epochs 10]

Prints: feature extraction ms/image (preprocessing and the ORT-web InferenceSession separately),
head training ms/step, wall time from "Train" to "accepted" (and the page's own click-to-answer time for
each round, with later rounds in the same page: `--rounds`), and the bytes a first visit downloads
(compressed, as on the wire) against a second visit with a warm browser cache. The page is opened with
`?timings`, which makes it keep its timings in `window.influxTimings` (webclient/src/app/timings.js).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import CHROMIUM, CHROMIUM_ARGS, FEATURES_READY, class_names, ensure_bundle, start_server, write_pngs  # noqa: E402


class WireBytes:
    """Sums encodedDataLength (bytes received, compressed) of every request of a page via CDP."""

    def __init__(self, context, page):
        self.total = 0
        self.requests = 0
        self.from_cache = 0
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestServedFromCache", self._cached)

    def _finished(self, event):
        self.total += event.get("encodedDataLength", 0)
        self.requests += 1

    def _cached(self, _event):
        self.from_cache += 1


def label_everything(page, truth):
    unconfirmed = page.locator("#train-grid fl-image-card[data-confirmed=false]")
    while unconfirmed.count():
        card = unconfirmed.first
        name = card.get_attribute("data-name")
        card.locator("select").select_option(truth[name])
        page.wait_for_selector(f'fl-image-card[data-name="{name}"][data-confirmed=true]')


def timed_training(page) -> tuple[float, str]:
    page.click("button[data-tab=train]")
    page.wait_for_selector("#train-button:not([disabled])")
    page.evaluate("() => { document.querySelector('#train-result').textContent = ''; }")
    t0 = time.perf_counter()
    page.click("#train-button")
    page.wait_for_function("() => document.querySelector('#train-result').textContent.length > 0", timeout=300_000)
    return time.perf_counter() - t0, page.inner_text("#train-result")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="rounds on the second visit, in the same page")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    ensure_bundle()
    work = Path(tempfile.mkdtemp(prefix="influx-bench-"))
    classes = class_names()
    server = start_server(
        work / "server", {"title": "Benchmark", "classes": classes, "local_epochs": args.epochs, "batch_size": args.batch_size}
    )
    try:
        per_class = -(-args.images // len(classes))
        files = write_pngs(work / "photos", "train", per_class, seed=1)[: args.images]
        truth = {p.name: c for p, c in files}
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(work / "chromium-profile"),
                executable_path=str(CHROMIUM),
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": 360, "height": 740},
            )
            page = context.new_page()
            first = WireBytes(context, page)
            t0 = time.perf_counter()
            page.goto(server.join_url("bench") + "&timings")
            page.wait_for_selector("#task-view:not([hidden])")
            ready_s = time.perf_counter() - t0
            page.set_input_files("#add-photos", [str(p) for p, _ in files])
            page.wait_for_function(FEATURES_READY, arg=len(files), timeout=600_000)
            timings = page.evaluate("() => window.influxTimings.photos")
            label_everything(page, truth)
            train_s, result = timed_training(page)
            step_ms = page.evaluate("() => window.influxTimings.trainStepMs")
            first_bytes, first_requests = first.total, first.requests
            page.close()

            page = context.new_page()
            second = WireBytes(context, page)
            page.goto(server.url + "/?profile=bench&timings")
            page.wait_for_selector("#task-view:not([hidden])")
            page.wait_for_function(FEATURES_READY, arg=len(files))
            visit_bytes = second.total
            retrain_s, retrain_result = timed_training(page)
            retrain_step_ms = page.evaluate("() => window.influxTimings.trainStepMs")
            for _ in range(args.rounds - 1):
                page.wait_for_timeout(1000)  # a student looks at the result; the next session is prepared meanwhile
                timed_training(page)
            rounds = page.evaluate("() => window.influxTimings.rounds")
            second_bytes = second.total
            context.close()
    finally:
        server.stop()

    extract = [t["extractMs"] for t in timings]
    prep = [t["preprocessMs"] for t in timings]
    steps = args.epochs * -(-args.images // args.batch_size)
    print(
        f"chromium: {CHROMIUM}, wasm, 1 thread; {args.images} images, {args.epochs} epochs, batch {args.batch_size} ({steps} steps)"
    )
    print(f"page ready after join: {ready_s * 1000:.0f} ms")
    print(
        f"feature extraction: {statistics.median(extract):.1f} ms/image median "
        f"(first {extract[0]:.0f} ms, mean {statistics.mean(extract):.1f}); preprocessing {statistics.median(prep):.1f} ms/image median"
    )
    print(f"head training: {step_ms:.2f} ms/step (first run, incl. progress painting); {retrain_step_ms:.2f} ms/step on retrain")
    print(
        f"Train -> accepted: {train_s:.2f} s first time (downloads head artifacts, creates the session); "
        f"{retrain_s:.2f} s on a second visit  [{result} | {retrain_result}]"
    )
    print(
        "in the page, Train pressed -> the update's answer, second visit (ms): "
        + ", ".join(f"round {i + 1} {r['clickToAcceptedMs']:.1f} (training {r['trainMs']:.1f})" for i, r in enumerate(rounds))
    )
    print(
        f"first visit: {first_bytes / 1e6:.2f} MB on the wire in {first_requests} requests "
        f"(page, ORT runtime, feature extractor, head artifacts, API)"
    )
    print(
        f"second visit: {visit_bytes / 1e3:.1f} kB to open the page with cached features; "
        f"{second_bytes / 1e3:.1f} kB including a retrain and its update"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
