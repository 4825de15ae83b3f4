"""Load: N simulated participants × U updates each over HTTP to waitress on 127.0.0.1, plus B real headless
Chromium participants at the same time. Reports errors, lost updates, latency percentiles and the server
process's peak memory.

    python bench/load.py                       # 100 × 10 + 5 Chromium participants (docs/reliability.md)
    python bench/load.py --quick               # 10 × 3, no browser (what CI runs)
    python bench/load.py --participants 50 --updates 20 --browsers 0 --json out.json

The server is a child process (``python bench/load.py _serve ...``) running the same app, waitress
runner and thread count as ``influx-desktop serve``, with one difference: rate limits are off, because
every simulated participant comes from 127.0.0.1 (in a classroom each phone has its own address, and the
per-address limits would throttle this benchmark, not the server). Its peak RSS is the kernel's VmHWM.

Simulated participants do what the browser does on the wire: join, read the task, then per update fetch
the model and post the new parameters (current + small noise; the benchmark measures the server, so no
local training burns the CPU the server needs). The session uses FedAsync with a staleness limit high
enough that 100 concurrent participants are never refused as stale. Lost updates: acknowledged with
HTTP 200 but not stored exactly once, with the bytes sent, as applied (checked in the database after
the server has stopped). Everything binds and talks to 127.0.0.1 only; counts and time are bounded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

MAX_PARTICIPANTS = 500
MAX_UPDATES = 100
MAX_BROWSERS = 10
#: Trouser, bag, sneaker (Fashion-MNIST ids): the browser tests' classes, so real photos make sense.
CLASS_IDS = [1, 8, 7]
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# ------------------------------------------------------------------------------------------ server child


def serve_child(args) -> int:
    """The benchmark's server: Coordinator + create_app + ServerThread, as `serve` builds them."""
    from influx_desktop.coordinator import Coordinator
    from influx_desktop.models.cache import ModelCache
    from influx_desktop.server.app import create_app
    from influx_desktop.server.limits import RateLimits
    from influx_desktop.server.runner import ServerThread

    coordinator = Coordinator(Path(args.data_dir), model_cache=ModelCache(args.model_cache))
    settings = json.loads(args.settings)
    session = coordinator.create_session(settings)
    coordinator.start_or_resume(session["id"])
    server = ServerThread(create_app(coordinator, "bench-admin", limits=RateLimits(0, 0, 0)), "127.0.0.1", 0).start()
    print(f"url: {server.url}", flush=True)
    print(f"session: {session['id']}", flush=True)
    print(f"join code: {session['join_code']}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    server.stop()
    coordinator.close()
    return 0


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ------------------------------------------------------------------------------------------ HTTP


def _http(method: str, url: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 120.0):
    assert url.startswith("http://127.0.0.1:"), url
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with NO_PROXY.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers, exc.read()


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"update": [], "model": [], "other": []})
    errors: list[str] = field(default_factory=list)
    acknowledged: list[tuple[int, str]] = field(default_factory=list)  # (update id, sha256 of the bytes sent)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, method: str, url: str, **kwargs):
        started = time.perf_counter()
        try:
            result = _http(method, url, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            with self.lock:
                self.errors.append(f"{method} {url.split('/api/v1/')[-1]}: {type(exc).__name__}: {exc}")
            return None
        with self.lock:
            self.latencies[kind].append(time.perf_counter() - started)
            if result[0] >= 300:
                self.errors.append(f"{method} {url.split('/api/v1/')[-1]}: HTTP {result[0]} {result[2][:200]!r}")
        return result


def simulated_participant(index: int, url: str, join_code: str, updates: int, stats: Stats, deadline: float) -> None:
    rng = np.random.default_rng(index)
    joined = stats.timed(
        "other",
        "POST",
        f"{url}/api/v1/join",
        body=json.dumps({"join_code": join_code, "nickname": f"sim{index}"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    if joined is None or joined[0] != 200:
        return
    auth = {"Authorization": f"Bearer {json.loads(joined[2])['token']}"}
    if stats.timed("other", "GET", f"{url}/api/v1/task", headers=auth) is None:
        return
    for _ in range(updates):
        if time.monotonic() > deadline:
            with stats.lock:
                stats.errors.append(f"sim{index}: out of time")
            return
        model = stats.timed("model", "GET", f"{url}/api/v1/model", headers=auth)
        if model is None or model[0] != 200:
            continue
        current = np.frombuffer(model[2], dtype="<f4")
        sent = (current + rng.normal(0, 0.01, current.size)).astype("<f4").tobytes()
        posted = stats.timed(
            "update",
            "POST",
            f"{url}/api/v1/updates",
            body=sent,
            headers={
                **auth,
                "Content-Type": "application/octet-stream",
                "X-Base-Version": model[1]["X-Model-Version"],
                "X-Sample-Count": "16",
            },
        )
        if posted is not None and posted[0] == 200:
            with stats.lock:
                stats.acknowledged.append((json.loads(posted[2])["update_id"], hashlib.sha256(sent).hexdigest()))


# ------------------------------------------------------------------------------------------ browsers


def browser_participants(count: int, url: str, join_code: str, work: Path, results: dict, deadline: float) -> None:
    """``count`` Chromium pages: join, add photos, confirm labels, train in wasm and send — all at once."""
    try:
        sys.path.insert(0, str(REPO / "tests" / "browser"))
        import harness
        from playwright.sync_api import sync_playwright

        started = time.monotonic()
        with sync_playwright() as playwright:
            browser = harness.launch_chromium(playwright)
            pages = []
            for i in range(count):
                context = browser.new_context(viewport={"width": 360, "height": 740})
                page = context.new_page()
                page.on("pageerror", lambda e, i=i: results["errors"].append(f"browser {i}: {e}"))
                page.goto(f"{url}/?join={join_code}&profile=bench{i}")
                pages.append(page)
            photos = []
            for i, page in enumerate(pages):
                page.wait_for_selector("#task-view:not([hidden])", timeout=60_000)
                files = harness.write_pngs(work / f"photos{i}", "train", per_class=4, seed=100 + i, ids=CLASS_IDS)
                page.set_input_files("#add-photos", [str(p) for p, _ in files])
                photos.append({p.name: cls for p, cls in files})
            timeout_ms = max(1000, int((deadline - time.monotonic()) * 1000))
            for page, truth in zip(pages, photos):
                page.wait_for_function(harness.FEATURES_READY, arg=len(truth), timeout=timeout_ms)
                cards = page.locator("#train-grid fl-image-card[data-confirmed=false]")
                for _ in range(cards.count()):
                    card = cards.first
                    name = card.get_attribute("data-name")
                    card.locator("select").select_option(truth[name])  # the true label, through the UI
                    page.wait_for_selector(f'fl-image-card[data-name="{name}"][data-confirmed=true]')
            for page in pages:  # start every training before waiting for any
                page.click("button[data-tab=train]")
                page.wait_for_selector("#train-button:not([disabled])", timeout=60_000)
                page.click("#train-button")
            for i, page in enumerate(pages):
                page.wait_for_function(
                    "() => document.querySelector('#train-result').textContent.length > 0",
                    timeout=max(1000, int((deadline - time.monotonic()) * 1000)),
                )
                text = page.inner_text("#train-result")
                (results["accepted"] if text.startswith("Accepted as version") else results["errors"]).append(
                    f"browser {i}: {text}"
                )
            results["seconds"] = time.monotonic() - started
            browser.close()
    except Exception as exc:  # noqa: BLE001 - reported, never hidden
        results["errors"].append(f"browsers: {type(exc).__name__}: {str(exc)[:500]}")


# ------------------------------------------------------------------------------------------ run


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q)) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--updates", type=int, default=10)
    parser.add_argument("--browsers", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="10 participants x 3 updates, no browser")
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds for the whole load phase")
    parser.add_argument("--model-cache", type=Path, default=Path(tempfile.gettempdir()) / "influx-bench-model-cache")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    sub = parser.add_subparsers(dest="command")
    child = sub.add_parser("_serve")
    child.add_argument("--data-dir", required=True)
    child.add_argument("--model-cache", required=True)
    child.add_argument("--settings", required=True)
    args = parser.parse_args(argv)
    if args.command == "_serve":
        return serve_child(args)
    if args.quick:
        args.participants, args.updates, args.browsers = 10, 3, 0
    result = load(args.participants, args.updates, args.browsers, args.time_limit, args.model_cache)
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0 if result["errors"] == 0 and result["lost_updates"] == 0 else 1


def load(participants: int, updates: int, browsers: int, time_limit: float, model_cache: Path) -> dict:
    participants = max(1, min(participants, MAX_PARTICIPANTS))
    updates = max(1, min(updates, MAX_UPDATES))
    browsers = max(0, min(browsers, MAX_BROWSERS))
    sys.path.insert(0, str(REPO / "tests"))
    from fashion_mnist import CLASS_NAMES

    from influx_desktop.coordinator import Coordinator
    from influx_desktop.models.cache import ModelCache

    classes = [CLASS_NAMES[i] for i in CLASS_IDS]
    settings = {"title": "Load", "classes": classes, "aggregator": "fedasync", "max_staleness": 100_000}
    work = Path(tempfile.mkdtemp(prefix="influx-load-"))
    data_dir = work / "data"
    data_dir.mkdir()
    model_cache.mkdir(parents=True, exist_ok=True)
    ModelCache(model_cache)  # create its layout before the child uses it
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    server = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "_serve",
            "--data-dir",
            str(data_dir),
            "--model-cache",
            str(model_cache),
            "--settings",
            json.dumps(settings),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    info: dict[str, str] = {}
    while "join code" not in info:
        line = server.stdout.readline()
        if not line:
            raise RuntimeError(f"the benchmark server did not start: {server.stderr.read()[-3000:]}")
        if ": " in line:
            key, _, value = line.strip().partition(": ")
            info[key] = value
    threading.Thread(target=server.stdout.read, daemon=True).start()
    threading.Thread(target=server.stderr.read, daemon=True).start()
    url, join_code, sid = info["url"], info["join code"], int(info["session"])
    assert url.startswith("http://127.0.0.1:"), url
    baseline_rss = _peak_rss_mb(server.pid)

    stats = Stats()
    browser_results: dict = {"accepted": [], "errors": [], "seconds": None}
    deadline = time.monotonic() + time_limit
    started = time.perf_counter()
    threads = [
        threading.Thread(target=simulated_participant, args=(i, url, join_code, updates, stats, deadline), daemon=True)
        for i in range(participants)
    ]
    if browsers:
        threads.append(
            threading.Thread(
                target=browser_participants, daemon=True, args=(browsers, url, join_code, work, browser_results, deadline)
            )
        )
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()) + 30)
    wall = time.perf_counter() - started
    peak_rss = _peak_rss_mb(server.pid)
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
    hung = sum(t.is_alive() for t in threads)

    coordinator = Coordinator(data_dir, model_cache=ModelCache(model_cache))
    try:
        rows = {
            r["id"]: r for r in coordinator.store.query("SELECT id, status, parameters FROM updates WHERE session_id=?", (sid,))
        }
        version = coordinator.current_version(sid)
    finally:
        coordinator.close()
    acked_ids = [i for i, _ in stats.acknowledged]
    lost = sum(
        1
        for i, sha in stats.acknowledged
        if i not in rows or rows[i]["status"] != "applied" or hashlib.sha256(rows[i]["parameters"]).hexdigest() != sha
    )
    lost += len(acked_ids) - len(set(acked_ids))
    expected = participants * updates
    errors = len(stats.errors) + len(browser_results["errors"]) + hung + (expected - len(stats.acknowledged))
    everything = [x for v in stats.latencies.values() for x in v]
    return {
        "command": " ".join(
            ["python bench/load.py", f"--participants {participants}", f"--updates {updates}", f"--browsers {browsers}"]
        ),
        "participants": participants,
        "updates_each": updates,
        "browsers": browsers,
        "acknowledged_updates": len(stats.acknowledged),
        "expected_updates": expected,
        "browser_updates_accepted": len(browser_results["accepted"]),
        "stored_updates": sum(1 for r in rows.values() if r["status"] == "applied"),
        "final_version": version,
        "errors": errors,
        "error_samples": (stats.errors + browser_results["errors"])[:10],
        "lost_updates": lost,
        "update_latency_ms": {
            "p50": _percentile(stats.latencies["update"], 50),
            "p99": _percentile(stats.latencies["update"], 99),
            "max": _percentile(stats.latencies["update"], 100),
        },
        "model_latency_ms": {"p50": _percentile(stats.latencies["model"], 50), "p99": _percentile(stats.latencies["model"], 99)},
        "all_requests_latency_ms": {"p50": _percentile(everything, 50), "p99": _percentile(everything, 99)},
        "requests": len(everything),
        "wall_seconds": round(wall, 2),
        "browser_seconds": browser_results["seconds"],
        "server_rss_mb": {"after_start": round(baseline_rss, 1), "peak": round(peak_rss, 1)},
        "cpus": os.cpu_count(),
    }


if __name__ == "__main__":
    sys.exit(main())
