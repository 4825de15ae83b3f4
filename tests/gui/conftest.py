"""Fixtures of the GUI tests: the real window on a fresh data dir, listening on 127.0.0.1 only,
and a participant that speaks the HTTP API with urllib (what a phone's browser sends, minus training).

``model_cache`` (tests/conftest.py) is session-scoped, so the backbone is exported once for all tests.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.server.network import Interface

LOOPBACK = "127.0.0.1"
#: Never let an environment proxy see test traffic: it stays on loopback.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

pytestmark = pytest.mark.gui


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    assert url.startswith(f"http://{LOOPBACK}:"), url
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


class Participant:
    """Joins, downloads the global model, posts it back with a little noise (a 'trained' update)."""

    def __init__(self, join_url: str, nickname: str, device: str = "Mozilla/5.0 (Linux; Android 14) Chrome/126.0") -> None:
        self.base = join_url.split("/?join=")[0]
        code = join_url.split("?join=")[1]
        status, _, body = http(
            "POST",
            f"{self.base}/api/v1/join",
            json.dumps({"join_code": code, "nickname": nickname, "device": device}).encode(),
            {"Content-Type": "application/json"},
        )
        assert status == 200, body
        joined = json.loads(body)
        self.token = joined["token"]
        self.id = joined["participant_id"]
        self.rng = np.random.default_rng(self.id)

    def model(self) -> tuple[int, np.ndarray]:
        status, headers, body = http("GET", f"{self.base}/api/v1/model", headers={"Authorization": f"Bearer {self.token}"})
        assert status == 200, body
        return int(headers["X-Model-Version"]), np.frombuffer(body, dtype="<f4")

    def send_update(self, noise: float = 0.01, base_version: int | None = None, samples: int = 12) -> tuple[int, dict]:
        version, parameters = self.model()
        update = (parameters + noise * self.rng.standard_normal(parameters.shape)).astype("<f4")
        status, _, body = http(
            "POST",
            f"{self.base}/api/v1/updates",
            update.tobytes(),
            {
                "Authorization": f"Bearer {self.token}",
                "X-Base-Version": str(version if base_version is None else base_version),
                "X-Sample-Count": str(samples),
                "Content-Type": "application/octet-stream",
            },
        )
        return status, json.loads(body)


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def open_window(qtbot, model_cache):
    """``open_window(data_dir)``: a Coordinator and the main window over it, bound to loopback."""
    from influx_desktop.gui.main_window import MainWindow

    opened = []

    def open_(data_dir: Path, **kwargs):
        coordinator = Coordinator(data_dir, model_cache=model_cache)
        kwargs.setdefault("interfaces", [Interface("lo", LOOPBACK)])
        kwargs.setdefault("host", LOOPBACK)
        window = MainWindow(coordinator, **kwargs)
        qtbot.addWidget(window)
        window.show()
        opened.append((window, coordinator))
        qtbot.waitUntil(lambda: not window.tasks.busy, timeout=5000)
        return window

    yield open_
    for window, coordinator in opened:
        window.shutdown()
        coordinator.close()


@pytest.fixture
def window(open_window, data_dir):
    return open_window(data_dir)


def fill_new_session(qtbot, window, title: str, classes: list[str]) -> None:
    """Type a session's title and classes into the setup form the way a facilitator does."""
    form = window.form
    form.title.clear()
    qtbot.keyClicks(form.title, title)
    for name in classes:
        qtbot.keyClicks(form.classes.new_name, name)
        qtbot.keyClick(form.classes.new_name, "\r")


def start_and_wait(qtbot, window, timeout: int = 120_000) -> None:
    window.toolbar.start_action.trigger()
    qtbot.waitUntil(lambda: not window.controller.starting, timeout=timeout)
    assert window.serving is not None, window.banner.text()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=10_000)


def confirm_stop(window) -> None:
    """Answer "stop" if Stop or closing asked first (it does while participants are in)."""
    if window.stop_dialog is not None:
        window.stop_dialog_buttons["stop"].click()


def close_window(window) -> None:
    """The window's close button, confirmed: the server and mDNS stop, the session is marked stopped."""
    window.close()
    confirm_stop(window)


def stop_and_wait(qtbot, window, timeout: int = 10_000) -> None:
    """Press Stop (confirmed) and wait until the server is down."""
    window.toolbar.stop_action.trigger()
    confirm_stop(window)
    qtbot.waitUntil(lambda: window.serving is None and not window.tasks.busy, timeout=timeout)
