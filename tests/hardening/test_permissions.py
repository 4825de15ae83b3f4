"""The data directory is private (0700), the database and exports are 0600, and no error answer names a
filesystem path (issue 13, item 9). POSIX modes: skipped on Windows, where profile folders are private."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.errors import ModelUnavailable
from influx_desktop.paths import make_private_dir
from influx_desktop.server.app import create_app
from influx_desktop.server.limits import RateLimits

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The usual desktop umask (022: files 0644, folders 0755), so the modes below are the code's doing."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_data_dir_is_0700_and_the_database_files_0600(tmp_path, open_umask):
    data_dir = tmp_path / "new" / "data"
    coordinator = Coordinator(data_dir)
    try:
        coordinator.create_session({"title": "t", "classes": ["a", "b"]})  # writes: the WAL and SHM exist now
        assert _mode(data_dir) == 0o700
        files = sorted(data_dir.glob("influx.sqlite3*"))
        assert {f.name for f in files} >= {"influx.sqlite3", "influx.sqlite3-wal", "influx.sqlite3-shm"}
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        coordinator.close()


def test_an_older_open_data_dir_is_tightened_on_start(tmp_path, open_umask):
    data_dir = tmp_path / "data"
    Coordinator(data_dir).close()
    os.chmod(data_dir, 0o755)
    for f in data_dir.glob("influx.sqlite3*"):
        os.chmod(f, 0o644)
    coordinator = Coordinator(data_dir)
    try:
        assert _mode(data_dir) == 0o700
        assert {_mode(f) for f in data_dir.glob("influx.sqlite3*")} == {0o600}
    finally:
        coordinator.close()


def test_tightening_never_adds_a_bit(tmp_path, open_umask):
    folder = tmp_path / "read-only-on-purpose"
    folder.mkdir()
    os.chmod(folder, 0o555)
    make_private_dir(folder)
    assert _mode(folder) == 0o500


def test_exports_written_by_the_app_are_0600(tmp_path):
    """The app sets umask 077 at start (cli.main), so what the GUI saves (model, event log, study data)
    is the user's alone. Run in a child: the umask is process-wide."""
    target = tmp_path / "events.csv"
    code = (
        "import os, sys; os.umask(0o022)\n"
        "from influx_desktop.cli import private_umask; private_umask()\n"
        "from influx_desktop.gui.exports import write_atomically\n"
        "from pathlib import Path; write_atomically(Path(sys.argv[1]), b'id,kind\\n')\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run([sys.executable, "-c", code, str(target)], check=True, env=env, timeout=120)
    assert target.read_bytes() == b"id,kind\n" and _mode(target) == 0o600


# ------------------------------------------------------------------ no path in an error answer


@pytest.fixture
def served(tmp_path):
    coordinator = Coordinator(tmp_path / "data")
    session = coordinator.create_session({"title": "t", "classes": ["a", "b"]})
    coordinator._set_state(session["id"], "running", ("draft",), "session_started")
    client = create_app(coordinator, "admin", webclient_dir=None, limits=RateLimits.off()).test_client()
    yield coordinator, session, client
    coordinator.close()


def _paths_in(text: str, coordinator) -> list[str]:
    private = {
        str(coordinator.data_dir),
        str(coordinator.data_dir.resolve()),
        str(coordinator.store.path),
        str(Path.home()) + os.sep,
        "influx.sqlite3",
    }
    return [p for p in private if p in text]


def test_a_storage_error_answer_names_the_problem_not_the_database_path(served):
    coordinator, session, client = served
    db = coordinator.store._db
    db.execute(f"PRAGMA max_page_count={db.execute('PRAGMA page_count').fetchone()[0]}")  # the disk is "full"
    for _ in range(500):  # the last page fills up after a few rows
        response = client.post(
            "/api/v1/join", json={"join_code": session["join_code"], "nickname": "x" * 40, "device": "d" * 200}
        )
        if response.status_code != 200:
            break
    assert response.status_code == 503, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "write_failed" and "disk full" in error["message"]
    assert _paths_in(response.get_data(as_text=True), coordinator) == []


def test_any_error_answer_has_the_data_dir_cut_out(served, monkeypatch):
    """A safety net for errors raised below the HTTP layer with a path in their text."""
    coordinator, session, client = served
    token = coordinator.join(session["join_code"])["token"]

    def broken_manifest(participant):
        raise ModelUnavailable(f"Cannot read {coordinator.data_dir / 'models' / 'blobs' / 'x.onnx'}: truncated.")

    monkeypatch.setattr(coordinator, "manifest", broken_manifest)
    response = client.get("/api/v1/task", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert "truncated" in response.get_json()["error"]["message"]
    assert _paths_in(response.get_data(as_text=True), coordinator) == []
