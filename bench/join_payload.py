"""Item 3 — join payload: bytes a new participant downloads before it can train, first and second visit.

Ours: the real server serving the built web client (influx_desktop/webclient_dist) and a running
session, on 127.0.0.1. A first visit is replayed request by request as a browser makes it, with
``Accept-Encoding: gzip``: the page, every module it imports (followed through the import graph), the
ONNX Runtime files under ``vendor/``, then join, task manifest, global model and the five artifacts
(feature extractor + the head's training, eval and optimizer models and checkpoint). Counted: response
bodies as they arrive on the wire (compressed where the server compresses; urllib does not decode).
A second visit follows the headers the server actually sent: ``immutable`` files are not requested
again, ``no-cache`` files are revalidated with ``If-None-Match`` (a 304 has no body), ``no-store``
answers (task, model) are fetched again.

Baseline: the seed's files as it serves them (uncompressed): ONNX Runtime Web's training build
(``ort.training.wasm.min.mjs`` + ``ort-training-wasm-simd-threaded.{mjs,wasm}``) and the training
artifacts of the full MobileNetV2 with K classes (bench/seed.py). Because the seed regenerates its
artifacts after every update, a second visit downloads all four again; the runtime files are counted
as cached then (generous to the baseline). The seed's own page and scripts are not counted at all.

Issue 16, before and after: the same first and second visits to a session prepared before issue 16 (its
stored feature extractor is the file without the feature map output, as such sessions keep it) and to a new
session (the extractor with the map). Same server, same web client, a fresh browser cache for each.

    python bench/join_payload.py [--quick]
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import fmt_bytes, ratio, say, table  # noqa: E402

CLASSES = ["t-shirt", "trouser", "sneaker", "bag"]
_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}/[^'"]+)['"]""")
_HTML_REF = re.compile(r"""(?:src|href)\s*=\s*["']([^"'#?]+)["']""")


class Browser:
    """Just enough of a browser's HTTP cache to replay two visits faithfully."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.cache: dict[str, dict] = {}  # url -> {"etag", "cache_control", "body"}
        self.log: list[tuple[str, int, int]] = []  # (url, status, body bytes)

    def get(
        self, url: str, token: str | None = None, method: str = "GET", body: bytes | None = None, content_type: str | None = None
    ) -> bytes:
        entry = self.cache.get(url)
        if entry and "immutable" in entry["cache_control"]:
            self.log.append((url, 0, 0))  # served from the browser cache, no request
            return entry["body"]
        headers = {"Accept-Encoding": "gzip, deflate, br"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if content_type:
            headers["Content-Type"] = content_type
        if entry and entry.get("etag") and "no-store" not in entry["cache_control"]:
            headers["If-None-Match"] = entry["etag"]
        status, data, h = self.send(method, url, body, headers)
        if status >= 300 and status != 304:
            raise RuntimeError(f"{method} {url}: HTTP {status} {data[:200]!r}")
        self.log.append((url, status, len(data)))
        if status == 304:
            return entry["body"]
        plain = gzip.decompress(data) if h.get("Content-Encoding") == "gzip" else data
        cc = h.get("Cache-Control", "")
        if method == "GET" and "no-store" not in cc:
            self.cache[url] = {"etag": h.get("ETag"), "cache_control": cc, "body": plain}
        return plain

    def send(self, method: str, url: str, body: bytes | None, headers: dict) -> tuple[int, bytes, Mapping[str, str]]:
        """One request on the wire: its status, its body as it came (compressed or not) and its headers."""
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=120) as resp:
                return resp.status, resp.read(), resp.headers
        except urllib.error.HTTPError as exc:  # a 304 among them
            return exc.code, exc.read(), exc.headers

    def total(self, start: int = 0) -> int:
        return sum(n for _, _, n in self.log[start:])


def visit(browser: Browser, base: str, join_code: str | None, token: str | None) -> str:
    """Load the app (following its imports), join if needed, then task, model and artifacts."""
    import json

    seen: set[str] = set()
    pending = [base + "/"]
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        text = browser.get(url)
        path = urlsplit(url).path
        if path.endswith("/") or path.endswith(".html"):
            refs = [
                r for r in _HTML_REF.findall(text.decode("utf-8", "replace")) if not r.startswith(("http:", "https:", "data:"))
            ]
        elif path.endswith((".js", ".mjs")):
            refs = _IMPORT.findall(text.decode("utf-8", "replace"))
        else:
            refs = []
        pending.extend(urljoin(url, r) for r in refs)
    # ONNX Runtime loads its wasm loader and binary from ort.env.wasm.wasmPaths (the vendor folder).
    vendor = [u for u in seen if "/vendor/" in u]
    if vendor:
        folder = vendor[0].rsplit("/", 1)[0] + "/"
        for name in ("ort-training-wasm-simd-threaded.mjs", "ort-training-wasm-simd-threaded.wasm"):
            if folder + name not in seen:
                browser.get(folder + name)
    if token is None:
        joined = json.loads(
            browser.get(
                base + "/api/v1/join",
                method="POST",
                content_type="application/json",
                body=json.dumps({"join_code": join_code, "nickname": "bench"}).encode(),
            )
        )
        token = joined["token"]
    task = json.loads(browser.get(base + "/api/v1/task", token=token))
    browser.get(base + "/api/v1/model", token=token)
    for role in ("feature_extractor", "training_model", "eval_model", "optimizer_model", "checkpoint"):
        browser.get(base + task["artifacts"][role]["url"], token=token)
    return token


def prepared_before_issue_16(server, session_id: int) -> None:
    """Make a session's stored feature extractor the file without the feature map, as a session prepared
    before issue 16 keeps it (``Sessions.prepare_models`` serves what is stored)."""
    import json

    base = server.coordinator.models.feature_extractor("efficientnet_lite0", pretrained=True)
    with server.coordinator.store.transaction() as db:
        row = db.execute("SELECT artifacts FROM sessions WHERE id=?", (session_id,)).fetchone()
        stored = json.loads(row["artifacts"])
        stored["feature_extractor"] = {"url": f"/api/v1/artifacts/{base.sha256}", "sha256": base.sha256, "bytes": base.bytes}
        db.execute("UPDATE sessions SET artifacts=? WHERE id=?", (json.dumps(stored), session_id))


def ours(quick: bool) -> dict[str, tuple[int, int, list]]:
    """``{"before": (first, second, log), "after": (...)}``: a session as prepared before issue 16, a new one."""
    if not (common.DIST / "index.html").is_file():
        raise SystemExit("the web client is not built: (cd webclient && npm ci) && python scripts/bundle_webclient.py")
    server = common.start_fl_server(common.scratch_dir("join"), model_cache=common.model_cache(), webclient_dir=common.DIST)
    out = {}
    try:
        admin = server.admin()
        for variant in ("before", "after"):
            session = admin.create_session({"title": f"Bench ({variant})", "classes": CLASSES})
            if variant == "before":
                server.coordinator.prepare_models(session["id"])
                prepared_before_issue_16(server, session["id"])
            admin.start(session["id"])
            browser = Browser()
            token = visit(browser, server.url, session["join_code"], None)
            first = browser.total()
            mark = len(browser.log)
            visit(browser, server.url, None, token)
            out[variant] = (first, browser.total(mark), browser.log)
        return out
    finally:
        server.stop()


def seed_files(quick: bool) -> tuple[int, int, dict]:
    from seed import SeedServer

    ort_dir = common.DIST / "vendor" / "onnxruntime-web-1.19.2"
    if not ort_dir.is_dir():
        ort_dir = common.REPO / "webclient" / "node_modules" / "onnxruntime-web" / "dist"
    runtime = {
        n: (ort_dir / n).stat().st_size
        for n in ("ort.training.wasm.min.mjs", "ort-training-wasm-simd-threaded.mjs", "ort-training-wasm-simd-threaded.wasm")
    }
    seed = SeedServer(common.scratch_dir("seed-join"), len(CLASSES), quick=quick)
    artifacts = seed.file_bytes()
    first = sum(runtime.values()) + sum(artifacts.values())
    second = sum(artifacts.values())
    return first, second, {**runtime, **artifacts}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny stand-in for the seed's MobileNetV2 graph")
    args = ap.parse_args(argv)
    machine = common.Machine.now()
    visits = ours(args.quick)
    o_first, o_second, log = visits["after"]
    s_first, s_second, s_files = seed_files(args.quick)
    say("Ours, request by request (status 0 = browser cache, no request):")
    for url, status, n in log:
        say(f"  {status:3d} {n:>12,d}  {urlsplit(url).path[:90]}")
    say("Seed files: " + ", ".join(f"{k} {v:,}" for k, v in s_files.items()))
    say("")
    say(
        table(
            ["visit", "ours (as served)", "seed (as served)", "ratio"],
            [
                [
                    "first",
                    f"{fmt_bytes(o_first)} ({o_first:,} B)",
                    f"{fmt_bytes(s_first)} ({s_first:,} B)",
                    ratio(s_first, o_first),
                ],
                [
                    "second",
                    f"{fmt_bytes(o_second)} ({o_second:,} B)",
                    f"{fmt_bytes(s_second)} ({s_second:,} B)",
                    ratio(s_second, o_second),
                ],
            ],
        )
    )
    if args.quick:
        say("(quick: the seed column is a tiny stand-in graph, not MobileNetV2)")
    say("")
    say("Issue 16 — the feature map output, before and after (ours, as served):")
    b_first, b_second, _ = visits["before"]
    say(
        table(
            ["visit", "before: session prepared before issue 16", "after: new session (extractor with feature map)", "change"],
            [
                [name, f"{b:,} B", f"{a:,} B", f"{a - b:+,} B ({(a / b - 1) * 100:+.3f} %)"]
                for name, b, a in (("first", b_first, o_first), ("second", b_second, o_second))
            ],
        )
    )
    say("")
    common.say_machine_and_command(machine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
