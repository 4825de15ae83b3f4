"""The benchmarks' quick modes still run and still print figures (issue 6).

These are not timed tests: nothing here asserts on a speed. Each bench/ script is run in process with
``--quick`` (a few seconds each: tiny stand-ins for the seed's MobileNetV2, few images, one run), and the
test checks that it printed a markdown table with numbers in it and its machine line. The real figures
in docs/benchmarks.md come from the scripts' full modes.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@pytest.fixture(scope="module", autouse=True)
def bench_cache(tmp_path_factory):
    """One model cache for all quick runs, outside the work tree."""
    import common

    old = common.CACHE
    common.CACHE = tmp_path_factory.mktemp("bench-cache")
    yield common.CACHE
    common.CACHE = old


def run_quick(name: str, capsys, *more: str) -> str:
    module = importlib.import_module(name)
    try:
        code = module.main(["--quick", *more])
    except SystemExit as exc:  # a missing prerequisite (data set, browser, built web client): setup is broken
        if exc.code not in (0, None):
            pytest.fail(f"{name} --quick could not run: {exc.code} (scripts/setup.sh --tests installs it)")
        code = 0
    out = capsys.readouterr().out
    assert code == 0
    return out


def assert_table_with_numbers(out: str, min_rows: int = 1) -> None:
    rows = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("|---")]
    assert len(rows) >= 1 + min_rows, out  # header + data rows
    data = rows[1:]
    assert all(NUMBER.search(row) for row in data), out
    assert "Machine:" in out and "cores" in out, out
    assert "Command: python bench/" in out or "Command: python " in out, out


@pytest.mark.parametrize(
    "script, min_rows, also_says",
    [
        ("updates", 2, ""),
        ("join_payload", 2, "/api/v1/artifacts/"),
        ("extraction", 1, ""),
        ("convergence", 4, ""),
        ("quantize", 2, "Rule (≥2× first-visit cut"),
    ],
)
def test_quick(script, min_rows, also_says, capsys):
    out = run_quick(script, capsys)
    assert_table_with_numbers(out, min_rows)
    assert also_says in out, out


needs_netns = pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0 or not (shutil.which("ip") and shutil.which("tc")),
    reason="the join storm needs root, ip and tc (a network namespace and a shaped veth pair)",
)


def join_storm_leftovers(pid: int) -> list[str]:
    """The namespace, veth ends and qdiscs a join_storm run of process ``pid`` would have made."""
    names = (f"ifxjs-{pid}", f"ifxjs{pid}h", f"ifxjs{pid}n")
    listings = [
        subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        for cmd in (["ip", "netns", "list"], ["ip", "-o", "link", "show"], ["tc", "qdisc", "show"])
    ]
    return [
        f"{name} in {cmd}"
        for name in names
        for cmd, text in zip(("ip netns", "ip link", "tc qdisc"), listings)
        if re.search(rf"\b{re.escape(name)}\b", text)
    ]


@needs_netns
def test_join_storm_quick(capsys):
    out = run_quick("join_storm", capsys)
    assert_table_with_numbers(out, min_rows=2)
    rows = [line for line in out.splitlines() if line.startswith(("| float32 |", "| int8 |"))]
    assert len(rows) == 2, out
    assert all(row.split(" | ")[1] == "5 of 5" for row in rows), out  # every participant could train
    assert "removed." in out and "STILL PRESENT" not in out, out
    assert join_storm_leftovers(os.getpid()) == []


@needs_netns
def test_join_storm_cleans_up_when_interrupted(bench_cache):
    """Ctrl+C in the middle of a run: the namespace, the veth pair and its qdiscs go, and so does the server."""
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "bench" / "join_storm.py"), "--quick"],
        cwd=REPO,
        env={**os.environ, "INFLUX_BENCH_CACHE": str(bench_cache)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        servers: list[int] = []
        while not servers:  # the server is up in the benchmark's namespace: the middle of a run
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
            time.sleep(0.2)
            listed = subprocess.run(["ip", "netns", "pids", f"ifxjs-{proc.pid}"], capture_output=True, text=True)
            servers = [int(pid) for pid in listed.stdout.split()]
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, out
    assert "removed." in out and "Interrupted" in out, out
    assert join_storm_leftovers(proc.pid) == []
    for server in servers:
        with pytest.raises(ProcessLookupError):
            os.kill(server, 0)


@pytest.mark.browser
def test_browser_quick(capsys):
    out = run_quick("browser", capsys)
    assert_table_with_numbers(out, min_rows=3)
    assert "Chromium" in out


@pytest.mark.browser
def test_browser_phone_quick(capsys):
    """Issue 17 item 4: the phone-class mode (CPU and network throttled over CDP) at 4× with the int8 extractor."""
    out = run_quick("browser", capsys, "--phone")
    assert_table_with_numbers(out, min_rows=1)
    rows = [line for line in out.splitlines() if line.startswith("| 4× | int8 |")]
    assert len(rows) == 1, out
    assert "Fast 4G" in out and " MB in " in rows[0], out


@pytest.mark.browser
def test_wakeup_quick(capsys):
    """The wake-up table: four rows, each timed with the cores idle and kept awake; no busy loop is left."""
    out = run_quick("wakeup", capsys)
    assert_table_with_numbers(out, min_rows=4)
    header = next(line for line in out.splitlines() if line.startswith("| what answers"))
    assert header.count(", idle") == 2 and header.count(", awake") == 2, out
    assert "cpuidle driver:" in out, out
    assert busy_loops_of(os.getpid()) == []


def busy_loops_of(parent: int) -> list[int]:
    """Live processes started by ``parent`` that run common.cores_kept_awake's busy loop."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == parent and state != "Z" and b"PR_SET_PDEATHSIG" in cmdline:
            found.append(int(proc.name))
    return found


def nice_of(pid: int) -> int | None:
    try:
        return int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[16])
    except OSError:
        return None


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the busy loops use Linux's PR_SET_PDEATHSIG")
def test_cores_kept_awake_leaves_nothing_behind_even_when_killed():
    """One busy loop per core at nice 19 while inside; none after, also when the benchmark is SIGKILLed."""
    import common

    with common.cores_kept_awake():
        deadline = time.monotonic() + 60
        while len(loops := busy_loops_of(os.getpid())) < (os.cpu_count() or 1) or any(nice_of(p) != 19 for p in loops):
            assert time.monotonic() < deadline, [(p, nice_of(p)) for p in loops]
            time.sleep(0.05)
    assert busy_loops_of(os.getpid()) == []

    bench_process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; sys.path.insert(0, 'bench'); import common\nwith common.cores_kept_awake():\n    time.sleep(600)",
        ],
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 60
        # at nice 19 each loop has also asked to die with its parent (the line before in _SPINNER)
        while len(loops := busy_loops_of(bench_process.pid)) < (os.cpu_count() or 1) or any(nice_of(p) != 19 for p in loops):
            assert time.monotonic() < deadline and bench_process.poll() is None, loops
            time.sleep(0.05)
    finally:
        bench_process.kill()
        bench_process.wait()
    deadline = time.monotonic() + 60
    while any(alive(pid) for pid in loops):
        assert time.monotonic() < deadline, [pid for pid in loops if alive(pid)]
        time.sleep(0.05)
