"""Which address a session is preselected to be served on, and what the facilitator is told when it
changes. Pure logic, no Qt, nothing bound: 192.0.2.0/24 is TEST-NET-1, never on this machine."""

from __future__ import annotations

from influx_desktop.gui.network_choice import NetworkChoice, address_label, offered
from influx_desktop.server.network import Interface

LO = Interface("lo", "127.0.0.1")
WLAN = Interface("wlan0", "192.0.2.77")
REMEMBERED = {"host": "192.0.2.77", "port": 41999, "interface": "wlan0"}


def test_an_address_not_listed_is_offered_first():
    assert offered([LO], "192.0.2.5") == [Interface("chosen", "192.0.2.5"), LO]
    assert offered([WLAN, LO], LO.address) == [WLAN, LO]
    assert address_label("192.0.2.77", None) == "192.0.2.77" and address_label("192.0.2.77", "wlan0") == "Wi-Fi (192.0.2.77)"


def test_the_default_without_a_remembered_address():
    choice = NetworkChoice(explicit_host=None, default_host=LO.address, default_port=0, interfaces=[WLAN, LO])
    assert choice.preselect() == ([WLAN, LO], LO.address, None)
    assert not choice.keeps_link(LO.address, 0)


def test_the_remembered_address_is_preselected_and_keeps_the_link():
    choice = NetworkChoice(None, LO.address, 0, interfaces=[WLAN, LO], remembered=REMEMBERED)
    assert choice.preselect() == ([WLAN, LO], WLAN.address, None)
    assert choice.keeps_link("192.0.2.77", 41999) and not choice.keeps_link("192.0.2.77", 42000)


def test_host_given_at_start_wins_and_says_the_links_change():
    choice = NetworkChoice(LO.address, LO.address, 0, interfaces=[WLAN, LO], remembered=REMEMBERED)
    offer, selected, (kind, text) = choice.preselect()
    assert (offer, selected, kind) == ([WLAN, LO], LO.address, "info")
    assert "Wi-Fi (192.0.2.77) last time" in text and "--host 127.0.0.1" in text


def test_a_remembered_address_this_computer_lacks_falls_back_with_a_problem_note():
    choice = NetworkChoice(None, LO.address, 0, interfaces=[LO], remembered=REMEMBERED)
    offer, selected, (kind, text) = choice.preselect()
    assert (offer, selected, kind) == ([LO], LO.address, "problem")
    assert "does not have that address now" in text
    assert choice.interface_name("192.0.2.77") == "wlan0"  # still named for display
    assert choice.interface_name(LO.address) == "lo" and choice.interface_name("192.0.2.9") is None


def test_while_the_list_is_read_the_wanted_address_is_offered_alone():
    assert NetworkChoice(None, None, 0, remembered=REMEMBERED).preselect() == ([WLAN], WLAN.address, None)
    assert NetworkChoice(LO.address, LO.address, 0).preselect() == ([Interface("chosen", LO.address)], LO.address, None)
    assert NetworkChoice(None, None, 0).preselect() == (None, None, None)
