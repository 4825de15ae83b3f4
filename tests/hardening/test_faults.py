"""Faults: SIGKILL of `influx-desktop serve` under load, and starting on a read-only, full or corrupt store.

- SIGKILL: 10 participant threads post updates over HTTP (127.0.0.1) while the serve process is killed
  with SIGKILL at random moments and restarted on the same data dir and port. Afterwards every update
  that was acknowledged with HTTP 200 is in the database exactly once with the bytes that were sent, and
  replaying the accepted updates with FedAsync (their stored weight) from version 0 reproduces every
  stored version bit for bit.
- Read-only data dir: as root chmod does not stop writes, so the serve process runs in its own mount
  namespace (``unshare -m``) where the data dir is bind-mounted read-only (EROFS, which stops root too).
  As another user chmod is enough.
- Full disk: RLIMIT_FSIZE (set in the child only, SIGXFSZ ignored) stops the database file from
  growing, which is what a full disk looks like to SQLite; in-process, ``PRAGMA max_page_count`` does
  the same to a running server.
- Corrupt database: garbage, a damaged table page, a truncated file.

Each start-up failure must be exit code 2 with a clear message on stderr, the original file byte for
byte unchanged, and no silent reset to an empty database.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from serve_process import ServeProcess, serve_command

from influx_desktop.coordinator import Coordinator
from influx_desktop.models import head
from influx_desktop.store import blob_to_vector
from influx_desktop.strategies.aggregate import fedasync_mix

CLASSES = "shirt,trouser,sneaker,bag"
K = 4
PARTICIPANTS = 10
KILLS = 4
UPDATES_EACH = 200  # bound; in practice the run ends after the last kill
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _data_dir_with_shared_models(path: Path, model_cache) -> Path:
    """A data dir whose models/ is the suite's model cache, so serve never exports the backbone again."""
    path.mkdir(parents=True)
    (path / "models").symlink_to(model_cache.root.resolve(), target_is_directory=True)
    return path


def _http(method: str, url: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 10.0):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with NO_PROXY.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), exc.read()


class Participant(threading.Thread):
    """Fetch the model, nudge it, post it; remember every update the server acknowledged with 200."""

    def __init__(self, base_url: str, join_code: str, index: int, stop: threading.Event, max_updates: int) -> None:
        super().__init__(daemon=True, name=f"participant-{index}")
        self.base_url, self.index, self.stop, self.max_updates = base_url, index, stop, max_updates
        status, _, body = _http(
            "POST", f"{base_url}/api/v1/join", f'{{"join_code": "{join_code}"}}'.encode(), {"Content-Type": "application/json"}
        )
        assert status == 200, body
        import json

        self.token = json.loads(body)["token"]
        self.acknowledged: list[tuple[int, str]] = []  # (update id, sha256 of the bytes sent)
        self.failures = 0
        self.error: BaseException | None = None
        self.throttled = 0
        self.rng = np.random.default_rng(index)

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    def _run(self) -> None:
        import json

        auth = {"Authorization": f"Bearer {self.token}"}
        while not self.stop.is_set() and len(self.acknowledged) < self.max_updates:
            try:
                status, headers, body = _http("GET", f"{self.base_url}/api/v1/model", headers=auth)
                if status != 200:
                    raise ConnectionError(status)
                version = headers["X-Model-Version"]
                current = np.frombuffer(body, dtype="<f4")
                # honest-sized (within the automatic clip), so the replay below needs no clipping
                sent = (current + self.rng.normal(0, 0.002, current.size)).astype("<f4").tobytes()
                status, _, body = _http(
                    "POST",
                    f"{self.base_url}/api/v1/updates",
                    sent,
                    {**auth, "Content-Type": "application/octet-stream", "X-Base-Version": version, "X-Sample-Count": "8"},
                )
                if status == 200:
                    self.acknowledged.append((json.loads(body)["update_id"], hashlib.sha256(sent).hexdigest()))
                elif status == 429:  # serve's in-memory limit (30/min per participant); a restart resets it
                    self.throttled += 1
                    time.sleep(0.1)
                elif status not in (409,):  # too stale after a burst: retrain on the new model
                    raise AssertionError(f"update refused: {status} {body[:300]!r}")
            except (ConnectionError, OSError, urllib.error.URLError, http.client.HTTPException):
                # The server is down (being killed or restarting), or died mid-answer (IncompleteRead,
                # BadStatusLine: HTTPException, not OSError): nothing was acknowledged; try again shortly.
                self.failures += 1
                time.sleep(0.05)


@pytest.mark.slow
def test_sigkill_loses_no_acknowledged_update_and_replay_matches(tmp_path, model_cache, extractor_artifact):
    data_dir = _data_dir_with_shared_models(tmp_path / "data", model_cache)
    port = _free_port()
    serve = ServeProcess(data_dir, "--port", str(port), "--title", "Kill me", "--classes", CLASSES)
    info = serve.info
    base_url = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    participants = [Participant(base_url, info["join code"], i, stop, max_updates=UPDATES_EACH) for i in range(PARTICIPANTS)]
    for p in participants:
        p.start()
    rng = random.Random(7)
    kills = 0
    acks_at_kill = []
    deadline = time.monotonic() + 240
    try:
        while kills < KILLS and time.monotonic() < deadline:
            time.sleep(rng.uniform(0.2, 1.5))
            acks_at_kill.append(sum(len(p.acknowledged) for p in participants))
            serve.kill()
            kills += 1
            time.sleep(rng.uniform(0.0, 0.3))
            # the same port and session: it resumes the same version and parameters
            serve = ServeProcess(data_dir, "--port", str(port), "--session", info["session"])
        time.sleep(1.0)
    finally:
        stop.set()
        for p in participants:
            p.join(timeout=60)
        serve.stop()
    assert kills == KILLS
    assert [p.error for p in participants if p.error] == []
    acknowledged = [a for p in participants for a in p.acknowledged]
    assert len(acknowledged) >= 50, "too few updates went through to prove anything"
    print(
        f"{kills} SIGKILLs, {len(acknowledged)} acknowledged updates (at the kills: {acks_at_kill}), "
        f"{sum(p.failures for p in participants)} requests failed while the server was down, "
        f"{sum(p.throttled for p in participants)} throttled"
    )
    # Each kill landed while updates were flowing: acknowledgements grew between consecutive kills.
    assert all(b > a for a, b in zip([0, *acks_at_kill], acks_at_kill)), acks_at_kill

    coordinator = Coordinator(data_dir)
    try:
        sid = int(info["session"])
        rows = {
            r["id"]: r
            for r in coordinator.store.query(
                "SELECT id, status, weight, parameters, applied_version FROM updates WHERE session_id=?", (sid,)
            )
        }
        ids = [update_id for update_id, _ in acknowledged]
        assert len(ids) == len(set(ids)), "an update id was acknowledged twice"
        for update_id, sent_sha in acknowledged:
            row = rows[update_id]  # present ...
            assert row["status"] == "applied"
            assert hashlib.sha256(row["parameters"]).hexdigest() == sent_sha  # ... with the bytes that were sent

        # Replay: version v = fedasync_mix(version v-1, its update, the update's stored weight), bit for bit.
        versions = coordinator.store.query(
            "SELECT version, parameters, update_ids FROM model_versions WHERE session_id=? ORDER BY version", (sid,)
        )
        assert [v["version"] for v in versions] == list(range(len(versions)))
        import json

        current = head.initial_parameters(K)
        assert np.array_equal(blob_to_vector(versions[0]["parameters"]), current)
        applied = []
        for v in versions[1:]:
            for update_id in json.loads(v["update_ids"]):
                row = rows[update_id]
                current = fedasync_mix(current, blob_to_vector(row["parameters"]), row["weight"])
                applied.append(update_id)
            assert np.array_equal(current, blob_to_vector(v["parameters"])), f"version {v['version']} differs"
        assert len(applied) == len(set(applied)), "an update was aggregated twice"
        assert sorted(applied) == sorted(i for i, r in rows.items() if r["status"] == "applied")
        assert set(ids) <= set(applied)
        assert np.array_equal(coordinator.parameters(sid)[1], current)
    finally:
        coordinator.close()


# ---------------------------------------------------------------------------------------- start-up faults


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def stored_db(tmp_path, model_cache) -> Path:
    """A data dir holding a real database: one running session with a few applied updates, checkpointed."""
    data_dir = _data_dir_with_shared_models(tmp_path / "data", model_cache)
    coordinator = Coordinator(data_dir, model_cache=model_cache)
    session = coordinator.create_session({"title": "Stored", "classes": CLASSES.split(",")})
    coordinator._set_state(session["id"], "running", ("draft",), "session_started")  # no model files needed
    who = coordinator.authenticate(coordinator.join(session["join_code"])["token"])
    for _ in range(8):
        version, parameters = coordinator.parameters(session["id"])
        coordinator.submit_update(who, version, 4, (parameters + 0.01).astype("<f4").tobytes())
    coordinator.close()
    db = sqlite3.connect(data_dir / "influx.sqlite3")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    for extra in data_dir.glob("influx.sqlite3-*"):
        extra.unlink()
    return data_dir


def _run_serve(data_dir: Path, *extra: str, wrap: list[str] = (), preexec=None, timeout: float = 60.0):
    return subprocess.run(
        [*wrap, *serve_command(data_dir, "--port", "0", *extra)],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=preexec,
    )


def _assert_refused(run, *phrases: str) -> None:
    assert run.returncode == 2, (run.returncode, run.stdout[-500:], run.stderr[-2000:])
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    message = run.stderr.strip()
    assert message.startswith("influx-desktop: "), message
    for phrase in phrases:
        assert phrase in message, message
    assert "url:" not in run.stdout  # it never started serving


def _corrupt_garbage(db: Path) -> None:
    db.write_bytes(os.urandom(db.stat().st_size))


def _corrupt_table_page(db: Path) -> None:
    """Flip bytes in a b-tree page past the first: the header is fine, so SQLite opens it without complaint."""
    data = bytearray(db.read_bytes())
    page = 4096
    conn = sqlite3.connect(db)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name='sessions'").fetchone()[0]
    conn.close()
    start = (root - 1) * page
    for i in range(start + 8, start + page, 3):
        data[i] ^= 0x5A
    db.write_bytes(bytes(data))


def _truncate(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("damage", [_corrupt_garbage, _corrupt_table_page, _truncate], ids=["garbage", "table-page", "truncated"])
def test_corrupt_database_is_refused_and_kept_byte_identical(stored_db, damage):
    db = stored_db / "influx.sqlite3"
    damage(db)
    before = _sha(db)
    run = _run_serve(stored_db, "--session", "1")
    _assert_refused(run, "cannot be opened", "left untouched", str(db))
    assert _sha(db) == before
    # No silent reset either: asking for a new session on the damaged file is refused the same way.
    run = _run_serve(stored_db, "--title", "Fresh", "--classes", "a,b")
    _assert_refused(run, "cannot be opened")
    assert _sha(db) == before


def _read_only_wrapper(data_dir: Path) -> list[str]:
    """A command prefix under which ``data_dir`` really is read-only for this user."""
    if os.geteuid() != 0:
        for path in [data_dir, *data_dir.glob("influx.sqlite3*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        return []
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip(
            "running as root (chmod does not stop root) and unshare -m is not permitted here, "
            "so a read-only bind mount cannot be made"
        )
    mount = f'mount --bind "{data_dir}" "{data_dir}" && mount -o remount,bind,ro "{data_dir}" && exec "$0" "$@"'
    return [unshare, "-m", "sh", "-c", mount]


@pytest.mark.parametrize("existing", [True, False], ids=["with-database", "empty"])
def test_read_only_data_dir_is_named_as_such(stored_db, tmp_path, existing):
    data_dir = stored_db if existing else tmp_path / "empty"
    data_dir.mkdir(exist_ok=True)
    db = data_dir / "influx.sqlite3"
    before = _sha(db) if existing else None
    wrap = _read_only_wrapper(data_dir)
    run = _run_serve(data_dir, *(("--session", "1") if existing else ("--title", "T", "--classes", "a,b")), wrap=wrap)
    _assert_refused(run, "read-only", str(data_dir), "--data-dir")
    if existing:
        assert _sha(db) == before
    else:
        assert not db.exists()


def test_full_disk_at_start_up_is_refused_and_the_file_kept(stored_db):
    db = stored_db / "influx.sqlite3"
    before = _sha(db)
    # Room for SQLite's 32 KB shared-memory index, none for the new session's pages: its 50-class initial
    # model alone is 256 KB of write-ahead log.
    limit = 40_000

    def no_room() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    classes = ",".join(f"class{i}" for i in range(50))
    run = _run_serve(stored_db, "--title", "No room", "--classes", classes, preexec=no_room)
    _assert_refused(run, "Could not write", "disk full or read-only", "Nothing was changed")
    assert _sha(db) == before
    coordinator = Coordinator(stored_db)
    try:
        assert [s["title"] for s in (c["config"] for c in coordinator.list_sessions())] == ["Stored"]
    finally:
        coordinator.close()


def test_disk_filling_up_while_serving_answers_503_and_changes_nothing(stored_db, model_cache):
    from influx_desktop.server.app import create_app
    from influx_desktop.server.limits import RateLimits

    coordinator = Coordinator(stored_db, model_cache=model_cache)
    try:
        client = create_app(coordinator, "admin", webclient_dir=None, limits=RateLimits(0, 0, 0)).test_client()
        token = client.post("/api/v1/join", json={"join_code": coordinator.get_session(1)["join_code"]}).json["token"]
        version, parameters = coordinator.parameters(1)
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/octet-stream",
            "X-Base-Version": str(version),
            "X-Sample-Count": "4",
        }
        body = (parameters + 0.01).astype("<f4").tobytes()
        db = coordinator.store._db
        db.execute(f"PRAGMA max_page_count={db.execute('PRAGMA page_count').fetchone()[0]}")  # this connection only
        before = coordinator.updates(1), coordinator.parameters(1)[1].tobytes()
        full = client.post("/api/v1/updates", data=body, headers=headers)
        assert full.status_code == 503
        assert full.json["error"]["code"] == "write_failed" and "disk full" in full.json["error"]["message"]
        assert (coordinator.updates(1), coordinator.parameters(1)[1].tobytes()) == before
        db.execute("PRAGMA max_page_count=1073741823")  # space freed: the same update goes through
        ok = client.post("/api/v1/updates", data=body, headers=headers)
        assert ok.status_code == 200 and ok.json["version"] == version + 1
    finally:
        coordinator.close()


def test_quick_check_cost_is_small(tmp_path):
    """The integrity check at start-up reads the whole file: it must stay cheap for a classroom's database."""
    path = tmp_path / "big.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (b BLOB)")
    conn.executemany("INSERT INTO t VALUES (?)", ((os.urandom(20_496),) for _ in range(2500)))  # ~50 MB of versions
    conn.commit()
    conn.close()
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA quick_check(1)").fetchone()[0] == "ok"
    conn.close()
    elapsed = time.perf_counter() - started
    print(f"quick_check of {path.stat().st_size / 1e6:.0f} MB: {elapsed:.2f} s")
    assert elapsed < 5.0
