"""Item 2 — server update handling: updates/s and p50/p99 latency at 1, 10 and 50 concurrent participants.

Ours: the real server (create_app + waitress, 8 threads, rate limits off) on 127.0.0.1; each simulated
participant posts its head's raw float32 parameters (K = 4 classes: 5,124 floats, 20 kB) to
``POST /api/v1/updates`` with FedAsync aggregating every one, each update stored in SQLite before the
answer. Baseline: the seed's way (bench/seed.py) under the same waitress settings — a JSON float list
body, and inside the request the ONNX model is rewritten with the new classifier and the ORT training
artifacts of the whole MobileNetV2 are regenerated.

The participants run in a separate process (threads, one per participant, a new connection per request
like urllib's), so the load generator does not share the server's GIL. Each run: every participant
posts its share back to back; latency is request-to-answer; updates/s is the run's total over its wall
time. Figures are the median over ``--runs`` runs.

    python bench/updates.py            # full: MobileNetV2 baseline, 3 runs
    python bench/updates.py --quick    # seconds: tiny baseline graph, 1 run, 1 and 4 participants
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import median, percentile, ratio, say, table  # noqa: E402

CLASSES = ["t-shirt", "trouser", "sneaker", "bag"]


# ---------------------------------------------------------------------- load generator (child process)


def _post(opener, url: str, body: bytes, headers: dict) -> tuple[float, int, dict]:
    req = urllib.request.Request(url, data=body, method="POST", headers=headers)
    t0 = time.perf_counter()
    with opener.open(req, timeout=600) as resp:
        answer = json.loads(resp.read())
        return time.perf_counter() - t0, resp.status, answer


def _participant(kind, url, token, body, per_participant, barrier, out, lock):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    base = 0
    barrier.wait()
    for _ in range(per_participant):
        if kind == "ours":
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/octet-stream",
                "X-Base-Version": str(base),
                "X-Sample-Count": "20",
            }
            data = body
        else:
            headers = {"Content-Type": "application/json"}
            data = body.replace(b'"base_version": 0', f'"base_version": {base}'.encode())
        try:
            seconds, status, answer = _post(opener, url, data, headers)
            base = answer["version"]
            with lock:
                out.append((seconds, status))
        except Exception as exc:  # a refused or failed update counts, visibly
            with lock:
                out.append((float("nan"), repr(exc)[:200]))


def run_load(kind: str, url: str, tokens: list, body: bytes, per_participant: int, result_queue) -> None:
    """Child process: one thread per participant; puts (wall seconds, [(latency, status)])."""
    out: list = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(tokens) + 1)
    threads = [
        threading.Thread(target=_participant, args=(kind, url, t, body, per_participant, barrier, out, lock), daemon=True)
        for t in tokens
    ]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join(1800)
    result_queue.put((time.perf_counter() - t0, out))


def measure(kind: str, url: str, tokens: list, body: bytes, per_participant: int) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=run_load, args=(kind, url, tokens, body, per_participant, q))
    proc.start()
    wall, samples = q.get(timeout=3600)
    proc.join(60)
    latencies = [s for s, status in samples if status == 200]
    failures = [status for s, status in samples if status != 200]
    if failures:
        raise RuntimeError(f"{kind}: {len(failures)} updates failed, e.g. {failures[0]}")
    return {
        "wall": wall,
        "n": len(latencies),
        "rate": len(latencies) / wall,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
    }


# ---------------------------------------------------------------------- the two servers


def ours_setup(concurrency: int, workdir: Path):
    import numpy as np
    from participant_sim import HttpClient

    server = common.start_fl_server(workdir, model_cache=common.model_cache())
    admin = server.admin()
    session = admin.create_session(
        {"title": "Bench", "classes": CLASSES, "aggregator": "fedasync", "max_staleness": 100000, "max_update_norm": 1e9}
    )
    admin.start(session["id"])
    tokens = []
    for i in range(concurrency):
        client = HttpClient(server.url, None)
        joined = client.call_json("POST", "/api/v1/join", {"join_code": session["join_code"], "nickname": f"p{i}"}, token=None)
        tokens.append(joined["token"])
    _, params = server.coordinator.parameters(session["id"])
    body = (params + np.random.default_rng(0).normal(0, 0.01, params.shape)).astype("<f4").tobytes()
    return server, server.url + "/api/v1/updates", tokens, body


def seed_setup(seed_server):
    import numpy as np
    from seed import make_seed_app

    from influx_desktop.server.runner import ServerThread

    thread = ServerThread(make_seed_app(seed_server), common.HOST, 0, threads=8).start()
    params = seed_server.parameters() + np.random.default_rng(0).normal(0, 0.01, seed_server.parameter_count)
    body = json.dumps({"parameters": params.astype(np.float32).tolist(), "base_version": 0, "sample_count": 20}).encode()
    return thread, thread.url + "/seed/update", body


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a few seconds: tiny baseline graph, one run, 1 and 4 participants")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--concurrency", type=int, nargs="*", default=[1, 10, 50])
    args = ap.parse_args(argv)
    if args.quick:
        args.runs, args.concurrency = 1, [1, 4]
    machine = common.Machine.now()

    from seed import SeedServer

    say("Building the seed baseline (model export + first artifacts)…")
    seed_server = SeedServer(common.scratch_dir("seed"), len(CLASSES), quick=args.quick)
    say(f"  seed artifacts: {json.dumps(seed_server.file_bytes())}")

    rows = []
    results = {}
    for c in args.concurrency:
        # Enough updates for stable percentiles, bounded for the slow baseline.
        ours_each = max(4, 300 // c) if not args.quick else 5
        seed_each = max(1, 20 // c) if not args.quick else 2
        ours_runs, seed_runs = [], []
        for r in range(args.runs):
            server, url, tokens, body = ours_setup(c, common.scratch_dir("ours"))
            try:
                ours_runs.append(measure("ours", url, tokens, body, ours_each))
            finally:
                server.stop()
            thread, surl, sbody = seed_setup(seed_server)
            try:
                seed_runs.append(measure("seed", surl, [None] * c, sbody, seed_each))
            finally:
                thread.stop()
            say(
                f"  c={c} run {r + 1}: ours {ours_runs[-1]['rate']:.1f}/s p50 {ours_runs[-1]['p50'] * 1e3:.1f} ms; "
                f"seed {seed_runs[-1]['rate']:.2f}/s p50 {seed_runs[-1]['p50'] * 1e3:.0f} ms"
            )
        o = {k: median(run[k] for run in ours_runs) for k in ("rate", "p50", "p99")}
        s = {k: median(run[k] for run in seed_runs) for k in ("rate", "p50", "p99")}
        results[c] = {"ours": o, "seed": s, "ours_n": ours_runs[0]["n"], "seed_n": seed_runs[0]["n"]}
        rows.append(
            [
                c,
                f"{ours_runs[0]['n']} / {seed_runs[0]['n']}",
                f"{o['rate']:,.1f}",
                f"{s['rate']:,.2f}",
                ratio(o["rate"], s["rate"]),
                f"{o['p50'] * 1e3:,.1f}",
                f"{s['p50'] * 1e3:,.0f}",
                ratio(s["p50"], o["p50"]),
                f"{o['p99'] * 1e3:,.1f}",
                f"{s['p99'] * 1e3:,.0f}",
                ratio(s["p99"], o["p99"]),
            ]
        )

    say("")
    say(
        f"Update body: ours {len(CLASSES) * 1281 * 4:,} bytes raw float32; seed "
        f"{len(seed_setup_body_len(seed_server)):,} bytes JSON."
    )
    say(
        f"Seed per-update model rewrite + artifact regeneration, median {median(seed_server.regenerations) * 1e3:,.0f} ms "
        f"over {len(seed_server.regenerations)} updates."
    )
    say("")
    say(
        table(
            [
                "participants",
                "updates per run (ours / seed)",
                "ours updates/s",
                "seed updates/s",
                "ratio",
                "ours p50 ms",
                "seed p50 ms",
                "ratio",
                "ours p99 ms",
                "seed p99 ms",
                "ratio",
            ],
            rows,
        )
    )
    say("")
    common.say_machine_and_command(machine, before=f"Median of {args.runs} run(s). ")
    return 0


def seed_setup_body_len(seed_server) -> bytes:
    import numpy as np

    params = seed_server.parameters() + np.random.default_rng(0).normal(0, 0.01, seed_server.parameter_count)
    return json.dumps({"parameters": params.astype(np.float32).tolist(), "base_version": 0, "sample_count": 20}).encode()


if __name__ == "__main__":
    sys.exit(main())
