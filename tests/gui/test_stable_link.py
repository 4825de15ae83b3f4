"""The join link stays the same when the app is closed and opened again: the session's network and the
port first bound on "automatic" are remembered and preselected. A taken port is never left silently:
the window says so and offers a free port or a retry. Everything binds 127.0.0.1; the other address
used here is TEST-NET-1 (192.0.2.0/24), which is never on this machine and never bound."""

from __future__ import annotations

import socket

import pytest
from conftest import LOOPBACK, Participant, close_window, fill_new_session, start_and_wait

from influx_desktop.coordinator import Coordinator
from influx_desktop.gui.snapshot import describe_event
from influx_desktop.server.network import Interface

pytestmark = pytest.mark.gui

#: The first entry is what the window preselects with no remembered choice: an address this machine does
#: not have, so a window that forgot the session's network could not bind anything by mistake.
ELSEWHERE_FIRST = [Interface("wlan0", "192.0.2.77"), Interface("lo", LOOPBACK)]


def _serve_once_and_close(qtbot, open_window, data_dir) -> tuple[str, int]:
    first = open_window(data_dir)
    assert first.server_panel.port_spin.value() == 0  # automatic
    fill_new_session(qtbot, first, "Same link", ["cat", "dog"])
    start_and_wait(qtbot, first)
    url, port = first.serving.join_url, first.serving.port
    Participant(url, "Ada").send_update()
    close_window(first)  # the window's close button: stop the server, mark the session stopped
    first.coordinator.close()
    return url, port


def _reopened(qtbot, open_window, data_dir, port: int):
    """The app opened again with no --host: the remembered network and port come back by themselves."""
    window = open_window(data_dir, host=None, interfaces=ELSEWHERE_FIRST)
    qtbot.waitUntil(lambda: window.session is not None and window.server_panel.port_spin.value() == port, timeout=5000)
    assert window.server_panel.interface_combo.currentData() == LOOPBACK
    return window


def test_closing_and_reopening_the_app_serves_the_same_join_link(qtbot, open_window, data_dir):
    url, port = _serve_once_and_close(qtbot, open_window, data_dir)

    second = _reopened(qtbot, open_window, data_dir, port)
    assert not second.banner.isVisibleTo(second) or "192.0.2.77" not in second.banner.text()
    start_and_wait(qtbot, second)
    assert second.serving.join_url == url  # host, port and join code
    assert second.join_panel.join_url() == url
    assert second.coordinator.network_choice(second.session_id) == {"host": LOOPBACK, "interface": "lo", "port": port}
    assert Participant(url, "Bob").send_update()[0] == 200


def test_a_taken_port_asks_and_the_offered_port_serves_and_is_remembered(qtbot, open_window, data_dir):
    url, port = _serve_once_and_close(qtbot, open_window, data_dir)
    with socket.socket() as taken:  # another program took the port while the app was closed
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the old server's connections may be in TIME_WAIT
        taken.bind((LOOPBACK, port))
        taken.listen(1)

        window = _reopened(qtbot, open_window, data_dir, port)
        window.toolbar.start_action.trigger()
        qtbot.waitUntil(lambda: window.port_dialog is not None, timeout=30_000)
        dialog = window.port_dialog
        assert dialog.isVisible()
        assert dialog.text() == f"Port {port} on {LOOPBACK} is in use by another program."
        detail = dialog.informativeText()
        assert "join links of this session use this port" in detail and "their links change" in detail
        assert "new participant" in detail and "Retry" in detail
        assert window.serving is None
        assert window.coordinator.get_session(window.session_id)["state"] == "stopped"  # nothing started
        assert window.coordinator.network_choice(window.session_id)["port"] == port  # nothing forgotten

        # Retry while the port is still taken: asked again, still not moved.
        window.port_dialog_buttons["retry"].click()
        qtbot.waitUntil(lambda: window.port_dialog is not None and not window.controller.starting, timeout=30_000)
        assert window.serving is None and window.server_panel.port_spin.value() == port

        use = window.port_dialog_buttons["use"]
        offered = int(use.text().removeprefix("Use port "))
        assert offered != port
        use.click()
        qtbot.waitUntil(lambda: window.serving is not None, timeout=30_000)
        qtbot.waitUntil(lambda: not window.tasks.busy, timeout=10_000)
    assert window.serving.port == offered and window.server_panel.port_spin.value() == offered
    assert window.serving.join_url == url.replace(f":{port}/", f":{offered}/")  # same code, new port
    assert window.coordinator.network_choice(window.session_id) == {"host": LOOPBACK, "interface": "lo", "port": offered}
    assert window.port_dialog is None
    moved = [e for e in window.coordinator.event_log(window.session_id) if e["kind"] == "server_address_changed"][-1]
    assert describe_event(moved) == (f"served at {LOOPBACK}:{offered} (was {LOOPBACK}:{port}: participants' join links changed)")


def test_retry_after_the_other_program_left_keeps_the_link(qtbot, open_window, data_dir):
    url, port = _serve_once_and_close(qtbot, open_window, data_dir)
    taken = socket.socket()
    taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    taken.bind((LOOPBACK, port))
    taken.listen(1)
    try:
        window = _reopened(qtbot, open_window, data_dir, port)
        window.toolbar.start_action.trigger()
        qtbot.waitUntil(lambda: window.port_dialog is not None, timeout=30_000)
    finally:
        taken.close()
    window.port_dialog_buttons["retry"].click()
    qtbot.waitUntil(lambda: window.serving is not None, timeout=30_000)
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=10_000)
    assert window.serving.join_url == url


def test_a_remembered_address_this_computer_no_longer_has_is_explained(qtbot, open_window, data_dir, model_cache):
    coordinator = Coordinator(data_dir, model_cache=model_cache)
    sid = coordinator.create_session({"title": "Moved", "classes": ["a", "b"]})["id"]
    coordinator.remember_network_choice(sid, "192.0.2.77", 41999, "wlan0")  # stored only, never bound
    coordinator.close()

    window = open_window(data_dir, host=None, interfaces=[Interface("lo", LOOPBACK)])
    qtbot.waitUntil(lambda: "Wi-Fi (192.0.2.77)" in window.banner.text(), timeout=5000)
    assert "does not have that address now" in window.banner.text()
    assert "choose another Network" in window.banner.text()
    assert window.server_panel.interface_combo.currentData() == LOOPBACK  # a usable default instead
    assert window.server_panel.interface_combo.findData("192.0.2.77") == -1
    assert window.server_panel.port_spin.value() == 41999

    window.server_panel.port_spin.setValue(0)  # the facilitator chooses: loopback, any free port
    start_and_wait(qtbot, window)
    assert window.coordinator.network_choice(sid) == {"host": LOOPBACK, "interface": "lo", "port": window.serving.port}


def test_a_new_session_gets_its_own_port_and_switching_back_preselects_the_old_one(qtbot, open_window, data_dir):
    url, port = _serve_once_and_close(qtbot, open_window, data_dir)
    window = _reopened(qtbot, open_window, data_dir, port)
    old_session = window.session_id
    window.toolbar.new_action.trigger()
    assert window.server_panel.port_spin.value() == 0 and window.server_panel.interface_combo.currentData() == LOOPBACK
    window.toolbar.session_combo.activated.emit(window.toolbar.session_combo.findData(old_session))
    qtbot.waitUntil(lambda: window.session_id == old_session and window.server_panel.port_spin.value() == port, timeout=5000)
