"""``influx-desktop serve`` keeps a session's join link across restarts: the port first bound on
"any free port" is remembered, and a restart without ``--port`` binds it again. A taken port is an
exit code 2 with one line naming it, before anything in the data dir changes. All on 127.0.0.1."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name == "nt", reason="needs POSIX signals")

LOOPBACK = "127.0.0.1"
CLASSES = ["shirt", "trouser", "bag"]


def _command(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "influx_desktop", "serve", "--host", LOOPBACK, "--data-dir", str(data_dir), *args]


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k != "INFLUX_DATA_DIR"}


class Serve:
    """A running ``serve``: what it printed up to its 'data dir:' line, by key."""

    def __init__(self, data_dir: Path, *args: str, timeout: float = 120) -> None:
        self.process = subprocess.Popen(
            _command(data_dir, *args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env()
        )
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in self.process.stdout], daemon=True).start()
        self.info: dict = {}
        seen = []
        deadline = time.monotonic() + timeout
        while "data dir" not in self.info:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.process.kill()
                raise AssertionError(f"serve printed no 'data dir:' line in {timeout} s: {seen}") from None
            seen.append(line)
            key, sep, value = line.rstrip("\n").partition(": ")
            if sep:
                self.info[key] = value

    @property
    def port(self) -> int:
        return int(re.match(r"http://127\.0\.0\.1:(\d+)/\?join=", self.info["url"]).group(1))

    def stop(self) -> None:
        """SIGTERM (what a service manager sends): a clean exit, the listening socket closed."""
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(30) == 0


@pytest.fixture
def data_dir(tmp_path, model_cache, extractor_artifact) -> Path:
    """A data dir whose model cache already holds the exported backbone (hard links: blobs are immutable)."""
    model_cache.head_artifacts(len(CLASSES), 1e-3)
    data = tmp_path / "data"
    target = data / "models" / "blobs"
    target.mkdir(parents=True)
    for blob in (model_cache.root / "blobs").iterdir():
        os.link(blob, target / blob.name)
    shutil.copy2(model_cache.root / "index.json", data / "models" / "index.json")
    return data


@pytest.fixture
def processes():
    started: list[Serve] = []
    yield started
    for serve in started:
        if serve.process.poll() is None:
            serve.process.kill()
            serve.process.wait(30)


def _dump(data_dir: Path) -> str:
    db = sqlite3.connect(data_dir / "influx.sqlite3")
    try:
        return "\n".join(db.iterdump())
    finally:
        db.close()


def _listening_socket(port: int) -> socket.socket:
    """Another program on the port (SO_REUSEADDR: the old server's closed connections may linger in TIME_WAIT)."""
    taken = socket.socket()
    taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    taken.bind((LOOPBACK, port))
    taken.listen(1)
    return taken


def _start_once_and_stop(data_dir: Path, processes: list) -> Serve:
    first = Serve(data_dir, "--port", "0", "--title", "Stable link", "--classes", ",".join(CLASSES))
    processes.append(first)
    first.stop()
    return first


def test_a_restart_without_port_serves_the_same_join_link(data_dir, processes):
    first = _start_once_and_stop(data_dir, processes)
    assert first.info["url"].startswith(f"http://{LOOPBACK}:")

    second = Serve(data_dir)  # no --port, no --title: the newest session, where it was served
    processes.append(second)
    assert second.info["url"] == first.info["url"]  # host, port and join code
    assert second.info["session"] == first.info["session"]
    assert "note" not in second.info  # nothing to warn about: the link did not change
    with socket.create_connection((LOOPBACK, second.port), timeout=5):
        pass
    second.stop()

    third = Serve(data_dir, "--session", first.info["session"])
    processes.append(third)
    assert third.info["url"] == first.info["url"]
    third.stop()


def test_a_taken_port_exits_2_naming_it_and_changes_nothing_then_an_explicit_port_wins(data_dir, processes):
    first = _start_once_and_stop(data_dir, processes)
    port = first.port
    before = _dump(data_dir)

    with _listening_socket(port):
        refused = subprocess.run(_command(data_dir), capture_output=True, text=True, env=_env(), timeout=120)
        assert refused.returncode == 2, refused
        assert refused.stdout == ""
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1, refused.stderr
        assert lines[0].startswith(f"influx-desktop: Port {port} on {LOOPBACK} is in use by another program.")
        assert "nothing was changed" in lines[0] and "--port" in lines[0] and "join links" in lines[0]
        assert _dump(data_dir) == before  # no state change, no event, no new address

        # The facilitator picks another port explicitly: it overrides the remembered one and is remembered.
        offered = int(re.search(r"--port (\d+)", lines[0]).group(1))
        assert offered not in (0, port)
        moved = Serve(data_dir, "--port", str(offered))
        processes.append(moved)
        assert moved.port == offered
        assert moved.info["url"].split("?")[1] == first.info["url"].split("?")[1]  # the same join code
        assert moved.info["note"].startswith(f"this session was served at http://{LOOPBACK}:{port} before")
        moved.stop()

    again = Serve(data_dir)
    processes.append(again)
    assert again.port == offered
    again.stop()
    db = sqlite3.connect(data_dir / "influx.sqlite3")
    try:
        assert db.execute("SELECT host, port FROM session_network").fetchall() == [(LOOPBACK, offered)]
        kinds = [row[0] for row in db.execute("SELECT kind FROM events ORDER BY id")]
    finally:
        db.close()
    assert kinds.count("server_address_changed") == 2  # the first port, then the chosen one; restarts add none


def test_a_port_out_of_range_is_refused_by_the_parser(data_dir):
    refused = subprocess.run(_command(data_dir, "--port", "70000"), capture_output=True, text=True, env=_env(), timeout=60)
    assert refused.returncode == 2 and "70000 is not a port" in refused.stderr
    assert not (data_dir / "influx.sqlite3").exists()
