"""Items 1, 4 and 6 in the browser — headless Debian Chromium (wasm, one thread) driven by Playwright.

One real server on 127.0.0.1 (create_app + waitress, rate limits off) serves the built web client, a
running session (4 Fashion-MNIST classes, 10 local epochs, batch 16), the seed baseline's routes
(bench/seed.py: full MobileNetV2 artifacts, JSON update route that regenerates them) and this benchmark's
page (bench/web/), all from one origin under the app's real CSP. The page imports the web client's own
modules (``src/ort_runtime.js``, ``src/lib/api.js``, ``src/lib/training.js``, ``src/lib/train_loop.js``, ``src/lib/head.js``,
``src/image_decode.js``); only the seed's full-network training loop is the page's own code.

Item 1, contribution time, 20 photos (224 px PNG), 10 epochs, batch 16, from "train" pressed to "update
accepted": ours first round (preprocess + extract features with the backbone, head TrainingSession, 20 steps,
raw float32 POST) and later rounds (features cached; as the web client does since issue 17's item 3: the task
and the model at once, each 304 when unchanged, and the head's TrainingSession
prepared ahead — created after the previous round was sent, off the click path, and printed as "prepared";
the click loads the global parameters into it and trains; a pause of --pause seconds before each, as a
student reads the result); in the same page afterwards, later rounds the way before (a TrainingSession created
per click, the same pause); the seed's rounds (fetch the regenerated artifacts,
preprocess, TrainingSession over the whole MobileNetV2 with only the classifier trainable, 20 steps with the
images through the full network, JSON POST that regenerates the artifacts). Downloads are item 3's: ours' runtime
(the wasm and its loader) and artifacts are fetched, timed, before ours' clock starts (the first round reads the
runtime back from the browser's cache, later rounds the immutable artifacts too);
the seed's re-download of its regenerated files (loopback, so nearly free here) is inside its rounds. Each run
uses a fresh page, so every first round also pays the wasm runtime's start.

Item 4, feature extraction ms/image in Chromium wasm vs native onnxruntime on the same inputs (20
preprocessed Fashion-MNIST images, batch 1, after a warm-up image). Item 6: the same for the int8 models
of bench/quantize.py — does ORT-web 1.19.2 load and run them, how fast, and do its features match native.

Issue 16: the float32 extractor with its feature map output (``float32-map``) run as ``src/ort_runtime.js``
runs it — ``extract``, the features alone, to prepare a photo; ``extractWithMap``, features and map from one run,
for "Why?" and "Try it" — against the one without (``float32``, what sessions served before), all three in one
fresh page per run, taking turns image by image (the per-model pages above run in a fixed order, so
their "speed vs float32" column carries the first page's extra costs).

Issue 17 item 4, ``--phone``: ours on a phone-class device. Each page's main thread is slowed down 1×, 4× and 6×
(CDP ``Emulation.setCPUThrottlingRate``, DevTools' 4× and 6× presets; 4× is Lighthouse's mobile default) and its
requests go through Chrome DevTools' "Fast 4G" profile (CDP ``Network.emulateNetworkConditions``, ``FAST_4G``), for a session serving the float32
extractor and one serving the int8 one (each as ``Sessions.prepare_models`` serves it: with the feature map output).
Each (slowdown, extractor) gets a fresh browser profile, so a first visit: the runtime, extractor and head files
downloaded and timed on that network, then the first round and the later rounds as above, then in a fresh page at
the same slowdown, network unthrottled, the served extractor's ms/photo. The web client runs ORT-web on the page's
main thread (no proxy worker, one thread), which is what the CPU throttling slows (a dedicated worker far less:
a busy loop took 1.8× as long at 4×, the main thread's 5.2×); the network throttling applies to a worker's fetches
too. Neither matters here: the web client starts no worker. The seed is left out: its
rounds download its regenerated 8.9 MB on every click and train through MobileNetV2 — about a minute each at 4×.

    python bench/browser.py            # full: 3 runs
    python bench/browser.py --quick    # seconds: 4 photos, 1 epoch, tiny seed graph, float32 extraction of 2 images
    python bench/browser.py --extraction-only   # items 4 and 6 alone
    python bench/browser.py --phone    # issue 17 item 4 alone (--quick: 4× and int8 only)
    python bench/browser.py --keep-awake   # any mode, with idle cores polling instead of sleeping (root)

``--keep-awake``: the benchmark holds a PM QoS request of 0 µs (``/dev/cpu_dma_latency``), so idle cores poll
instead of sleeping, to tell how much of a round is the cores waking up (on this VM: none that shows; a pause
costs as much either way, see bench/wakeup.py). The machine line says when the flag was on.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import fmt_bytes, median, ratio, say, table  # noqa: E402
from harness import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (loopback-only name resolution included)

WEB = Path(__file__).resolve().parent / "web"
CLASS_IDS = [0, 1, 7, 8]


def make_bench_blueprint(images: list[bytes], inputs: bytes, models: dict[str, Path]):
    from flask import Blueprint, Response, abort, send_file

    bp = Blueprint("bench", __name__, url_prefix="/bench")

    @bp.get("/")
    def page():
        return send_file(WEB / "bench.html", mimetype="text/html", max_age=0)

    @bp.get("/bench.js")
    def script():
        return send_file(WEB / "bench.js", mimetype="text/javascript", max_age=0)

    @bp.get("/images/<int:i>.png")
    def image(i: int):
        if not 0 <= i < len(images):
            abort(404)
        return Response(images[i], mimetype="image/png")

    @bp.get("/inputs.f32")
    def tensor():
        return Response(inputs, mimetype="application/octet-stream")

    @bp.get("/models/<name>")
    def model(name: str):
        if name not in models:
            abort(404)
        return send_file(models[name], mimetype="application/octet-stream", max_age=0)

    return bp


def photos(count: int) -> tuple[list[bytes], list[int]]:
    from fashion_mnist import available, load_fashion_mnist

    if available():
        per_class = -(-count // len(CLASS_IDS))
        imgs, labels = load_fashion_mnist("train", CLASS_IDS, per_class, seed=5)
        order = np.random.default_rng(0).permutation(len(imgs))[:count]
        imgs, labels = [imgs[i] for i in order], [int(labels[i]) for i in order]
    else:  # pragma: no cover - CI without the data set still exercises the code path
        from PIL import Image

        rng = np.random.default_rng(0)
        imgs = [Image.fromarray(rng.integers(0, 255, (224, 224, 3), dtype=np.uint8)) for _ in range(count)]
        labels = [i % len(CLASS_IDS) for i in range(count)]
    out = []
    for im in imgs:
        buf = io.BytesIO()
        im.save(buf, format="PNG")
        out.append(buf.getvalue())
    return out, labels


def launch(playwright, user_data_dir: Path):
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


#: Chrome DevTools' "Fast 4G" preset (``Fast4GConditions`` in devtools-frontend's front_end/core/sdk/NetworkManager.ts):
#: 9 Mbit/s down and 1.5 Mbit/s up, each × 0.9, and a 60 ms round trip × 2.75 as the request latency. CDP units:
#: bytes/s and ms.
FAST_4G = {"offline": False, "latency": 60 * 2.75, "downloadThroughput": 9e6 / 8 * 0.9, "uploadThroughput": 1.5e6 / 8 * 0.9}


def open_page(ctx, url: str, cpu_rate: float = 1, network: dict | None = None):
    """A fresh page on the bench page; with ``cpu_rate`` > 1 its main thread slowed down that many times
    (``Emulation.setCPUThrottlingRate``), with ``network`` its requests throttled
    (``Network.emulateNetworkConditions``), both from before the page loads."""
    page = ctx.new_page()
    if cpu_rate != 1 or network:
        cdp = ctx.new_cdp_session(page)
        if cpu_rate != 1:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_rate})
        if network:
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", network)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + "/bench/")
    page.wait_for_function("() => window.bench !== undefined", timeout=60_000)
    if errors:
        raise RuntimeError(f"bench page errors: {errors}")
    return page


def session_settings(epochs: int, title: str = "Bench", **more) -> dict:
    """The benchmark's session: 4 Fashion-MNIST classes, ``epochs`` local epochs, batch 16, no staleness or norm limit."""
    return {
        "title": title,
        "classes": ["t-shirt", "trouser", "sneaker", "bag"],
        "local_epochs": epochs,
        "batch_size": 16,
        "max_staleness": 100000,
        "max_update_norm": 1e9,
        **more,
    }


def ours_rounds(page, join_code: str, labels: list[int], args, seed: int) -> tuple[dict, dict, list[dict]]:
    """Ours in a fresh bench page: join and download (timed), the first round, then ``args.later_rounds``
    later rounds, each after ``args.pause`` seconds. Returns (setup, first, later)."""
    setup = page.evaluate("([c, n, l]) => bench.ours.setup(c, n, l)", [join_code, args.photos, labels])
    first = page.evaluate("(s) => bench.ours.round(s)", seed)
    later = []
    for k in range(args.later_rounds):
        page.wait_for_timeout(args.pause * 1000)
        later.append(page.evaluate("(s) => bench.ours.round(s)", seed + k + 1))
    return setup, first, later


def extraction_in_page(ctx, url: str, model: str, count: int, passes: int, cpu_rate: float = 1) -> dict:
    """bench.extraction of the bench blueprint's ``model`` on ``count`` inputs, in a fresh page."""
    page = open_page(ctx, url, cpu_rate)
    try:
        return page.evaluate(
            "([m, n, s, p]) => bench.extraction(m, '/bench/inputs.f32', n, s, p)", [f"/bench/models/{model}", count, 224, passes]
        )
    finally:
        page.close()


def med(rows: list[dict], key: str) -> float:
    return median(r[key] for r in rows) if rows else float("nan")


PHASES = ("extract", "fetch", "taskMs", "modelMs", "preprocess", "session", "train", "send", "prepared", "stepMedian")


def say_phases(title: str, rows: list[dict]) -> None:
    """One line: a kind of round's median total and phases (ms)."""
    if not rows:
        return
    phases = {k: med(rows, k) for k in PHASES if k in rows[0]}
    say(
        f"  {title}: total {med(rows, 'total'):,.1f} ms, steps {rows[0]['steps']}, "
        + ", ".join(
            f"median step {v:,.1f}"
            if k == "stepMedian"
            else f"prepared ahead {v:,.1f} (off the click path)"
            if k == "prepared"
            else f"{k} {v:,.1f}"
            for k, v in phases.items()
        )
    )


def phone(args, machine: common.Machine) -> int:
    """Issue 17 item 4: ours on a phone-class CPU and network, for each extractor sessions serve."""
    from extraction import sample_inputs
    from playwright.sync_api import sync_playwright

    # What a session with quantized_backbone False / True serves (Sessions.prepare_models); checked below.
    served = {
        name: common.model_cache().feature_extractor(
            "efficientnet_lite0", pretrained=True, quantized=name == "int8", feature_map=True
        )
        for name in args.extractors
    }
    inputs = sample_inputs(args.extract_images)
    pngs, labels = photos(args.photos)
    blueprint = make_bench_blueprint(pngs, inputs.astype("<f4").tobytes(), {name: a.path for name, a in served.items()})
    server = common.start_fl_server(
        common.scratch_dir("phone"), model_cache=common.model_cache(), webclient_dir=common.DIST, extra_blueprints=[blueprint]
    )
    results: dict[tuple[float, str], list[tuple[dict, dict, list[dict], dict]]] = {
        (rate, name): [] for rate in args.rates for name in served
    }
    try:
        admin = server.admin()
        codes = {}
        for name in served:
            session = admin.create_session(session_settings(args.epochs, f"Bench {name}", quantized_backbone=name == "int8"))
            admin.start(session["id"])
            codes[name] = session["join_code"]
        with sync_playwright() as pw:
            for run in range(args.runs):
                for rate in args.rates:
                    for name in served:
                        # A fresh profile each time: a first visit, nothing in the browser's cache.
                        with tempfile.TemporaryDirectory(prefix="influx-bench-chromium-") as profile:
                            ctx = launch(pw, Path(profile))
                            try:
                                page = open_page(ctx, server.url, rate, FAST_4G)
                                setup, first, later = ours_rounds(page, codes[name], labels, args, run * 10)
                                page.close()
                                if setup["extractorSha"] != served[name].sha256:
                                    raise RuntimeError(
                                        f"the {name} session serves {setup['extractorSha']}, not {served[name].path}"
                                    )
                                # CPU-bound: the model bytes come over loopback, unthrottled and untimed.
                                ex = extraction_in_page(ctx, server.url, name, args.extract_images, 1, rate)
                                if not ex["ok"]:
                                    raise RuntimeError(f"{name} extraction failed at {rate:g}×: {ex['error']}")
                            finally:
                                ctx.close()
                        results[(rate, name)].append((setup, first, later, ex))
                        say(
                            f"  run {run + 1}, CPU {rate:g}×, {name}: first {first['total']:,.0f} ms, "
                            f"later {median(r['total'] for r in later):,.0f} ms, extraction {ex['msPerImage']:,.1f} ms/photo, "
                            f"extractor download {setup['downloads']['extractor']['ms'] / 1000:,.1f} s"
                        )
    finally:
        server.stop()

    def download(runs, what: str) -> str:
        ms = median(setup["downloads"][what]["ms"] for setup, *_ in runs)
        n = runs[0][0]["downloads"][what]["bytes"]
        return f"{fmt_bytes(n)} in {ms / 1000:,.1f} s"

    say("")
    say(
        f"Issue 17 item 4 — phone class: CPU slowed down {', '.join(f'{r:g}×' for r in args.rates)} "
        "(Emulation.setCPUThrottlingRate), network Chrome DevTools' Fast 4G (9 Mbit/s down, 1.5 Mbit/s up, × 0.9; "
        "165 ms latency per request) during the downloads and the rounds; ms, median of runs:"
    )
    rows = []
    for (rate, name), runs in results.items():
        first = [r[1] for r in runs]
        later = [x for r in runs for x in r[2]]
        say_phases(f"{rate:g}× {name} first", first)
        say_phases(f"{rate:g}× {name} later", later)
        rows.append(
            [
                f"{rate:g}×",
                name,
                f"{med(first, 'total'):,.0f}",
                f"{med(later, 'total'):,.0f}",
                f"{median(r[3]['msPerImage'] for r in runs):,.1f}",
                download(runs, "extractor"),
                download(runs, "runtime"),
                download(runs, "head"),
            ]
        )
    say("")
    say(
        table(
            [
                "CPU slowdown",
                "extractor (as sessions serve it)",
                "first round (ms)",
                "later round (ms)",
                "extraction (ms/photo)",
                "first visit: extractor",
                "first visit: runtime (wasm)",
                "first visit: head's 4 files",
            ],
            rows,
        )
    )
    say(
        f"{args.photos} photos, {args.epochs} epochs, batch 16 ({results[next(iter(results))][0][1]['steps']} steps); "
        f"{args.later_rounds} later rounds per page, {args.pause:g} s apart; extraction: {args.extract_images} "
        f"preprocessed images, batch 1, after a warm-up image, in a fresh page at the same CPU slowdown; runs: {args.runs} "
        "(a fresh browser profile each: a first visit). Downloads: response bodies as they came (Resource Timing)."
    )
    common.say_machine_and_command(machine, browser=True, before=conditions(args))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--photos", type=int, default=20)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--later-rounds", type=int, default=4, help="rounds after the first, ours")
    ap.add_argument("--before-rounds", type=int, default=2, help="ours later rounds the way before: a session per click")
    ap.add_argument(
        "--pause", type=float, default=1.0, help="seconds before each later round of ours (a student reads the result)"
    )
    ap.add_argument("--seed-rounds", type=int, default=2, help="seed rounds per run (the first one pays the wasm start)")
    ap.add_argument("--no-int8", action="store_true", help="skip the int8 models (item 6)")
    ap.add_argument("--extraction-only", action="store_true", help="items 4 and 6 only: no contribution rounds")
    ap.add_argument(
        "--phone",
        action="store_true",
        help="issue 17 item 4 only: ours at each --rates CPU slowdown on a Fast 4G network, for each --extractors",
    )
    ap.add_argument("--rates", type=float, nargs="+", default=[1, 4, 6], help="--phone: CPU slowdowns (1: none)")
    ap.add_argument("--extractors", nargs="+", default=["float32", "int8"], choices=["float32", "int8"], help="--phone")
    ap.add_argument("--extract-images", type=int, default=20, help="--phone: images timed for ms/photo")
    ap.add_argument(
        "--keep-awake",
        action="store_true",
        help="idle cores poll instead of sleeping throughout (a PM QoS request of 0 µs; see bench/wakeup.py)",
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.runs, args.photos, args.epochs, args.later_rounds, args.before_rounds, args.seed_rounds = 1, 4, 1, 1, 1, 1
        args.pause = 0.0
        args.no_int8 = True  # item 6's models are bench/quantize.py's; the quick run only keeps the code path alive
        args.rates, args.extractors, args.extract_images = [4], ["int8"], 2  # --phone: one rate, the smaller download
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    if not (common.DIST / "index.html").is_file():
        raise SystemExit("the web client is not built: (cd webclient && npm ci) && python scripts/bundle_webclient.py")
    with common.cores_kept_awake(args.keep_awake):
        return phone(args, common.Machine.now()) if args.phone else measure(args, common.Machine.now())


def conditions(args) -> str:
    """What the machine line must say about how these figures were measured."""
    return "Cores kept awake: idle cores polled instead of sleeping (PM QoS 0 µs, bench/common.py). " if args.keep_awake else ""


def measure(args, machine: common.Machine) -> int:
    """Items 1, 4 and 6 (the default mode)."""

    from extraction import native_ms_per_image, sample_inputs
    from playwright.sync_api import sync_playwright
    from seed import SeedServer, make_seed_blueprint

    from influx_desktop.models.backbones import get_backbone
    from influx_desktop.models.features import FeatureExtractor

    fp32 = common.model_cache().feature_extractor("efficientnet_lite0", pretrained=True).path
    models = {
        "float32": fp32,
        "float32-map": common.model_cache().feature_extractor("efficientnet_lite0", pretrained=True, feature_map=True).path,
    }
    if not args.no_int8:
        from quantize import quantised_models

        short = {
            "int8 dynamic": "int8-dynamic",
            "int8 static, Fashion-MNIST calibration": "int8-static-fm",
            "int8 static, synthetic calibration": "int8-static-synthetic",
        }
        models.update({short[name]: p for name, p in quantised_models(fp32, args.quick).items()})
    n_extract = 2 if args.quick else 20
    passes = 1 if args.quick else 3
    inputs = sample_inputs(n_extract)
    pngs, labels = photos(args.photos)
    blueprints = [make_bench_blueprint(pngs, inputs.astype("<f4").tobytes(), {k: v for k, v in models.items()})]
    if not args.extraction_only:
        say("Building the seed baseline…")
        seed_server = SeedServer(common.scratch_dir("seed-browser"), len(CLASS_IDS), quick=args.quick)
        blueprints.append(make_seed_blueprint(seed_server))
    server = common.start_fl_server(
        common.scratch_dir("browser"), model_cache=common.model_cache(), webclient_dir=common.DIST, extra_blueprints=blueprints
    )
    mnv2 = get_backbone("mobilenet_v2").describe()
    ours_first, ours_later, ours_before, seed_first, seed_later = [], [], [], [], []
    extraction: dict[str, list] = {k: [] for k in models}
    pairs: list[dict] = []
    try:
        admin = server.admin()
        session = admin.create_session(session_settings(args.epochs))
        admin.start(session["id"])
        with sync_playwright() as pw:
            for run in range(args.runs):
                with tempfile.TemporaryDirectory(prefix="influx-bench-chromium-") as profile:
                    ctx = launch(pw, Path(profile))
                    try:
                        if not args.extraction_only:
                            # Ours: a fresh page, first round then later rounds.
                            page = open_page(ctx, server.url)
                            _, first, later = ours_rounds(page, session["join_code"], labels, args, run * 10)
                            ours_first.append(first)
                            ours_later.extend(later)
                            for k in range(args.before_rounds):
                                page.wait_for_timeout(args.pause * 1000)
                                ours_before.append(page.evaluate("(s) => bench.ours.roundBefore(s)", run * 10 + k + 1))
                            page.close()
                            # The seed: a fresh page too.
                            page = open_page(ctx, server.url)
                            page.evaluate("([n, l]) => bench.seed.setup(n, l)", [args.photos, labels])
                            for k in range(args.seed_rounds):
                                r = page.evaluate(
                                    "([s, b, e, bs]) => bench.seed.round(s, b, e, bs)", [run * 10 + k, mnv2, args.epochs, 16]
                                )
                                (seed_first if k == 0 else seed_later).append(r)
                            page.close()
                        # Items 4 and 6: extraction speed, each model in a fresh page.
                        for name in models:
                            extraction[name].append(extraction_in_page(ctx, server.url, name, n_extract, passes))
                        page = open_page(ctx, server.url)
                        pairs.append(
                            page.evaluate(
                                "([m, n, s, p]) => bench.extractionPair(m, '/bench/inputs.f32', n, s, p)",
                                [
                                    ["/bench/models/float32", "/bench/models/float32-map", "/bench/models/float32-map#map"],
                                    n_extract,
                                    224,
                                    passes,
                                ],
                            )
                        )
                        page.close()
                    finally:
                        ctx.close()
                say(
                    f"  run {run + 1}: "
                    + (
                        ""
                        if args.extraction_only
                        else f"ours first {ours_first[-1]['total']:.0f} ms, later {ours_later[-1]['total']:.1f} ms"
                        + (f" (session per click {ours_before[-1]['total']:.0f} ms)" if ours_before else "")
                        + "; "
                        f"seed first {seed_first[-1]['total']:.0f} ms"
                        + (f", later {seed_later[-1]['total']:.0f} ms" if seed_later else "")
                        + "; "
                    )
                    + "extraction "
                    + ", ".join(
                        f"{k} {v[-1]['msPerImage']:.1f} ms" if v[-1]["ok"] else f"{k} FAILED" for k, v in extraction.items()
                    )
                )
    finally:
        server.stop()

    # ---------------------------------------------------------------- item 1
    if not args.extraction_only:
        say("")
        say(
            "Item 1 — contribution time (ms, median of runs; phases: extract | fetch (the task; the model only when the task names a version not held) | session "
            "(take the prepared one, load the global parameters) | train | send; prepared: off the click path):"
        )
        for title, rows in (
            ("ours first", ours_first),
            ("ours later", ours_later),
            ("ours later, session per click (before)", ours_before),
            ("seed first", seed_first),
            ("seed later", seed_later),
        ):
            say_phases(title, rows)
        seed_all = seed_first + seed_later
        o1, ol, s1 = med(ours_first, "total"), med(ours_later, "total"), med(seed_first, "total")
        ob = med(ours_before, "total")
        sl = med(seed_later, "total") if seed_later else s1
        say("")
        say(
            table(
                ["round", "ours (ms)", "seed (ms)", "ratio seed ÷ ours"],
                [
                    ["first (fresh page: wasm start; ours also extracts features)", f"{o1:,.0f}", f"{s1:,.0f}", ratio(s1, o1)],
                    [
                        "later (wasm warm; ours' features cached, session prepared ahead)",
                        f"{ol:,.1f}",
                        f"{sl:,.0f}",
                        ratio(sl, ol),
                    ],
                    [
                        "later, ours the way before (a session created per click)",
                        f"{ob:,.1f}" if ours_before else "–",
                        f"{sl:,.0f}",
                        ratio(sl, ob) if ours_before else "–",
                    ],
                    [
                        "one training step, median (batch 16)",
                        f"{med(ours_later, 'train') / max(1, ours_later[0]['steps']):,.1f}" if ours_later else "–",
                        f"{med(seed_all, 'stepMedian'):,.0f}",
                        ratio(med(seed_all, "stepMedian"), med(ours_later, "train") / max(1, ours_later[0]["steps"]))
                        if ours_later
                        else "–",
                    ],
                ],
            )
        )
        say(
            f"{args.photos} photos, {args.epochs} epochs, batch 16 ({ours_first[0]['steps']} steps); runs: {args.runs}; "
            f"ours later rounds: {len(ours_later)} (and {len(ours_before)} the way before), seed later rounds: {len(seed_later)}."
            + (f" Later rounds, ours vs seed: {sl / ol:,.0f}× (target ≥ 250×, ≤ 40 ms)." if ours_later and seed_all else "")
        )

    # ---------------------------------------------------------------- items 4 and 6
    say("")
    say("Item 4/6 — feature extraction, ms/image, batch 1:")
    rows = []
    wasm_fp32 = median(r["msPerImage"] for r in extraction["float32"] if r["ok"])
    for name, path in models.items():
        ok = [r for r in extraction[name] if r["ok"]]
        n1 = native_ms_per_image(path, inputs, 1, passes)
        nall = native_ms_per_image(path, inputs, os.cpu_count() or 1, passes)
        if ok:
            wasm = median(r["msPerImage"] for r in ok)
            native_feat = FeatureExtractor(path).extract(inputs[:1])[0]
            wasm_feat = np.asarray(ok[0]["first"], np.float32)
            diff = float(np.max(np.abs(wasm_feat - native_feat)))
            cos = float(wasm_feat @ native_feat / (np.linalg.norm(wasm_feat) * np.linalg.norm(native_feat) + 1e-12))
            rows.append(
                [
                    name,
                    f"{path.stat().st_size:,}",
                    "yes",
                    f"{wasm:.1f}",
                    f"{median(r['createMs'] for r in ok):,.0f}",
                    f"{n1:.1f}",
                    ratio(wasm, n1),
                    f"{nall:.1f}",
                    ratio(wasm, nall),
                    f"{diff:.1e} (cosine {cos:.4f})",
                    ratio(wasm_fp32, wasm) if name != "float32" else "1",
                ]
            )
        else:
            err = extraction[name][0]["error"][:120]
            rows.append(
                [name, f"{path.stat().st_size:,}", f"no: {err}", "–", "–", f"{n1:.1f}", "–", f"{nall:.1f}", "–", "–", "–"]
            )
    say(
        table(
            [
                "model",
                "bytes",
                "runs in ORT-web 1.19.2",
                "Chromium wasm ms/image",
                "wasm session create ms",
                "native 1 thread ms/image",
                "wasm ÷ native(1)",
                f"native {os.cpu_count()} threads ms/image",
                f"wasm ÷ native({os.cpu_count()})",
                "max |wasm − native| feature (image 1)",
                "speed vs float32 in wasm",
            ],
            rows,
        )
    )
    pairs_ok = [r for r in pairs if r["ok"]]
    if pairs_ok:
        before, features_only, with_map = (median(r["msPerImage"][m] for r in pairs_ok) for m in range(3))
        same = all(r["first"][0] == r["first"][m] for r in pairs_ok for m in (1, 2))
        say(
            f"Issue 16, Chromium wasm ms/image, the three in one page taking turns: before (float32) {before:.1f}; "
            f"float32-map fetching the features alone (preparing a photo) {features_only:.1f} "
            f"({(features_only / before - 1) * 100:+.1f} %); float32-map fetching features and map from one run "
            f"('Why?', 'Try it') {with_map:.1f} ({(with_map / before - 1) * 100:+.1f} %); median of {len(pairs_ok)} "
            f"page(s); pooled features of image 1 {'identical' if same else 'DIFFERENT'}; bytes "
            f"{models['float32'].stat().st_size:,} -> {models['float32-map'].stat().st_size:,}."
        )
    elif pairs:
        say(f"Issue 16 pair: FAILED {pairs[0]['error'][:200]}")
    say(f"{n_extract} images, median of {passes} passes per run and of {args.runs} run(s).")
    common.say_machine_and_command(machine, browser=True, before=conditions(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
