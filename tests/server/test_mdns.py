"""The advertiser registers an _http._tcp service that a second zeroconf, on loopback only, finds and resolves."""

from __future__ import annotations

import threading
import time

import pytest
from zeroconf import IPVersion, ServiceBrowser, ServiceStateChange, Zeroconf

from influx_desktop import __version__
from influx_desktop.server.mdns import SERVICE_TYPE, MdnsAdvertiser, instance_name, txt_list

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


def test_txt_list_keeps_what_fits_in_one_txt_string():
    codes = [f"C{i:05d}" for i in range(100)]  # 6 characters each
    kept = txt_list("codes", codes)
    assert len(f"codes={kept}".encode()) <= 255
    assert kept.split(",") == codes[: len(kept.split(","))] and len(kept.split(",")) == 35
    assert txt_list("codes", ["ABC234"]) == "ABC234" and txt_list("codes", []) == ""


def test_update_changes_the_txt_record_in_place_or_renames_the_service(browser_zeroconf):
    advertiser = MdnsAdvertiser(LOOPBACK, 8766, "Fruit", path="/?join=ABC234", properties={"codes": "ABC234"}).start()
    try:
        advertiser.update("Fruit", "/", {"codes": "ABC234,XYZ567", "sessions": "2"})  # same name: the TXT record
        assert advertiser.service_name == f"Fruit.{SERVICE_TYPE}"
        info = browser_zeroconf.get_service_info(SERVICE_TYPE, advertiser.service_name, timeout=3000)
        assert info is not None and info.properties[b"codes"] == b"ABC234,XYZ567" and info.properties[b"path"] == b"/"

        advertiser.update("Fruit · Clothes", "/", {"codes": "ABC234,XYZ567", "sessions": "2"})  # another name
        assert advertiser.service_name == f"Fruit · Clothes.{SERVICE_TYPE}"
        assert advertiser.info.properties[b"sessions"] == b"2"
        fresh = Zeroconf(interfaces=[LOOPBACK], ip_version=IPVersion.V4Only)
        try:
            renamed = fresh.get_service_info(SERVICE_TYPE, advertiser.service_name, timeout=3000)
            assert renamed is not None and renamed.port == 8766 and renamed.properties[b"sessions"] == b"2"
            assert fresh.get_service_info(SERVICE_TYPE, f"Fruit.{SERVICE_TYPE}", timeout=1000) is None
        finally:
            fresh.close()
    finally:
        advertiser.stop()
    assert not advertiser.running
