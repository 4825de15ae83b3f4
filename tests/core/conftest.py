"""Fixtures of the core's tests (one test module per core module: tests/core/test_<module>.py)."""

from __future__ import annotations

import pytest

from influx_desktop.coordinator import Coordinator


@pytest.fixture
def coordinator(tmp_path, model_cache):
    """A Coordinator over its own SQLite file, sharing the run's model cache (the backbone is exported once)."""
    c = Coordinator(tmp_path / "data", model_cache=model_cache)
    yield c
    c.close()
