"""The Coordinator facade: one object over the core's parts that the HTTP layer, the GUI and the benchmarks
drive. It must offer every call they make, and close what it started."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = [
    ROOT / "influx_desktop" / "server",
    ROOT / "influx_desktop" / "gui",
    ROOT / "bench",
    ROOT / "influx_desktop" / "cli.py",
]


def _calls_on_a_coordinator() -> set[str]:
    """Every ``<...>coordinator.<name>`` the adapters write (a variable or attribute called coordinator)."""
    names = set()
    for place in ADAPTERS:
        for path in [place] if place.is_file() else place.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Attribute):
                    continue
                owner = node.value
                owner_name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
                if owner_name in ("coordinator", "_coordinator"):
                    names.add(node.attr)
    return names


def test_the_facade_offers_every_call_the_adapters_make(coordinator):
    called = _calls_on_a_coordinator()
    assert {"create_session", "submit_update", "manifest", "start_or_resume"} & called  # the scan finds calls
    assert sorted(name for name in called if not hasattr(coordinator, name)) == []


def test_the_parts_share_one_store_and_event_bus_and_close_stops_the_evaluator(coordinator):
    heard = []
    coordinator.events.subscribe(heard.append)
    session = coordinator.create_session({"title": "t", "classes": ["a", "b"]})
    coordinator._set_state(session["id"], "running", ("draft",), "session_started")
    ada = coordinator.authenticate(coordinator.join(session["join_code"], "Ada")["token"])
    coordinator.report_test_result(ada, {"version": 0, "accuracy": 1.0, "n": 1})
    assert [e.kind for e in heard] == ["session_created", "session_started", "participant_joined", "test_result"]
    assert [e["kind"] for e in coordinator.event_log(session["id"])] == [e.kind for e in heard]
    assert coordinator.get_session(session["id"])["participants"] == 1

    coordinator.close()
    assert not coordinator.evaluator._thread.is_alive()
