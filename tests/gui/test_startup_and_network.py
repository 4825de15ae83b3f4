"""The app opens quickly without importing torch, resumes the latest session, and picks the
default-route interface (read from a route table; no packet is sent by any of this)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.server.network import (
    Interface,
    address_is_present,
    default_route_interface_name,
    list_ipv4_interfaces,
    pick_default_interface,
)

pytestmark = pytest.mark.gui

STARTUP_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    started = time.perf_counter()
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from influx_desktop.coordinator import Coordinator
    from influx_desktop.gui.main_window import MainWindow
    from influx_desktop.server.network import Interface
    coordinator = Coordinator(sys.argv[1])
    window = MainWindow(coordinator, interfaces=[Interface("lo", "127.0.0.1")], host="127.0.0.1")
    window.show()
    while window.snapshot is None and time.perf_counter() - started < 30:
        app.processEvents()
        time.sleep(0.005)
    usable = time.perf_counter() - started
    print(json.dumps({
        "seconds": usable,
        "title": window.form.title.text(),
        "torch": "torch" in sys.modules,
        "onnxruntime_training": "onnxruntime.training" in sys.modules,
    }))
    window.shutdown()
    coordinator.close()
    """
)


def test_the_window_opens_fast_on_the_latest_session_without_importing_torch(tmp_path):
    coordinator = Coordinator(tmp_path / "data", model_cache=None)
    coordinator.create_session({"title": "Older", "classes": ["a", "b"]})
    coordinator.create_session({"title": "Latest", "classes": ["a", "b"]})
    coordinator.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", STARTUP_SCRIPT, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["title"] == "Latest"
    assert not result["torch"] and not result["onnxruntime_training"]
    assert result["seconds"] < 5.0, result


ROUTES = """Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0
wlan0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0
"""
INTERFACES = [
    Interface("docker0", "172.17.0.1"),
    Interface("eth0", "10.0.0.5"),
    Interface("wlan0", "192.168.1.23"),
    Interface("lo", "127.0.0.1"),
]


def test_the_lowest_metric_default_route_wins(tmp_path):
    table = tmp_path / "route"
    table.write_text(ROUTES)
    assert default_route_interface_name(table) == "eth0"
    assert pick_default_interface(INTERFACES, route_table=table).address == "10.0.0.5"
    table.write_text(ROUTES.replace("\t100\t", "\t900\t"))
    assert pick_default_interface(INTERFACES, route_table=table).address == "192.168.1.23"


def test_loopback_when_there_is_no_default_route(tmp_path):
    table = tmp_path / "route"
    table.write_text(ROUTES.splitlines()[0] + "\n" + ROUTES.splitlines()[1] + "\n")
    assert default_route_interface_name(table) is None
    assert pick_default_interface(INTERFACES, route_table=table).address == "127.0.0.1"
    assert pick_default_interface([], route_table=table).address == "127.0.0.1"


def test_this_machine_lists_loopback_and_knows_its_addresses():
    interfaces = list_ipv4_interfaces()
    assert any(i.address == "127.0.0.1" for i in interfaces)
    assert interfaces[-1].is_loopback  # offered last: participants cannot reach it
    assert address_is_present("127.0.0.1", interfaces)
    assert not address_is_present("192.0.2.77", interfaces)  # TEST-NET-1: never assigned here
