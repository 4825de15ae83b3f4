"""The store: a database written by the previous schema (version 1) is brought up to date in place, keeping
its data; one from a newer app is refused untouched; the queries every part of the core shares."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.errors import Forbidden, NotFound, StorageError
from influx_desktop.store import (
    SCHEMA_VERSION,
    Store,
    add_model_version,
    latest_version,
    model_parameters,
    session_config,
    session_row,
)


def _downgrade_to_version_1(path) -> None:
    """What version 1 wrote: no idempotency, device-key or device-block columns and no indexes on them."""
    db = sqlite3.connect(path)
    db.executescript("""
        DROP INDEX updates_by_idempotency_key;
        DROP INDEX participants_by_device;
        ALTER TABLE updates DROP COLUMN idempotency_key;
        ALTER TABLE updates DROP COLUMN request_sha256;
        ALTER TABLE updates DROP COLUMN answer;
        ALTER TABLE participants DROP COLUMN device_key_sha256;
        ALTER TABLE participants DROP COLUMN device_blocked;
        UPDATE meta SET value='1' WHERE key='schema_version';
    """)
    db.close()


def _columns(path, table: str) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
    finally:
        db.close()


def test_a_version_1_database_is_migrated_and_keeps_its_sessions_and_updates(tmp_path, model_cache):
    data = tmp_path / "data"
    c = Coordinator(data, model_cache=model_cache)
    session = c.create_session({"title": "Old", "classes": ["a", "b"]})
    sid = session["id"]
    c.start_session(sid)
    joined = c.join(session["join_code"], "Ada")
    ada = c.authenticate(joined["token"])
    _, parameters = c.parameters(sid)
    body = (parameters + 0.01).astype("<f4").tobytes()
    c.submit_update(ada, 0, 10, body)
    c.close()
    path = data / "influx.sqlite3"
    _downgrade_to_version_1(path)
    assert "idempotency_key" not in _columns(path, "updates")

    c = Coordinator(data, model_cache=model_cache)
    try:
        assert c.store.query_one("SELECT value FROM meta WHERE key='schema_version'")["value"] == str(SCHEMA_VERSION)
        assert {"idempotency_key", "request_sha256", "answer"} <= _columns(path, "updates")
        assert {"device_key_sha256", "device_blocked"} <= _columns(path, "participants")
        assert c.current_version(sid) == 1 and len(c.updates(sid)) == 1
        # The old token still works, and the new features work on the migrated file.
        ada = c.authenticate(joined["token"])
        first = c.submit_update(ada, 1, 10, body, idempotency_key="after-migration")
        assert c.submit_update(ada, 1, 10, body, idempotency_key="after-migration") == first
        assert len(c.updates(sid)) == 2
        again = c.join(session["join_code"], device_key="d" * 16)
        assert c.join(session["join_code"], device_key="d" * 16)["participant_id"] == again["participant_id"]
        c.revoke_participant(sid, again["participant_id"], block_device=True)
        with pytest.raises(Forbidden):
            c.join(session["join_code"], device_key="d" * 16)
    finally:
        c.close()


def test_a_database_from_a_newer_app_is_refused_untouched(tmp_path, model_cache):
    data = tmp_path / "data"
    Coordinator(data, model_cache=model_cache).close()
    path = data / "influx.sqlite3"
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="newer"):
        Coordinator(data, model_cache=model_cache)
    assert path.read_bytes() == before


def test_the_shared_queries_read_sessions_and_versions_inside_a_transaction_or_under_the_lock(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    try:
        with store.transaction() as db:
            db.execute(
                "INSERT INTO sessions (config, join_code, state, created_at) VALUES (?, 'ABCDEF', 'draft', 0)",
                ('{"title": "t", "classes": ["a", "b"], "batch_size": 8}',),
            )
            add_model_version(db, 1, 0, np.zeros(3, dtype=np.float32), 0.0, [])
            add_model_version(db, 1, 1, np.array([1.5, -2, 3], dtype=np.float64), 0.0, [7, 8])
        config = store.read(session_config, 1)
        assert (config.title, config.classes, config.batch_size, config.local_epochs) == ("t", ("a", "b"), 8, 10)
        assert store.read(session_row, 1)["join_code"] == "ABCDEF"
        assert store.read(latest_version, 1) == 1
        parameters = store.read(model_parameters, 1, 1)
        assert parameters.dtype == np.float32 and parameters.tolist() == [1.5, -2.0, 3.0]
        assert store.query_one("SELECT update_ids FROM model_versions WHERE version=1")["update_ids"] == "[7, 8]"
        for unknown in (2, "1", True, None):
            with pytest.raises(NotFound) as missing:
                store.read(session_row, unknown)
            assert missing.value.code == "session_unknown"
        with pytest.raises(NotFound) as missing:
            store.read(model_parameters, 1, 2)
        assert missing.value.code == "version_unknown"
    finally:
        store.close()


def test_only_bookkeeping_commits_without_waiting_for_the_disk_and_every_other_write_stays_durable(tmp_path, coordinator):
    """An acknowledged update must survive a power cut (synchronous=FULL: the commit waits for the disk);
    when a participant was last heard from may be lost (synchronous=NORMAL, no fsync: a task poll does not
    wait for the disk). The connection is back to FULL after such a write, also when it failed."""
    store = Store(tmp_path / "db.sqlite3")
    full, normal = 2, 1

    def synchronous(db) -> int:
        return db.execute("PRAGMA synchronous").fetchone()[0]

    try:
        with store.transaction() as db:
            assert synchronous(db) == full
        with store.transaction(durable=False) as db:
            assert synchronous(db) == normal
        assert store.read(synchronous) == full
        with pytest.raises(StorageError), store.transaction(durable=False) as db:
            db.execute("INSERT INTO no_such_table VALUES (1)")
        assert store.read(synchronous) == full
    finally:
        store.close()

    session = coordinator.create_session({"title": "Seen", "classes": ["a", "b"]})
    coordinator._set_state(session["id"], "running", ("draft",), "session_started")
    who = coordinator.authenticate(coordinator.join(session["join_code"])["token"])
    before = coordinator.participants(session["id"])[0]["last_seen"]
    commits = []
    real = coordinator.store.transaction

    def watched(durable=True):
        commits.append(durable)
        return real(durable)

    coordinator.store.transaction = watched
    coordinator.touch(who)
    assert commits == [False]
    assert coordinator.participants(session["id"])[0]["last_seen"] >= before
