"""The facilitator's whole afternoon through the real window: set up a session in the form, start the
server on 127.0.0.1, check the QR code, let participants post updates over HTTP, watch the dashboard,
discover the session by mDNS, stop, and find everything again after a restart."""

from __future__ import annotations

import socket

import pytest
from conftest import LOOPBACK, Participant, fill_new_session, start_and_wait
from PySide6.QtGui import QColor
from zeroconf import IPVersion, Zeroconf

from influx_desktop.gui.qr_widget import qr_matrix
from influx_desktop.server.mdns import SERVICE_TYPE

pytestmark = pytest.mark.gui


def read_qr_modules(view) -> list[list[bool]]:
    """Sample the QR code as drawn on screen: find the dark modules' bounding box, then each module's centre."""
    image = view.grab().toImage()
    dark = [
        (x, y) for y in range(0, image.height()) for x in range(0, image.width()) if QColor(image.pixel(x, y)).lightness() < 128
    ]
    xs, ys = [p[0] for p in dark], [p[1] for p in dark]
    left, right, top, bottom = min(xs), max(xs) + 1, min(ys), max(ys) + 1
    expected_n = len(view.matrix())
    inner = expected_n - 8  # the quiet zone of 4 modules on each side is white
    module = (right - left) / inner
    assert abs((bottom - top) / inner - module) < 0.01, "the code must be square"
    matrix = [[False] * expected_n for _ in range(expected_n)]
    for row in range(inner):
        for col in range(inner):
            x = int(left + (col + 0.5) * module)
            y = int(top + (row + 0.5) * module)
            matrix[row + 4][col + 4] = QColor(image.pixel(x, y)).lightness() < 128
    return matrix


def resolve(name: str, timeout_ms: int) -> object:
    browser = Zeroconf(interfaces=[LOOPBACK], ip_version=IPVersion.V4Only)
    try:
        return browser.get_service_info(SERVICE_TYPE, name, timeout=timeout_ms)
    finally:
        browser.close()


def test_create_start_join_train_and_stop_through_the_window(qtbot, window):
    fill_new_session(qtbot, window, "Clothes in class", ["shirt", "trouser", "sneaker"])
    window.form.aggregator.setCurrentIndex(window.form.aggregator.findData("fedasync"))
    window.form.strategy_form.inputs["alpha"].setValue(0.5)
    start_and_wait(qtbot, window)

    serving = window.serving
    assert serving.host == LOOPBACK
    session = window.coordinator.get_session(window.session_id)
    assert session["state"] == "running"
    assert session["config"]["classes"] == ["shirt", "trouser", "sneaker"]
    assert session["config"]["aggregator_params"]["alpha"] == 0.5

    # The join panel shows the URL as text, and the QR code drawn on screen encodes exactly that URL.
    url = window.join_panel.url.text()
    assert url == f"http://{LOOPBACK}:{serving.port}/?join={session['join_code']}"
    assert window.join_panel.join_url() == url
    window.tabs.setCurrentIndex(1)
    window.join_panel.qr.resize(330, 330)
    assert read_qr_modules(window.join_panel.qr) == qr_matrix(url)
    window.join_panel.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == url

    # mDNS: a zeroconf browser on loopback resolves the session while the server runs.
    service_name = serving.advertiser.service_name
    assert service_name == f"Clothes in class.{SERVICE_TYPE}"
    info = resolve(service_name, 3000)
    assert info is not None and info.port == serving.port
    assert info.properties[b"path"] == f"/?join={session['join_code']}".encode()

    # Two participants join from "phones" and post updates over HTTP.
    ada = Participant(url, "Ada")
    bob = Participant(url, "Bob", device="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1")
    qtbot.waitUntil(lambda: window.dashboard.participants.rowCount() == 2, timeout=5000)
    assert window.join_panel.count.text() == "2 participants joined"
    assert ada.send_update()[0] == 200
    assert bob.send_update()[0] == 200
    assert ada.send_update()[0] == 200
    stale_status, stale = bob.send_update(base_version=0)  # trained on version 0 while 3 were published
    assert stale_status == 200 and stale["staleness"] == 3
    too_big_status, too_big = ada.send_update(noise=50.0)
    assert too_big_status == 400 and too_big["error"]["code"] == "norm_too_large"

    dashboard = window.dashboard
    qtbot.waitUntil(lambda: dashboard.version_tile.value.text() == "4", timeout=5000)
    qtbot.waitUntil(lambda: dashboard.rejected.rowCount() == 1, timeout=5000)
    rows = {
        dashboard.participants.item(r, 0).text(): [dashboard.participants.item(r, c).text() for c in range(8)]
        for r in range(dashboard.participants.rowCount())
    }
    assert rows["Ada"][1:6] == [f"#{ada.id}", "Chrome on Android", "active", "2", "1"]
    assert rows["Bob"][1:6] == [f"#{bob.id}", "Safari on iPhone", "active", "2", "0"]
    assert rows["Bob"][7] == "3"
    assert dashboard.updates_tile.value.text() == "4 · 1"
    assert dashboard.rate_tile.value.text() == "5"
    assert "norm" in dashboard.rejected.item(0, 2).text()
    assert dashboard.staleness_chart.points() == [(1.0, 0.0), (2.0, 0.0), (3.0, 0.0), (4.0, 3.0)]
    assert "update_rejected" in window.event_log.kinds()
    assert window.event_log.kinds()[0] in ("update_rejected", "model_version")

    # Stop (confirmed: participants are in): the server closes, the session is stopped and the mDNS service is gone.
    window.toolbar.stop_action.trigger()
    window.stop_dialog_buttons["stop"].click()
    qtbot.waitUntil(lambda: window.serving is None, timeout=10_000)
    assert window.coordinator.get_session(window.session_id)["state"] == "stopped"
    assert not serving.advertiser.running
    assert resolve(service_name, 1000) is None
    with pytest.raises(OSError):
        socket.create_connection((LOOPBACK, serving.port), timeout=1).close()
    assert window.join_panel.join_url() == ""
    assert window.toolbar.start_action.isEnabled() and not window.toolbar.stop_action.isEnabled()


def test_restart_shows_the_previous_session_with_its_version_and_participants(qtbot, open_window, data_dir):
    first = open_window(data_dir)
    fill_new_session(qtbot, first, "Fruit or not", ["fruit", "not fruit"])
    start_and_wait(qtbot, first)
    url = first.serving.join_url
    Participant(url, "Ada").send_update()
    Participant(url, "Bob").send_update()
    qtbot.waitUntil(lambda: first.dashboard.version_tile.value.text() == "2", timeout=5000)
    first.close()  # what the window's close button does: stop server and mDNS, mark the session stopped
    first.stop_dialog_buttons["stop"].click()  # once the facilitator confirms (participants are in)
    assert first.serving is None
    first.coordinator.close()

    second = open_window(data_dir)
    qtbot.waitUntil(lambda: second.dashboard.version_tile.value.text() == "2", timeout=5000)
    assert second.form.title.text() == "Fruit or not"
    assert second.form.classes.classes() == ["fruit", "not fruit"]
    assert second.form.classes.is_locked()  # it has run: classes are fixed
    names = sorted(second.dashboard.participants.item(r, 0).text() for r in range(second.dashboard.participants.rowCount()))
    assert names == ["Ada", "Bob"]
    assert second.toolbar.session_combo.currentText() == f"#{second.session_id} Fruit or not"
    assert "stopped" in second.server_panel.state_label.text()

    # Start again: same join code, participants' tokens still work and their updates continue the model.
    start_and_wait(qtbot, second)
    assert second.serving.join_url.endswith(url.split("/?")[1])  # the same join code
    carol = Participant(second.serving.join_url, "Carol")
    assert carol.send_update()[1]["version"] == 3
    qtbot.waitUntil(lambda: second.dashboard.version_tile.value.text() == "3", timeout=5000)
