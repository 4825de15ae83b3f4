"""``influx-desktop serve`` keeps a session's join link across restarts: the port first bound on
"any free port" is remembered, and a restart without ``--port`` binds it again. A taken port is an
exit code 2 with one line naming it, before anything in the data dir changes. All on 127.0.0.1."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
from pathlib import Path

import pytest
from serve_process import LOOPBACK, ServeProcess, seed_models, serve_command, serve_env

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name == "nt", reason="needs POSIX signals")

CLASSES = ["shirt", "trouser", "bag"]


@pytest.fixture
def data_dir(tmp_path, model_cache, extractor_artifact) -> Path:
    """A data dir whose model cache already holds the exported backbone and the head's files."""
    model_cache.head_artifacts(len(CLASSES), 1e-3)
    return seed_models(model_cache, tmp_path / "data")


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


def _start_once_and_stop(data_dir: Path, serve_processes: list) -> ServeProcess:
    first = ServeProcess(data_dir, "--port", "0", "--title", "Stable link", "--classes", ",".join(CLASSES))
    serve_processes.append(first)
    assert first.stop() == 0  # a clean exit, the listening socket closed
    return first


def test_a_restart_without_port_serves_the_same_join_link(data_dir, serve_processes):
    first = _start_once_and_stop(data_dir, serve_processes)
    assert first.info["url"].startswith(f"http://{LOOPBACK}:")

    second = ServeProcess(data_dir)  # no --port, no --title: the newest session, where it was served
    serve_processes.append(second)
    assert second.info["url"] == first.info["url"]  # host, port and join code
    assert second.info["session"] == first.info["session"]
    assert "note" not in second.info  # nothing to warn about: the link did not change
    with socket.create_connection((LOOPBACK, second.port), timeout=5):
        pass
    assert second.stop() == 0

    third = ServeProcess(data_dir, "--session", first.info["session"])
    serve_processes.append(third)
    assert third.info["url"] == first.info["url"]
    assert third.stop() == 0


def test_a_taken_port_exits_2_naming_it_and_changes_nothing_then_an_explicit_port_wins(data_dir, serve_processes):
    first = _start_once_and_stop(data_dir, serve_processes)
    port = first.port
    before = _dump(data_dir)

    with _listening_socket(port):
        refused = subprocess.run(serve_command(data_dir), capture_output=True, text=True, env=serve_env(), timeout=120)
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
        moved = ServeProcess(data_dir, "--port", str(offered))
        serve_processes.append(moved)
        assert moved.port == offered
        assert moved.info["url"].split("?")[1] == first.info["url"].split("?")[1]  # the same join code
        assert moved.info["note"].startswith(f"this session was served at http://{LOOPBACK}:{port} before")
        assert moved.stop() == 0

    again = ServeProcess(data_dir)
    serve_processes.append(again)
    assert again.port == offered
    assert again.stop() == 0
    db = sqlite3.connect(data_dir / "influx.sqlite3")
    try:
        assert db.execute("SELECT host, port FROM session_network").fetchall() == [(LOOPBACK, offered)]
        kinds = [row[0] for row in db.execute("SELECT kind FROM events ORDER BY id")]
    finally:
        db.close()
    assert kinds.count("server_address_changed") == 2  # the first port, then the chosen one; restarts add none


def test_a_port_out_of_range_is_refused_by_the_parser(data_dir):
    refused = subprocess.run(
        serve_command(data_dir, "--port", "70000"), capture_output=True, text=True, env=serve_env(), timeout=60
    )
    assert refused.returncode == 2 and "70000 is not a port" in refused.stderr
    assert not (data_dir / "influx.sqlite3").exists()
