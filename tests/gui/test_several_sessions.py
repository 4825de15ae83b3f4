"""Several sessions at once on one server (issue 18): two sessions started in the window share one address,
port and mDNS announcement, each with its own join code, QR, dashboard and controls; a participant of each
updates only their own; stopping one leaves the other served and announced; closing asks once for all of
them; the app opened again serves each at its old link. Everything binds 127.0.0.1, zeroconf too."""

from __future__ import annotations

import json
import socket

import pytest
from conftest import LOOPBACK, Participant, close_window, fill_new_session, http, start_and_wait
from zeroconf import IPVersion, Zeroconf

from influx_desktop.server.mdns import SERVICE_TYPE

pytestmark = pytest.mark.gui


def resolve(name: str, timeout_ms: int):
    browser = Zeroconf(interfaces=[LOOPBACK], ip_version=IPVersion.V4Only)
    try:
        return browser.get_service_info(SERVICE_TYPE, name, timeout=timeout_ms)
    finally:
        browser.close()


def start_new(qtbot, window, title: str, classes: list[str]):
    """New session (allowed while others are served), its settings typed in, Start: its ``Serving``."""
    assert window.toolbar.new_action.isEnabled()
    window.toolbar.new_action.trigger()
    fill_new_session(qtbot, window, title, classes)
    start_and_wait(qtbot, window)
    return window.serving


def show(qtbot, window, session_id: int) -> None:
    """Choose the session in the toolbar's chooser, as the facilitator does."""
    combo = window.toolbar.session_combo
    assert combo.isEnabled()
    combo.activated.emit(combo.findData(session_id))
    qtbot.waitUntil(lambda: window.session is not None and window.session["id"] == session_id, timeout=5000)
    qtbot.waitUntil(lambda: window.snapshot is not None and window.snapshot.session_id == session_id, timeout=5000)


def dashboard_rows(window) -> list[str]:
    table = window.dashboard.participants
    return sorted(table.item(r, 0).text() for r in range(table.rowCount()))


def join_status(serving, code: str) -> tuple[int, dict]:
    status, _, body = http(
        "POST",
        f"http://{LOOPBACK}:{serving.port}/api/v1/join",
        json.dumps({"join_code": code, "nickname": "Late"}).encode(),
        {"Content-Type": "application/json"},
    )
    return status, json.loads(body)


def test_two_sessions_on_one_server_each_with_its_own_dashboard_and_controls(qtbot, window):
    fill_new_session(qtbot, window, "Fruit or not", ["fruit", "not fruit"])
    start_and_wait(qtbot, window)
    fruit = window.serving
    fruit_id = window.session_id

    # A new session while the first is served: on the same address and port, which cannot be changed now.
    window.toolbar.new_action.trigger()
    panel = window.server_panel
    assert panel.port_spin.value() == fruit.port and panel.interface_combo.currentData() == LOOPBACK
    assert not panel.port_spin.isEnabled() and not panel.interface_combo.isEnabled()
    assert panel.served_note.isVisibleTo(panel)
    assert panel.served_note.text() == (
        f"One session is served at {LOOPBACK}:{fruit.port}. Stop it to choose another network or port."
    )
    assert window.join_panel.join_url() == ""  # the new session is not served yet
    fill_new_session(qtbot, window, "Clothes", ["shirt", "trouser", "sneaker"])
    start_and_wait(qtbot, window)
    clothes = window.serving
    clothes_id = window.session_id
    assert clothes_id != fruit_id and clothes.join_code != fruit.join_code
    assert (clothes.host, clothes.port) == (fruit.host, fruit.port) and clothes.server is fruit.server
    assert window.join_panel.join_url() == clothes.join_url
    assert "2 sessions are served at" in panel.served_note.text()
    combo = window.toolbar.session_combo
    assert combo.itemText(combo.findData(fruit_id)) == f"● #{fruit_id} Fruit or not (running)"
    assert combo.itemText(combo.findData(clothes_id)) == f"● #{clothes_id} Clothes (running)"
    for sid in (fruit_id, clothes_id):
        assert window.coordinator.network_choice(sid) == {"host": LOOPBACK, "interface": "lo", "port": fruit.port}

    # One mDNS announcement lists both: the registered record, and what a browser on loopback resolves.
    advertiser = clothes.advertiser
    assert advertiser is fruit.advertiser and advertiser.running
    both = f"Fruit or not · Clothes.{SERVICE_TYPE}"
    assert advertiser.service_name == both
    registered = advertiser.info.properties
    assert registered[b"sessions"] == b"2" and registered[b"path"] == b"/"
    assert registered[b"codes"] == f"{fruit.join_code},{clothes.join_code}".encode()
    found = resolve(both, 3000)
    assert found is not None and found.port == fruit.port and found.properties[b"codes"] == registered[b"codes"]
    assert "Fruit or not · Clothes" in panel.mdns_label.text()

    # A participant in each: Ada updates Fruit once, Bob updates Clothes twice.
    ada = Participant(fruit.join_url, "Ada")
    bob = Participant(clothes.join_url, "Bob")
    assert ada.send_update()[0] == 200
    assert bob.send_update()[0] == 200 and bob.send_update()[0] == 200
    dashboard = window.dashboard  # Clothes is shown: Bob, version 2, two updates
    qtbot.waitUntil(lambda: dashboard.version_tile.value.text() == "2" and dashboard_rows(window) == ["Bob"], timeout=10_000)
    assert dashboard.updates_tile.value.text() == "2 · 0"
    window.present()
    present = window.present_window
    assert present.url.text() == clothes.join_url and present.title.text() == "Clothes"

    show(qtbot, window, fruit_id)  # Fruit: Ada only, version 1, its own link and QR; the projector follows
    qtbot.waitUntil(lambda: dashboard.version_tile.value.text() == "1" and dashboard_rows(window) == ["Ada"], timeout=10_000)
    assert dashboard.updates_tile.value.text() == "1 · 0"
    assert window.join_panel.join_url() == fruit.join_url == window.join_panel.url.text()
    assert present.url.text() == fruit.join_url and present.qr.text() == fruit.join_url
    assert present.title.text() == "Fruit or not"
    assert all(e["participant_id"] in (None, ada.id) for e in window.snapshot.events)
    assert window.toolbar.stop_action.isEnabled() and not window.toolbar.start_action.isEnabled()

    # Pausing Fruit leaves Clothes running.
    window.toolbar.pause_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "paused", timeout=5000)
    assert window.coordinator.get_session(clothes_id)["state"] == "running"
    qtbot.waitUntil(lambda: combo.itemText(combo.findData(fruit_id)).endswith("(paused)"), timeout=5000)
    assert ada.send_update()[0] == 409 and bob.send_update()[0] == 200
    window.toolbar.pause_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "running", timeout=5000)

    # Stopping Fruit (Ada is in: asked first) leaves Clothes served and announced.
    window.toolbar.stop_action.trigger()
    box = window.stop_dialog
    assert "Stop this session? The other running sessions go on." in box.text()
    window.stop_dialog_buttons["stop"].click()
    qtbot.waitUntil(lambda: window.serving is None and not window.controller.busy, timeout=20_000)
    qtbot.waitUntil(lambda: window.present_window is None, timeout=5000)
    assert window.coordinator.get_session(fruit_id)["state"] == "stopped"
    assert window.coordinator.get_session(clothes_id)["state"] == "running"
    assert window.join_panel.join_url() == "" and window.toolbar.start_action.isEnabled()
    status, refused = join_status(clothes, fruit.join_code)
    assert status == 409 and refused["error"]["code"] == "session_not_running"
    assert join_status(clothes, clothes.join_code)[0] == 200
    assert bob.send_update()[0] == 200
    assert ada.send_update()[0] == 409
    assert list(window.controller.serving_now) == [clothes_id]
    assert combo.itemText(combo.findData(fruit_id)) == f"#{fruit_id} Fruit or not"
    assert combo.itemText(combo.findData(clothes_id)) == f"● #{clothes_id} Clothes (running)"
    assert panel.served_note.text().startswith("One session is served at")
    assert not panel.port_spin.isEnabled()

    assert advertiser.running and advertiser.service_name == f"Clothes.{SERVICE_TYPE}"
    registered = advertiser.info.properties
    assert registered[b"sessions"] == b"1" and registered[b"codes"] == clothes.join_code.encode()
    assert registered[b"path"] == f"/?join={clothes.join_code}".encode()
    found = resolve(f"Clothes.{SERVICE_TYPE}", 3000)
    assert found is not None and found.properties[b"codes"] == clothes.join_code.encode()
    assert resolve(both, 1000) is None  # the two-session name said goodbye

    # Stopping the last one stops the server and mDNS.
    show(qtbot, window, clothes_id)
    assert window.join_panel.join_url() == clothes.join_url
    window.toolbar.stop_action.trigger()
    window.stop_dialog_buttons["stop"].click()
    qtbot.waitUntil(lambda: window.serving is None and not window.controller.busy, timeout=20_000)
    assert not advertiser.running and window.controller.server is None
    with pytest.raises(OSError):
        socket.create_connection((LOOPBACK, clothes.port), timeout=1).close()
    assert not panel.served_note.isVisibleTo(panel) and panel.port_spin.isEnabled()


def test_closing_asks_once_for_every_session_and_the_app_opened_again_keeps_each_link(qtbot, open_window, data_dir):
    first = open_window(data_dir)
    fill_new_session(qtbot, first, "Group A", ["cat", "dog"])
    start_and_wait(qtbot, first)
    a = first.serving
    b = start_new(qtbot, first, "Group B", ["car", "bike"])
    ada, bob = Participant(a.join_url, "Ada"), Participant(b.join_url, "Bob")
    qtbot.waitUntil(lambda: first.joined_participants()[0] == 1, timeout=10_000)  # B shown: Bob

    first.close()  # both served, one participant in each: asked once, counting both
    box = first.stop_dialog
    assert box is not None and first.isVisible()
    assert "2 participants have joined the 2 running sessions." in box.text()
    assert "Close the app and stop the class server?" in box.text()
    close_window(first)
    qtbot.waitUntil(lambda: not first.isVisible(), timeout=20_000)
    for serving in (a, b):
        assert first.coordinator.get_session(serving.session_id)["state"] == "stopped"
    assert not a.advertiser.running
    with pytest.raises(OSError):
        socket.create_connection((LOOPBACK, a.port), timeout=1).close()
    first.coordinator.close()

    second = open_window(data_dir)  # the latest session (B) is shown with the port both were served on
    qtbot.waitUntil(lambda: second.session_id == b.session_id and second.server_panel.port_spin.value() == b.port, timeout=5000)
    start_and_wait(qtbot, second)
    assert second.serving.join_url == b.join_url
    show(qtbot, second, a.session_id)
    assert second.server_panel.port_spin.value() == a.port and not second.server_panel.port_spin.isEnabled()
    start_and_wait(qtbot, second)
    assert second.serving.join_url == a.join_url
    assert ada.send_update()[0] == 200 and bob.send_update()[0] == 200  # their tokens work again, each in its own
    close_window(second)
