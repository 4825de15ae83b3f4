"""Server control errors a facilitator can act on, and the facilitator's actions during a session:
pause/resume, remove a participant, present mode, test set accuracy, exports, the data folder."""

from __future__ import annotations

import csv
import io
import json
import socket

import pytest
from conftest import LOOPBACK, Participant, fill_new_session, http, start_and_wait
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from influx_desktop.errors import ModelUnavailable
from influx_desktop.gui.exports import EVENT_LOG
from influx_desktop.models.cache import ModelCache
from influx_desktop.server.network import Interface

pytestmark = pytest.mark.gui


def test_a_taken_port_is_reported_and_nothing_starts(qtbot, window):
    fill_new_session(qtbot, window, "Busy port", ["a", "b"])
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        window.server_panel.port_spin.setValue(port)
        start_and_wait_fails = window.toolbar.start_action.trigger
        start_and_wait_fails()
        qtbot.waitUntil(lambda: not window.controller.starting, timeout=30_000)
    assert window.serving is None
    assert f"Port {port} on 127.0.0.1 is in use by another program" in window.banner.text()
    assert window.port_dialog is not None and "another port" in window.port_dialog.informativeText()
    window.port_dialog_buttons["cancel"].click()
    assert window.port_dialog is None and window.serving is None
    session = window.coordinator.get_session(window.session_id)  # the settings were saved, nothing started
    assert session["state"] == "draft"
    assert window.coordinator.network_choice(window.session_id) is None
    window.server_panel.port_spin.setValue(0)
    start_and_wait(qtbot, window)
    assert window.server_panel.port_spin.value() == window.serving.port  # Stop/Start keeps the link


def test_a_vanished_interface_is_reported(qtbot, open_window, data_dir):
    # 192.0.2.0/24 is TEST-NET-1: never on this machine, so the start refuses before binding anything.
    window = open_window(data_dir, interfaces=[Interface("wlan0", "192.0.2.77"), Interface("lo", LOOPBACK)], host="192.0.2.77")
    assert window.server_panel.interface_combo.currentData() == "192.0.2.77"
    fill_new_session(qtbot, window, "Gone", ["a", "b"])
    window.toolbar.start_action.trigger()
    qtbot.waitUntil(lambda: not window.controller.starting, timeout=10_000)
    assert window.serving is None
    assert "no longer belongs to this computer" in window.banner.text()


def test_missing_pretrained_weights_are_explained(qtbot, window, monkeypatch):
    def unavailable(self, backbone_name, *_args, **_options):  # whatever the cache is asked for
        raise ModelUnavailable(
            "The ImageNet weights for MobileNetV2 are not on this computer and could not be downloaded.", field="backbone"
        )

    monkeypatch.setattr(ModelCache, "feature_extractor", unavailable)  # no download attempt from a test
    fill_new_session(qtbot, window, "Mobile", ["a", "b"])
    window.form.backbone.setCurrentIndex(window.form.backbone.findData("mobilenet_v2"))
    window.toolbar.start_action.trigger()
    qtbot.waitUntil(lambda: not window.controller.starting, timeout=10_000)
    assert window.serving is None
    assert "weights for MobileNetV2 are not on this computer" in window.banner.text()
    assert window.form.backbone.styleSheet() != ""  # the field at fault is marked
    assert window.coordinator.get_session(window.session_id)["state"] == "draft"


@pytest.fixture
def running(qtbot, window):
    fill_new_session(qtbot, window, "Shoes and shirts", ["shirt", "trouser", "sneaker"])
    start_and_wait(qtbot, window)
    return window


def test_pause_refuses_updates_until_resume(qtbot, running):
    window = running
    ada = Participant(window.serving.join_url, "Ada")
    window.toolbar.pause_action.trigger()
    qtbot.waitUntil(lambda: window.toolbar.pause_action.text() == "Resume updates", timeout=5000)
    status, body = ada.send_update()
    assert status == 409 and body["error"]["code"] == "session_paused"
    assert "paused" in window.server_panel.state_label.text()
    window.toolbar.pause_action.trigger()
    qtbot.waitUntil(lambda: window.toolbar.pause_action.text() == "Pause updates", timeout=5000)
    assert ada.send_update()[0] == 200


def test_removing_a_participant_revokes_their_token(qtbot, running):
    window = running
    ada = Participant(window.serving.join_url, "Ada")
    Participant(window.serving.join_url, "Bob")
    table = window.dashboard.participants
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=5000)
    window.dashboard.select_participant(ada.id)
    assert window.dashboard.remove_button.isEnabled()
    window.dashboard.remove_button.click()
    assert window.remove_dialog.text() == f"Remove Ada · #{ada.id} (Chrome on Android)?"
    window.remove_dialog_buttons["remove"].click()
    assert window.remove_dialog is None
    qtbot.waitUntil(lambda: "removed" in [table.item(r, 3).text() for r in range(table.rowCount())], timeout=5000)
    status, _, body = http("GET", f"{ada.base}/api/v1/model", headers={"Authorization": f"Bearer {ada.token}"})
    assert status == 401 and json.loads(body)["error"]["code"] == "token_revoked"
    qtbot.waitUntil(lambda: window.join_panel.count.text() == "1 participant joined", timeout=5000)


def test_present_mode_shows_the_qr_url_and_live_count(qtbot, running):
    window = running
    window.join_panel.present_button.click()
    present = window.present_window
    assert present is not None and present.isFullScreen()
    assert present.qr.text() == window.serving.join_url == present.url.text()
    assert present.count.text() == "No one has joined yet"
    Participant(window.serving.join_url, "Ada")
    qtbot.waitUntil(lambda: present.count.text() == "1 participant joined", timeout=5000)
    present.close()
    qtbot.waitUntil(lambda: window.present_window is None, timeout=2000)


def write_test_folder(root, classes, per_class=4):
    from fashion_mnist import CLASS_NAMES, available, load_fashion_mnist

    if not available():
        pytest.fail("Debian package dataset-fashion-mnist is not installed: run scripts/setup.sh --tests")
    ids = [CLASS_NAMES.index(name) for name in ("shirt", "trouser", "sneaker")]
    images, labels = load_fashion_mnist("test", ids, per_class, seed=3, size=28)
    for i, (image, label) in enumerate(zip(images, labels)):
        folder = root / classes[label]
        folder.mkdir(parents=True, exist_ok=True)
        image.save(folder / f"{i}.png")
    return root


def test_test_set_accuracy_appears_per_version(qtbot, running, tmp_path, monkeypatch):
    window = running
    folder = write_test_folder(tmp_path / "testset", ["shirt", "trouser", "sneaker"])
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getExistingDirectory", lambda *a, **k: str(folder))
    window.toolbar.testset_action.trigger()
    chart = window.dashboard.accuracy_chart
    qtbot.waitUntil(lambda: [p[0] for p in chart.points()] == [0.0], timeout=30_000)
    ada = Participant(window.serving.join_url, "Ada")
    ada.send_update()
    ada.send_update()
    qtbot.waitUntil(lambda: [p[0] for p in chart.points()] == [0.0, 1.0, 2.0], timeout=10_000)
    assert all(0.0 <= p[1] <= 1.0 for p in chart.points())
    assert "12 images" in window.dashboard.accuracy_tile.caption.text()
    assert "test_set_loaded" in window.event_log.kinds()


def test_a_test_folder_with_unknown_classes_is_refused(qtbot, running, tmp_path):
    (tmp_path / "bad" / "hat").mkdir(parents=True)
    running.controller.load_test_set(tmp_path / "bad")
    qtbot.waitUntil(running.banner.isVisible, timeout=5000)
    assert "hat" in running.banner.text() and "name no class" in running.banner.text()


def test_exports_and_data_folder(qtbot, running, tmp_path, monkeypatch):
    window = running
    Participant(window.serving.join_url, "Ada").send_update()
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", lambda *a, **k: (str(tmp_path / "events.jsonl"), ""))
    window.toolbar.export_events_action.trigger()
    qtbot.waitUntil(lambda: (tmp_path / "events.jsonl").exists(), timeout=5000)
    kinds = [json.loads(line)["kind"] for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert kinds[:2] == ["session_created", "session_started"] and "model_version" in kinds
    window.controller.save_export(EVENT_LOG, tmp_path / "events.csv", "csv")
    qtbot.waitUntil(lambda: (tmp_path / "events.csv").exists(), timeout=5000)
    rows = list(csv.reader(io.StringIO((tmp_path / "events.csv").read_text())))
    assert rows[0][:4] == ["id", "session_id", "at", "kind"] and len(rows) == len(kinds) + 1

    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", lambda *a, **k: (str(tmp_path / "model.onnx"), ""))
    window.toolbar.export_model_action.trigger()
    qtbot.waitUntil(lambda: (tmp_path / "model.onnx").exists(), timeout=30_000)
    import onnx

    model = onnx.load(str(tmp_path / "model.onnx"))
    assert model.graph.output  # a loadable ONNX model: backbone + head

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url))
    window.toolbar.open_folder_action.trigger()
    assert opened == [QUrl.fromLocalFile(str(window.data_dir))]
