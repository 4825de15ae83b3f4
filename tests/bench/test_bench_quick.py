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
@pytest.mark.skipif(
    not os.access("/dev/cpu_dma_latency", os.W_OK), reason="keeping the cores awake needs /dev/cpu_dma_latency (Linux, root)"
)
def test_wakeup_quick(capsys):
    """The wake-up table: five rows (memory reread, socket echo, plain waitress, ours, Chromium), each timed with
    the cores idle and kept awake, and the cores left to sleep after."""
    out = run_quick("wakeup", capsys)
    assert_table_with_numbers(out, min_rows=5)
    header = next(line for line in out.splitlines() if line.startswith("| what answers"))
    assert header.count(", idle") == 2 and header.count(", awake") == 2, out
    assert "cpuidle driver:" in out, out
    import common

    assert common.cpu_latency_target_us() > 0  # the request to keep the cores awake ended with the measurement


@pytest.mark.skipif(
    not os.access("/dev/cpu_dma_latency", os.W_OK), reason="keeping the cores awake needs /dev/cpu_dma_latency (Linux, root)"
)
def test_cores_kept_awake_asks_for_0_us_and_withdraws_it_even_when_killed():
    """While inside, the CPUs keep a wake-up latency of 0 µs; after, the request is gone, also when the benchmark
    holding it is SIGKILLed."""
    import common

    before = common.cpu_latency_target_us()
    assert before > 0  # nobody else keeps the cores awake: the checks below can fail
    with common.cores_kept_awake():
        assert common.cpu_latency_target_us() == 0
    assert common.cpu_latency_target_us() == before

    code = "import sys, time; sys.path.insert(0, 'bench'); import common\nwith common.cores_kept_awake():\n    print('held', flush=True); time.sleep(600)"
    bench_process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert bench_process.stdout.readline() == "held\n"
        assert common.cpu_latency_target_us() == 0
    finally:
        bench_process.kill()
        bench_process.wait()
    assert common.cpu_latency_target_us() == before


def test_scratch_dirs_are_removed_when_the_benchmark_ends():
    code = (
        "import sys; sys.path.insert(0, 'bench'); import common; p = common.scratch_dir('t'); (p / 'f').write_text('x'); print(p)"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    path = Path(run.stdout.strip())
    assert path.name.startswith("influx-bench-t-") and not path.exists()
