"""Issue 17, item 1 — join storm: a whole class opens the join link at once over one shaped classroom link.

The real server (``python -m influx_desktop serve`` with its defaults: rate limits, connection guards, the
built web client) runs in a network namespace of its own, bound to a private address on one end of a veth
pair (bench/shaped_link.py); the participants are threads in this process on the other end, one address
each (phones on a Wi-Fi each get one; ``--one-address`` puts the whole class behind one, as a NAT guest
network would). Each direction of the pair is shaped like a classroom Wi-Fi: tc netem delay (5 ms) with
a tbf child (50 Mbit/s), so everyone shares the same 50 Mbit/s. A kernel without netem gets the tbf
alone, and each participant waits the round trip itself, per request and per new connection.

Each participant fetches exactly what a browser fetches on a first visit: the request list of
bench/join_payload.py (recorded once against this server by its own ``visit``), in the order the web
client asks for it (webclient/src/app/participant_app.js: ``loadTask``, then ``prepareRuntime``):

1. the page and its modules (after the page, up to 6 at a time over keep-alive connections, like a
   browser), then join, task and model: the photo view is up and the participant can **add and label
   photos**;
2. then, in the background, the ONNX Runtime module, the feature extractor, the runtime's wasm and the
   head's four training files, one after the other: the participant can **train** (extract its photos'
   features and train the head).

All participants start together (a barrier). Printed: when the first, the median and the last participant
reached each point, the response bodies (as on the wire: compressed where the server compresses), and the
bytes that crossed the veth (Ethernet frames, both directions, retransmissions included), for the float32
and the int8 feature extractor; "downlink bytes at the rate" is the least time those bytes can take.

The namespace, the veth pair and its qdiscs are removed afterwards, also on Ctrl+C or SIGTERM, and the
server dies with the benchmark however it ends; leftovers of a run killed outright are removed by the
next. Needs root, ``ip`` and ``tc``.

    python bench/join_storm.py [--quick] [--participants 30] [--rate 50mbit] [--delay 5ms] [--one-address]
"""

from __future__ import annotations

import argparse
import ctypes
import http.client
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import join_payload  # noqa: E402
from common import fmt_bytes, median, say, table  # noqa: E402
from shaped_link import ShapedLink, connect_ms, rate_bits, remove_leftovers, signals_unwind  # noqa: E402

PORT = 8080
CLASSES = ["t-shirt", "trouser", "sneaker", "bag"]
#: A browser opens at most this many connections to one host (HTTP/1.1).
BROWSER_CONNECTIONS = 6
SERVER_START_SECONDS = 600  # a first start may export or quantise the backbone


# ---------------------------------------------------------------------- the server


def _die_with_parent() -> None:
    """In the child: SIGKILL when the benchmark dies, however it dies (prctl PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


class NamespacedServer:
    """``python -m influx_desktop serve`` inside the link's namespace, bound to its private address."""

    def __init__(self, link: ShapedLink, quantized: bool) -> None:
        self.data_dir = common.scratch_dir("join-storm")
        # The server's model cache is the benchmark cache: built models are found, not rebuilt.
        (self.data_dir / "models").symlink_to(common.model_cache().root, target_is_directory=True)
        config = self.data_dir / "session.json"
        config.write_text(json.dumps({"title": "Join storm", "classes": CLASSES, "quantized_backbone": quantized}))
        self.url = f"http://{link.server_address}:{PORT}"
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                link.ns,
                sys.executable,
                "-m",
                "influx_desktop",
                "serve",
                "--host",
                link.server_address,
                "--port",
                str(PORT),
                "--data-dir",
                str(self.data_dir),
                "--config",
                str(config),
            ],
            cwd=common.REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=_die_with_parent,
            env={**os.environ, "PYTHONPATH": str(common.REPO)},
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def wait_ready(self) -> str:
        """The session's join code, once the server says where it listens."""
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            code = next((ln.split(":", 1)[1].strip() for ln in self.lines if ln.startswith("join code:")), None)
            if code:
                return code
            if self.proc.poll() is not None:
                raise RuntimeError("the server stopped:\n" + "\n".join(self.lines[-20:]))
            time.sleep(0.1)
        raise RuntimeError("the server did not start:\n" + "\n".join(self.lines[-20:]))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        shutil.rmtree(self.data_dir, ignore_errors=True)  # unlinks the cache symlink, never follows it


# ---------------------------------------------------------------------- the request list


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    authorised: bool = False


@dataclass
class Visit:
    """A first visit in the order the web client makes it."""

    app: list[Request]  # page first, then its modules and styles
    join: Request
    task_and_model: list[Request]  # -> the participant can add and label photos
    runtime: list[Request]  # runtime module, extractor, wasm, head files -> the participant can train


class Recorder(join_payload.Browser):
    """join_payload's Browser, sending from the participants' side of the link, that notes each request
    ``visit`` makes and fetches only what ``visit`` reads (pages, modules, join, task); the big files are
    noted, not downloaded."""

    def __init__(self, base: str, source: str) -> None:
        super().__init__()
        self.base = base
        self.source = source
        self.requests: list[Request] = []
        self.task: dict | None = None

    def get(self, url: str, *args, **kwargs) -> bytes:
        plain = super().get(url, *args, **kwargs)
        if urlsplit(url).path == "/api/v1/task":
            self.task = json.loads(plain)
        return plain

    def send(self, method: str, url: str, body: bytes | None, headers: dict) -> tuple[int, bytes, Mapping[str, str]]:
        path = urlsplit(url).path
        self.requests.append(Request(method, path, body, "Authorization" in headers))
        if path.startswith("/api/v1/artifacts/") or path.endswith(".wasm") or path == "/api/v1/model":
            return 200, b"", {}
        conn = http.client.HTTPConnection(urlsplit(self.base).hostname, PORT, timeout=60, source_address=(self.source, 0))
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read(), resp.headers
        finally:
            conn.close()

    def visit(self) -> Visit:
        order = {r: i for i, r in enumerate(self.requests)}
        runtime_js = [r for r in self.requests if r.path.endswith("/ort_runtime.js") or "/vendor/" in r.path]
        loader = [r for r in runtime_js if r.path.endswith((".wasm", "-simd-threaded.mjs"))]  # fetched by ort's init
        roles = {urlsplit(a["url"]).path: role for role, a in self.task["artifacts"].items()}
        artifacts = [r for r in self.requests if r.path in roles]
        extractor = [r for r in artifacts if roles[r.path] == "feature_extractor"]
        head = [r for r in artifacts if roles[r.path] != "feature_extractor"]
        joins = [r for r in self.requests if r.path == "/api/v1/join"]
        app = [r for r in self.requests if not r.path.startswith("/api/") and r not in runtime_js]
        visit = Visit(
            app=sorted(app, key=order.get),
            join=joins[0],
            task_and_model=[r for r in self.requests if r.path in ("/api/v1/task", "/api/v1/model")],
            runtime=[r for r in runtime_js if r not in loader] + extractor + loader + head,
        )
        counted = len(visit.app) + 1 + len(visit.task_and_model) + len(visit.runtime)
        if counted != len(self.requests) or len(joins) != 1:
            raise RuntimeError(f"unexpected request list: {[r.path for r in self.requests]}")
        return visit


# ---------------------------------------------------------------------- participants


@dataclass
class Participant:
    index: int
    server: str
    source: str
    join_code: str
    photos_at: float | None = None
    photos_bytes: int = 0  # response bodies received until the participant could add photos
    train_at: float | None = None
    body_bytes: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    token: str | None = None
    round_trip: float = 0.0  # added per request and per new connection (its handshake) without netem
    _idle: queue.LifoQueue = field(default_factory=queue.LifoQueue)  # keep-alive connections not in use
    _opened: list[http.client.HTTPConnection] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _take_connection(self) -> http.client.HTTPConnection:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            conn = http.client.HTTPConnection(self.server, PORT, timeout=300, source_address=(self.source, 0))
            self._opened.append(conn)
            time.sleep(self.round_trip)  # TCP's handshake
            return conn

    def fetch(self, request: Request) -> bytes:
        headers = {"Accept-Encoding": "gzip, deflate"}  # what Chromium sends to a plain-http origin
        if request.authorised:
            headers["Authorization"] = f"Bearer {self.token}"
        body = request.body
        if request.path == "/api/v1/join":
            body = json.dumps({"join_code": self.join_code, "nickname": f"p{self.index}"}).encode()
            headers["Content-Type"] = "application/json"
        conn = self._take_connection()
        time.sleep(self.round_trip)  # the request's way up and the first byte's way down
        for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile: reconnect, once
            try:
                conn.request(request.method, request.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                time.sleep(self.round_trip)
                if attempt == 2:
                    raise
        self._idle.put(conn)
        with self._lock:  # the page's modules arrive on several connections at once
            self.requests += 1
            self.body_bytes += len(data)
            if resp.status != 200:
                self.errors.append(f"{request.method} {request.path}: HTTP {resp.status}")
        return data

    def run(self, visit: Visit, start: threading.Barrier, clock: list[float]) -> None:
        start.wait()
        try:
            self.fetch(visit.app[0])
            with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
                list(pool.map(self.fetch, visit.app[1:]))
            joined = self.fetch(visit.join)
            self.token = json.loads(joined)["token"]
            for request in visit.task_and_model:
                self.fetch(request)
            if not self.errors:
                self.photos_at = time.perf_counter() - clock[0]
                self.photos_bytes = self.body_bytes
            for request in visit.runtime:
                self.fetch(request)
            if not self.errors:
                self.train_at = time.perf_counter() - clock[0]
        except Exception as exc:  # noqa: BLE001 — a participant that fails is counted, not fatal
            self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            for conn in self._opened:
                conn.close()


@dataclass
class Storm:
    name: str
    participants: list[Participant]
    downlink: int
    uplink: int
    seconds: float

    def times(self, attr: str) -> list[float]:
        return sorted(t for t in (getattr(p, attr) for p in self.participants) if t is not None)

    @property
    def ready(self) -> int:
        return len(self.times("train_at"))


def storm(link: ShapedLink, quantized: bool, participants: int) -> Storm:
    name = "int8" if quantized else "float32"
    if quantized:  # built before the clock and the server start, not by the server
        common.model_cache().feature_extractor("efficientnet_lite0", pretrained=True, progress=say, quantized=True)
    else:
        common.model_cache().feature_extractor("efficientnet_lite0", pretrained=True, progress=say)
    server = NamespacedServer(link, quantized)
    try:
        join_code = server.wait_ready()
        recorder = Recorder(server.url, link.client_addresses[0])
        join_payload.visit(recorder, server.url, join_code, None)
        visit = recorder.visit()
        crowd = [
            Participant(
                i,
                link.server_address,
                link.client_addresses[i % len(link.client_addresses)],
                join_code,
                round_trip=link.round_trip,
            )
            for i in range(participants)
        ]
        barrier = threading.Barrier(participants + 1)
        clock = [0.0]
        threads = [threading.Thread(target=p.run, args=(visit, barrier, clock), daemon=True) for p in crowd]
        for t in threads:
            t.start()
        down0, up0 = link.counters()
        clock[0] = time.perf_counter()
        barrier.wait()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - clock[0]
        down1, up1 = link.counters()
        return Storm(name, crowd, down1 - down0, up1 - up0, seconds)
    finally:
        server.stop()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="5 participants at 100mbit (a few seconds per extractor)")
    ap.add_argument("--participants", type=int, default=30)
    ap.add_argument("--rate", default="50mbit", help="tbf rate of each direction (default: %(default)s)")
    ap.add_argument("--delay", default="5ms", help="netem delay of each direction (default: %(default)s)")
    ap.add_argument("--one-address", action="store_true", help="every participant behind one address (a NAT)")
    ap.add_argument("--extractors", nargs="*", default=["float32", "int8"], choices=["float32", "int8"])
    args = ap.parse_args(argv)
    if args.quick:
        args.participants, args.rate = 5, "100mbit"
    if os.geteuid() != 0:
        raise SystemExit("join_storm needs root (network namespaces, veth, tc)")
    if not (common.DIST / "index.html").is_file():
        raise SystemExit("the web client is not built: (cd webclient && npm ci) && python scripts/bundle_webclient.py")
    machine = common.Machine.now()
    removed = remove_leftovers()
    if removed:
        say(f"Removed leftovers of an earlier run: {', '.join(removed)}")
    link = ShapedLink(args.participants, args.rate, args.delay, args.one_address)
    storms: list[Storm] = []
    interrupted = None
    with signals_unwind():
        try:
            link.create()
            say(
                f"Link: {link.host_if} (participants, {len(link.client_addresses)} address(es) from "
                f"{link.client_addresses[0]}) <-> {link.ns_if} in namespace {link.ns} (server {link.server_address}); "
                + (
                    f"each direction netem delay {args.delay} + tbf {args.rate}; "
                    if link.netem
                    else f"each direction tbf {args.rate} (this kernel has no netem: each request and each new connection "
                    f"waits a round trip of {link.round_trip * 1000:.0f} ms in the participant instead); "
                )
                + f"TCP connect on the idle link {connect_ms(link):.2f} ms."
            )
            for line in link.qdiscs():
                say(f"  tc: {line}")
            for name in args.extractors:
                say(f"{name}: {args.participants} participants join at once…")
                storms.append(storm(link, name == "int8", args.participants))
                s = storms[-1]
                say(f"  {s.ready} of {args.participants} participants ready to train; last after {s.seconds:.1f} s")
        except KeyboardInterrupt as exc:
            interrupted = exc
        finally:
            link.remove()
    say(f"Cleanup: namespace {link.ns} and veth {link.host_if}/{link.ns_if} {'removed' if link.gone() else 'STILL PRESENT'}.")
    if interrupted is not None:
        say(f"Interrupted ({interrupted}).")
        return 130
    rate = rate_bits(args.rate)
    rows = []
    for s in storms:
        photos, train = s.times("photos_at"), s.times("train_at")
        n = len(s.participants)
        per = median(p.body_bytes for p in s.participants)

        def some(times: list[float], n: int = n) -> str:
            return "" if len(times) == n else f" ({len(times)} of {n})"

        rows.append(
            [
                s.name,
                f"{s.ready} of {n}",
                f"{photos[0]:.1f} / {median(photos):.1f} / {photos[-1]:.1f}{some(photos)}" if photos else "–",
                f"{train[0]:.1f} / {median(train):.1f} / {train[-1]:.1f}{some(train)}" if train else "–",
                f"{s.downlink * 8 / rate:.1f}",
                f"{fmt_bytes(median(p.photos_bytes for p in s.participants))} / {fmt_bytes(per)} ({fmt_bytes(per * n)} all)",
                f"{fmt_bytes(s.downlink)} / {fmt_bytes(s.uplink)}",
                f"{median(p.requests for p in s.participants):.0f}",
            ]
        )
        errors = Counter(e.split(": HTTP ")[-1] if ": HTTP " in e else e for p in s.participants for e in p.errors)
        for error, count in errors.most_common(5):
            first = next(p for p in s.participants if any(error in e for e in p.errors))
            say(
                f"  {s.name}: {count} failed request(s): {'HTTP ' + error if error.isdigit() else error} "
                f"(first: participant {first.index}, {next(e for e in first.errors if error in e)})"
            )
    say("")
    say(
        table(
            [
                "feature extractor",
                "ready to train",
                "can add photos (s): first / median / last",
                "can train (s): first / median / last",
                f"downlink bytes at {args.rate} (s)",
                "HTTP bodies per participant: to add photos / to train (all)",
                "on the wire: down / up",
                "requests each",
            ],
            rows,
        )
    )
    say("")
    say(
        f"{args.participants} participants on one veth pair shaped to {args.rate} with {args.delay} delay each way "
        f"({'netem' if link.netem else 'added per request by the participants'}); "
        f"{'one address for all (NAT)' if args.one_address else 'one address each'}; times from the common start."
    )
    common.say_machine_and_command(machine)
    return 0 if link.gone() else 1


if __name__ == "__main__":
    sys.exit(main())
