"""The advertiser registers an _http._tcp service that a second zeroconf, on loopback only, finds and resolves."""

from __future__ import annotations

import threading
import time

import pytest
from zeroconf import IPVersion, ServiceBrowser, ServiceStateChange, Zeroconf

from influx_desktop import __version__
from influx_desktop.server.mdns import SERVICE_TYPE, MdnsAdvertiser, instance_name

LOOPBACK = "127.0.0.1"


@pytest.fixture
def browser_zeroconf():
    zc = Zeroconf(interfaces=[LOOPBACK], ip_version=IPVersion.V4Only)
    yield zc
    zc.close()


def test_instance_name_is_a_single_dns_label():
    assert instance_name("Fruit. or not\n") == "Fruit or not"
    assert instance_name("   ") == "InFL-UX session"
    long = instance_name("é" * 60)
    assert len(long.encode()) <= 63 and set(long) == {"é"}


def test_service_is_discovered_while_running_and_gone_after_stop(browser_zeroconf):
    advertiser = MdnsAdvertiser(LOOPBACK, 8765, "Fruit or not", path="/?join=ABC234").start()
    seen: dict[str, set[str]] = {"added": set(), "removed": set()}
    changed = threading.Event()

    def on_change(zeroconf, service_type, name, state_change):
        seen["added" if state_change is ServiceStateChange.Added else "removed"].add(name)
        changed.set()

    try:
        name = advertiser.service_name
        assert name == f"Fruit or not.{SERVICE_TYPE}"
        ServiceBrowser(browser_zeroconf, SERVICE_TYPE, handlers=[on_change])
        info = browser_zeroconf.get_service_info(SERVICE_TYPE, name, timeout=3000)
        assert info is not None
        assert info.port == 8765
        assert info.parsed_addresses() == [LOOPBACK]
        assert info.properties[b"path"] == b"/?join=ABC234"
        assert info.properties[b"version"] == __version__.encode()
        deadline = time.monotonic() + 5
        while name not in seen["added"] and time.monotonic() < deadline:
            changed.wait(0.1)
        assert name in seen["added"]
    finally:
        advertiser.stop()
    assert not advertiser.running
    deadline = time.monotonic() + 5
    while name not in seen["removed"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert name in seen["removed"], "the goodbye packet should remove the service from browsers"
    fresh = Zeroconf(interfaces=[LOOPBACK], ip_version=IPVersion.V4Only)
    try:
        assert fresh.get_service_info(SERVICE_TYPE, name, timeout=1000) is None
    finally:
        fresh.close()
