"""Networks named in plain words, and a warning next to the QR code when the chosen one cannot be reached by
other devices (issue 15). Nothing is bound: 192.0.2.0/24 is TEST-NET-1, only ever offered in the drop-down."""

from __future__ import annotations

import pytest
from conftest import LOOPBACK, fill_new_session, start_and_wait

from influx_desktop.gui.network_choice import friendly_name, network_kind, offer_labels, reachability_warning
from influx_desktop.server.network import Interface

pytestmark = pytest.mark.gui

WLAN = Interface("wlan0", "192.0.2.77")
LO = Interface("lo", LOOPBACK)


@pytest.mark.parametrize(
    "name, kind, shown",
    [
        ("wlan0", "wifi", "Wi-Fi"),
        ("wlp2s0", "wifi", "Wi-Fi"),
        ("Wi-Fi", "wifi", "Wi-Fi"),
        ("WLAN", "wifi", "Wi-Fi"),
        ("eth0", "cable", "Cable (Ethernet)"),
        ("enp3s0", "cable", "Cable (Ethernet)"),
        ("Ethernet 2", "cable", "Cable (Ethernet)"),
        ("docker0", "virtual", "Virtual network (docker0)"),
        ("vEthernet (WSL)", "virtual", "Virtual network (vEthernet (WSL))"),
        ("tun0", "vpn", "VPN (tun0)"),
        ("foo1", "other", "Network “foo1”"),
    ],
)
def test_adapters_are_named_in_plain_words(name, kind, shown):
    interface = Interface(name, "192.0.2.10")
    assert (network_kind(interface), friendly_name(interface)) == (kind, shown)


def test_networks_other_devices_cannot_reach_are_warned_about():
    assert friendly_name(LO) == "This computer only (test mode)"
    assert "only this computer" in reachability_warning(LO)
    assert "169.254" in reachability_warning(Interface("eth0", "169.254.3.4"))
    assert "virtual network" in reachability_warning(Interface("docker0", "172.17.0.1"))
    assert reachability_warning(WLAN) is None and reachability_warning(Interface("eth0", "192.0.2.5")) is None
    assert offer_labels([WLAN, Interface("wlan1", "192.0.2.78"), LO]) == [
        "Wi-Fi – 192.0.2.77",
        "Wi-Fi – 192.0.2.78",
        "This computer only (test mode)",
    ]


def test_choosing_loopback_shows_the_warning_next_to_the_qr_code(qtbot, open_window, data_dir):
    window = open_window(data_dir, interfaces=[WLAN, LO], host=WLAN.address)
    combo = window.server_panel.interface_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["Wi-Fi", "This computer only (test mode)"]
    assert "wlan0" in combo.itemData(0, 3) and "192.0.2.77" in combo.itemData(0, 3)  # 3: Qt.ToolTipRole
    assert not window.join_panel.warning.isVisible()

    combo.setCurrentIndex(combo.findData(LOOPBACK))
    warning = window.join_panel.warning
    assert warning.isVisible() and "Phones and other computers cannot reach it" in warning.text()
    assert "lo" in combo.toolTip() and LOOPBACK in combo.toolTip()
    # next to the QR code: right above it, in the same panel
    layout = window.join_panel.layout()
    assert layout.indexOf(warning) == layout.indexOf(window.join_panel.qr) - 1

    combo.setCurrentIndex(combo.findData(WLAN.address))
    assert not warning.isVisible()


def test_the_warning_stays_while_serving_on_loopback_and_is_on_the_projector_too(qtbot, window):
    # the fixture's only network is loopback; the network list is read off the UI thread
    qtbot.waitUntil(window.join_panel.warning.isVisible, timeout=10_000)
    fill_new_session(qtbot, window, "Test mode", ["a", "b"])
    start_and_wait(qtbot, window)
    assert window.join_panel.warning.isVisible() and window.join_panel.join_url()
    window.present()
    assert window.present_window.warning.isVisibleTo(window.present_window)
    assert "only this computer" in window.present_window.warning.text()
    window.present_window.close()
