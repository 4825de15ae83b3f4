"""How long a request takes after the machine was quiet for a while — and how much of that is this machine.

A later round's click waits on two HTTP exchanges (docs/benchmarks.md, section 1). On this virtual
machine the same exchange is several times slower after a pause than back to back. This script shows
it: each row is timed after 10 ms, 300 ms and 1 s of quiet, once with the cores left idle and once with
them kept awake (``common.cores_kept_awake``: idle cores poll instead of sleeping), to tell how much of
it the cores' idle state is (on this VM: a small part). The first row sends nothing: it rereads memory
the process wrote before, and shows that on this VM memory left alone for a while is slow to read
again, idle cores or not. Every request touches memory, and a request in Python touches much of it.

Rows, the requests each on one kept-alive connection to 127.0.0.1:

- no request: one read in each 4 kB page of 64 MB the process wrote before (what memory left alone costs);
- a bare socket echo (a thread answers each byte);
- plain waitress, a WSGI app answering "ok";
- ours: ``GET /api/v1/task`` with the ETag held, answered 304 (the real server, a running session);
- headless Debian Chromium fetching the same 304 (``fetch`` in a page of our server's origin).

Each figure is the median of --repeats requests.

    python bench/wakeup.py            # about 4 minutes
    python bench/wakeup.py --quick    # seconds: two gaps, two requests each
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import median, say, table  # noqa: E402
from harness import CHROMIUM, launch_chromium  # noqa: E402  (loopback-only name resolution included)

GAPS_S = (0.01, 0.3, 1.0)

#: The page the browser row runs in: empty, but of our server's origin (so its fetches carry no CORS).
PAGE_PATH = "/wake/"


def after_quiet(gap_s: float, repeats: int, once) -> float:
    """Median milliseconds of ``once()`` (one request), each after ``gap_s`` seconds of quiet."""
    once()  # the connection is open and warm before the first timed one
    times = []
    for _ in range(repeats):
        time.sleep(gap_s)
        t0 = time.perf_counter()
        once()
        times.append((time.perf_counter() - t0) * 1000)
    return median(times)


class SocketEcho:
    """A thread that sends back every byte it reads, on one loopback connection."""

    def __init__(self) -> None:
        self.listener = socket.create_server((common.HOST, 0))
        threading.Thread(target=self._serve, daemon=True).start()
        self.client = socket.create_connection(self.listener.getsockname())
        self.client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while data := conn.recv(1):
            conn.sendall(data)

    def once(self) -> None:
        self.client.sendall(b"x")
        if self.client.recv(1) != b"x":
            raise RuntimeError("the echo answered something else")

    def close(self) -> None:
        self.client.close()
        self.listener.close()


class MemoryReread:
    """No request at all: one read in each 4 kB page of 64 MB this process wrote before (one thread, no I/O,
    1 MB of cache lines). Back to back they come from the caches; what they cost after a quiet gap is
    what this machine charges for memory left alone, and every request above touches memory too."""

    PAGES = 16384

    def __init__(self) -> None:
        import numpy as np

        self.memory = np.ones(self.PAGES * 4096 // 8)  # float64: 512 to a page
        self.memory[::512].sum()

    def once(self) -> None:
        if self.memory[::512].sum() != self.PAGES:
            raise RuntimeError("the memory changed")

    def close(self) -> None:
        self.memory = None


class PlainWaitress:
    """waitress serving a WSGI app that answers "ok", nothing else."""

    def __init__(self) -> None:
        import waitress

        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]

        self.server = waitress.create_server(app, host=common.HOST, port=0, threads=4)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        self.conn = http.client.HTTPConnection(common.HOST, self.server.effective_port)

    def once(self) -> None:
        self.conn.request("GET", "/")
        response = self.conn.getresponse()
        if response.read() != b"ok":
            raise RuntimeError("plain waitress answered something else")

    def close(self) -> None:
        from influx_desktop.server.runner import stop_waitress

        self.conn.close()
        stop_waitress(self.server, self.thread)  # closing the listener from here raced the loop's select()


class OursUnchangedTask:
    """The real server with a running session; one participant's ``GET /api/v1/task`` with its ETag held."""

    def __init__(self, server) -> None:
        admin = server.admin()
        session = admin.create_session({"title": "Wake-up", "classes": ["cat", "dog"]})
        admin.start(session["id"])
        self.conn = http.client.HTTPConnection(common.HOST, server.thread.port)
        joined = self.json("POST", "/api/v1/join", json.dumps({"join_code": session["join_code"]}))
        self.headers = {"Authorization": f"Bearer {joined['token']}"}
        self.conn.request("GET", "/api/v1/task", headers=self.headers)
        response = self.conn.getresponse()
        response.read()
        self.headers["If-None-Match"] = response.getheader("ETag")

    def json(self, method: str, path: str, body: str) -> dict:
        self.conn.request(method, path, body, {"Content-Type": "application/json"})
        response = self.conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: HTTP {response.status}")
        return json.loads(response.read())

    def once(self) -> None:
        self.conn.request("GET", "/api/v1/task", headers=self.headers)
        response = self.conn.getresponse()
        response.read()
        if response.status != 304:
            raise RuntimeError(f"the task was not answered 304 but {response.status}")

    def close(self) -> None:
        self.conn.close()


#: In the page: ``repeats`` fetches of the task with its ETag, each after ``gap`` ms; their times in ms.
CHROMIUM_ROW = """
async ([token, gap, repeats]) => {
  const headers = { Authorization: `Bearer ${token}` };
  const first = await fetch('/api/v1/task', { headers, cache: 'no-store' });
  await first.text();
  headers['If-None-Match'] = first.headers.get('ETag');
  const times = [];
  for (let i = 0; i <= repeats; i++) {
    await new Promise((resolve) => setTimeout(resolve, gap));
    const t0 = performance.now();
    const response = await fetch('/api/v1/task', { headers, cache: 'no-store' });
    await response.arrayBuffer();
    if (response.status !== 304) throw new Error(`not 304 but ${response.status}`);
    if (i > 0) times.push(performance.now() - t0); // the first one warms the connection
  }
  return times;
}
"""


def page_blueprint():
    from flask import Blueprint

    bp = Blueprint("wakeup_page", __name__)

    @bp.get(PAGE_PATH)
    def page():
        return "<!doctype html><title>wake-up</title>"

    return bp


def measure(args, gaps: tuple[float, ...], server, browser_page, token: str) -> dict[str, list[float]]:
    rows: dict[str, list[float]] = {}
    # each row's connection opened just before it is timed: one left waiting through the other rows
    # could outlast the server's idle timeout
    for name, start in (
        ("no request: one read in each 4 kB page of 64 MB written before", MemoryReread),
        ("a bare socket echo in a thread", SocketEcho),
        ('plain waitress, a WSGI app returning "ok"', PlainWaitress),
        ("ours, `GET /api/v1/task` answered 304", lambda: OursUnchangedTask(server)),
    ):
        row = start()
        try:
            rows[name] = [after_quiet(gap, args.repeats, row.once) for gap in gaps]
        finally:
            row.close()
    rows["Chromium's `fetch` of the same 304"] = [
        median(browser_page.evaluate(CHROMIUM_ROW, [token, gap * 1000, args.repeats])) for gap in gaps
    ]
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=20, help="requests timed per figure")
    args = ap.parse_args(argv)
    gaps = GAPS_S
    if args.quick:
        args.repeats, gaps = 2, GAPS_S[:2]
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    machine = common.Machine.now()
    server = common.start_fl_server(common.scratch_dir("wakeup"), extra_blueprints=[page_blueprint()])
    try:
        admin = server.admin()
        session = admin.create_session({"title": "Wake-up (browser)", "classes": ["cat", "dog"]})
        admin.start(session["id"])
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            try:
                page = browser.new_page()
                page.goto(server.url + PAGE_PATH)
                token = page.evaluate(
                    """async (code) => (await (await fetch('/api/v1/join', { method: 'POST',
                       headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ join_code: code }) })).json()).token""",
                    session["join_code"],
                )
                say("Cores left idle…")
                idle = measure(args, gaps, server, page, token)
                say("Cores kept awake…")
                with common.cores_kept_awake():
                    awake = measure(args, gaps, server, page, token)
            finally:
                browser.close()
    finally:
        server.stop()

    after = [f"after {gap * 1000:g} ms" if gap < 1 else f"after {gap:g} s" for gap in gaps]
    say("")
    say(f"Milliseconds for one request after a quiet gap (median of {args.repeats}), cores idle | kept awake:")
    say("")
    say(
        table(
            ["what answers", *(f"{a}, idle" for a in after), *(f"{a}, awake" for a in after)],
            [[name, *(f"{ms:.1f}" for ms in idle[name]), *(f"{ms:.1f}" for ms in awake[name])] for name in idle],
        )
    )
    say("")
    common.say_machine_and_command(machine, browser=True, before=f"cpuidle driver: {cpuidle_driver()}. ")
    return 0


def cpuidle_driver() -> str:
    try:
        return Path("/sys/devices/system/cpu/cpuidle/current_driver").read_text().strip()
    except OSError:
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
