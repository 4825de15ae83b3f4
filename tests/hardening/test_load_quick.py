"""bench/load.py in quick mode (10 participants × 3 updates over HTTP to a waitress child process on
127.0.0.1): no errors, no lost update, and the figures docs/reliability.md quotes are all produced.
Speeds are not asserted (CI machines differ); the full run's numbers are in docs/reliability.md."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

LOAD = Path(__file__).resolve().parents[2] / "bench" / "load.py"


@pytest.mark.slow
def test_quick_load_has_no_errors_and_loses_nothing(model_cache, extractor_artifact):
    spec = importlib.util.spec_from_file_location("bench_load", LOAD)
    load = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_load", load)  # dataclasses look their module up there
    spec.loader.exec_module(load)
    result = load.load(participants=10, updates=3, browsers=0, time_limit=120, model_cache=Path(model_cache.root))
    print(result)
    assert result["errors"] == 0, result["error_samples"]
    assert result["lost_updates"] == 0
    assert result["acknowledged_updates"] == result["stored_updates"] == result["final_version"] == 30
    for figure in (result["update_latency_ms"]["p50"], result["update_latency_ms"]["p99"], result["server_rss_mb"]["peak"]):
        assert math.isfinite(figure) and figure > 0
