"""The benchmarks' quick modes still run and still print figures (issue 6).

These are not timed tests: nothing here asserts on a speed. Each bench/ script is run in process with
``--quick`` (a few seconds each: tiny stand-ins for the seed's MobileNetV2, few images, one run), and the
test checks that it printed a markdown table with numbers in it and its machine line. The real figures
in docs/benchmarks.md come from the scripts' full modes.
"""

from __future__ import annotations

import importlib
import re
import sys
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


def run_quick(name: str, capsys) -> str:
    module = importlib.import_module(name)
    try:
        code = module.main(["--quick"])
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


def test_updates_quick(capsys):
    assert_table_with_numbers(run_quick("updates", capsys), min_rows=2)


def test_join_payload_quick(capsys):
    out = run_quick("join_payload", capsys)
    assert_table_with_numbers(out, min_rows=2)
    assert "/api/v1/artifacts/" in out


def test_extraction_quick(capsys):
    assert_table_with_numbers(run_quick("extraction", capsys))


def test_convergence_quick(capsys):
    assert_table_with_numbers(run_quick("convergence", capsys), min_rows=4)


def test_quantize_quick(capsys):
    out = run_quick("quantize", capsys)
    assert_table_with_numbers(out, min_rows=2)
    assert "Rule (≥2× first-visit cut" in out


@pytest.mark.browser
def test_browser_quick(capsys):
    out = run_quick("browser", capsys)
    assert_table_with_numbers(out, min_rows=3)
    assert "Chromium" in out
