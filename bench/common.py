"""Shared by the benchmark scripts: the machine line, medians, markdown tables, loopback servers, data.

Every script prints its figures as a markdown table (what docs/benchmarks.md holds) plus one line
describing the machine: cores, load average before and after, Chromium version. Nothing here talks to
any address but 127.0.0.1.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import platform
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
TESTS = REPO / "tests"
for p in (str(TESTS), str(TESTS / "browser"), str(BENCH), str(REPO / "scripts")):
    if p not in sys.path:
        sys.path.insert(0, p)

DIST = REPO / "influx_desktop" / "webclient_dist"
#: Where built models and extracted features are kept between runs (not committed).
CACHE = Path(os.environ.get("INFLUX_BENCH_CACHE", REPO / "bench" / ".cache"))
HOST = "127.0.0.1"


# ---------------------------------------------------------------------- numbers


def median(values: Iterable[float]) -> float:
    values = list(values)
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): p99 of 50 samples is the largest but one at most."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(-(-q * len(s) // 100)) - 1))
    return float(s[k])


def ratio(baseline: float, ours: float) -> str:
    if ours == 0 or baseline != baseline or ours != ours:
        return "–"
    r = baseline / ours
    return f"{r:,.0f}×" if r >= 100 else f"{r:,.1f}×" if r >= 10 else f"{r:.2f}×"


def fmt_bytes(n: float) -> str:
    if n >= 1e6:
        return f"{n / 1e6:,.2f} MB"
    if n >= 1e3:
        return f"{n / 1e3:,.1f} kB"
    return f"{n:,.0f} B"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------- machine


def chromium_version() -> str:
    from harness import CHROMIUM  # the browser tests' Chromium (tests/browser/harness.py)

    try:
        out = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=20).stdout
        return out.strip().split(" built")[0] or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "not installed"


def loadavg() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


@dataclass
class Machine:
    started_load: str

    @classmethod
    def now(cls) -> Machine:
        return cls(loadavg())

    def line(self, browser: bool = False) -> str:
        cpu = "?"
        with contextlib.suppress(OSError):
            for row in Path("/proc/cpuinfo").read_text().splitlines():
                if row.startswith("model name"):
                    cpu = row.split(":", 1)[1].strip()
                    break
        parts = [
            f"{os.cpu_count()} cores ({cpu})",
            f"Python {platform.python_version()}",
            f"load average (1/5/15 min) {self.started_load} at start, {loadavg()} at end",
        ]
        if browser:
            parts.insert(1, chromium_version())
        return "Machine: " + "; ".join(parts) + "."


def command_line() -> str:
    return "python " + " ".join([os.path.relpath(sys.argv[0], REPO)] + sys.argv[1:])


def say(*args) -> None:
    print(*args, flush=True)


def say_machine_and_command(machine: Machine, browser: bool = False, before: str = "") -> None:
    """Every benchmark's last two lines: the machine (after ``before``, a sentence of the script's own) and
    the command that printed these figures."""
    say(before + machine.line(browser=browser))
    say(f"Command: {command_line()}")


# ---------------------------------------------------------------------- this machine's idle CPUs

#: Linux's PM QoS file for the CPUs' wake-up latency: a process that holds it open with a value written asks
#: that no idle core sleep deeper than that many microseconds; closing it (or dying) withdraws the request.
CPU_LATENCY = Path("/dev/cpu_dma_latency")


def cpu_latency_target_us() -> int:
    """The wake-up latency the CPUs keep to now (the strictest request held; no request: 2,000,000,000)."""
    with CPU_LATENCY.open("rb") as f:
        return struct.unpack("i", f.read(4))[0]


@contextlib.contextmanager
def cores_kept_awake(enabled: bool = True):
    """While inside: no core goes to sleep when idle; it polls instead (a PM QoS request of 0 µs).

    A request that waits on another process pays the cores' wake-up at every hop; this tells how much
    that is (``bench/wakeup.py``; docs/benchmarks.md, section 1). Busy loops at nice 19 would keep the
    cores awake too, but measured here they slowed the benchmark itself (a later round 77 ms against 60
    without, the seed's rounds too), so the idle cores poll instead. The request needs root and ends with
    this process, also when it is killed. Say so next to every figure measured this way."""
    if not enabled:
        yield
        return
    try:
        fd = os.open(CPU_LATENCY, os.O_WRONLY)
    except OSError as exc:
        raise SystemExit(f"keeping the cores awake needs write access to {CPU_LATENCY} (Linux, root): {exc}") from exc
    try:
        os.write(fd, struct.pack("i", 0))
        yield
    finally:
        os.close(fd)


# ---------------------------------------------------------------------- servers


def start_fl_server(data_dir: Path, model_cache=None, threads: int = 8, webclient_dir=None, extra_blueprints=()):
    """The tests' real server (``running_server.start_server``) with rate limits off, for benchmarks."""
    from running_server import start_server

    from influx_desktop.server.limits import RateLimits

    return start_server(
        data_dir, model_cache, threads, limits=RateLimits(0, 0, 0), webclient_dir=webclient_dir, extra_blueprints=extra_blueprints
    )


def model_cache():
    from influx_desktop.models.cache import ModelCache

    return ModelCache(CACHE / "models")


def scratch_dir(prefix: str) -> Path:
    """A new temporary folder, removed when the benchmark's process ends (each held a server's data, some
    MB: left behind, every CI run's quick modes added thousands of them)."""
    path = Path(tempfile.mkdtemp(prefix=f"influx-bench-{prefix}-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)  # a symlink inside is unlinked, never followed
    return path


def timer() -> float:
    return time.perf_counter()
