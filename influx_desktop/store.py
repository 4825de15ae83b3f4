"""SQLite persistence: sessions, participants, model versions, updates, test results and the event log.

One connection guarded by a lock; every write is one transaction, committed with ``synchronous=FULL`` in
WAL mode, so an acknowledged update survives a power cut. The queries every part of the core needs (a
session's row and settings, a model version's parameters) are the functions at the end: each takes a
connection, inside a transaction (``with store.transaction() as db``) or under the lock (``store.read``).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .errors import NotFound, StorageError
from .paths import create_private_file, make_private_dir, restrict_to_owner
from .session import SessionConfig

log = logging.getLogger(__name__)
T = TypeVar("T")

SCHEMA_VERSION = 4

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    config TEXT NOT NULL,
    join_code TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,                 -- draft | running | paused | stopped
    has_run INTEGER NOT NULL DEFAULT 0,
    artifacts TEXT,                      -- JSON: manifest artifact entries once prepared
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS session_network (  -- where a session was last served: its join link's host and port
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
    host TEXT NOT NULL,                  -- the listening address the QR code carries
    interface TEXT,                      -- that address's adapter name when known, for display
    port INTEGER NOT NULL,               -- the port actually bound (never 0)
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS participants (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    nickname TEXT NOT NULL,
    device TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,   -- the token itself is never stored
    joined_at REAL NOT NULL,
    last_seen REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    device_key_sha256 TEXT,              -- the browser profile's device_key, hashed (a rejoin finds the row)
    device_blocked INTEGER NOT NULL DEFAULT 0  -- removed with a block: joins with this device key are refused
);
CREATE TABLE IF NOT EXISTS model_versions (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    version INTEGER NOT NULL,
    parameters BLOB NOT NULL,            -- little-endian float32
    created_at REAL NOT NULL,
    update_ids TEXT NOT NULL,            -- JSON list of the updates aggregated into it
    PRIMARY KEY (session_id, version)
);
CREATE TABLE IF NOT EXISTS updates (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    base_version INTEGER NOT NULL,
    staleness INTEGER,
    weight REAL,
    norm REAL,
    sample_count INTEGER NOT NULL,
    status TEXT NOT NULL,                -- buffered | applied | rejected
    reason TEXT,
    applied_version INTEGER,
    parameters BLOB,                     -- the client's parameters (accepted updates only)
    received_at REAL NOT NULL,
    idempotency_key TEXT,                -- the client's Idempotency-Key: a retry gets `answer` back
    request_sha256 TEXT,                 -- base version, sample count and body of the request that made the row
    answer TEXT                          -- JSON: the answer given ({"result": ...} or {"error": ...} with class, code,
                                         -- message, field, template and params, the last two since issue 15)
);
CREATE INDEX IF NOT EXISTS updates_by_session ON updates(session_id, status);
CREATE TABLE IF NOT EXISTS test_results (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL,
    participant_id INTEGER,              -- NULL: the server's own evaluation
    test_set INTEGER,                    -- server evaluations: the test set scored on (its event id)
    version INTEGER NOT NULL,
    accuracy REAL NOT NULL,
    n INTEGER NOT NULL,
    per_class TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS study_events (  -- browser interaction events, only with study logging on
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL,
    participant_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,                -- the browser's own monotonic counter
    client_at REAL NOT NULL,
    received_at REAL NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (participant_id, seq)         -- a batch re-sent after a lost answer is stored once
);
CREATE TABLE IF NOT EXISTS class_stats (   -- each participant's latest per-class feature statistics (class_stats.py)
    participant_id INTEGER PRIMARY KEY REFERENCES participants(id),
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    counts TEXT NOT NULL,                -- JSON list: training photos per class
    statistics BLOB NOT NULL,            -- little-endian float32: K×D feature sums, then K×D sums of squares
    received_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS model_starts (  -- the head's start from everyone's class statistics, from a version on
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    version INTEGER NOT NULL,
    parameters BLOB NOT NULL,            -- little-endian float32, the head's layout
    means BLOB NOT NULL,                 -- little-endian float32 [K,D]: the pooled class means it came from
    counts TEXT NOT NULL,                -- JSON list: the pooled photos per class
    PRIMARY KEY (session_id, version)
);
CREATE TABLE IF NOT EXISTS session_groups (  -- one join code for several sessions: a study's conditions (groups.py)
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    join_code TEXT NOT NULL UNIQUE,      -- from the sessions' namespace: no session has it, nor ever will
    policy TEXT NOT NULL,                -- round_robin | sequence
    sequence TEXT,                       -- JSON list of member session ids, repeated (policy sequence)
    created_at REAL NOT NULL,
    deleted_at REAL                      -- deleted by the facilitator: the code stops working, the rest is kept
);
CREATE TABLE IF NOT EXISTS group_members (
    group_id INTEGER NOT NULL REFERENCES session_groups(id),
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    member_order INTEGER NOT NULL,       -- 0, 1, …: the order given, which round robin follows
    condition TEXT NOT NULL,             -- the condition's label in exports (default: the session's title)
    PRIMARY KEY (group_id, session_id)
);
CREATE TABLE IF NOT EXISTS group_assignments (  -- who the group put where; a device's rejoin finds its row
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES session_groups(id),
    position INTEGER NOT NULL,           -- 1, 2, …: the n-th participant the group assigned
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),  -- the participant the assignment made
    condition TEXT NOT NULL,             -- the session's label in the group
    device_key_sha256 TEXT,              -- the browser's device_key hashed with the group id; NULL without one
    assigned_at REAL NOT NULL,
    UNIQUE (group_id, position)
);
CREATE UNIQUE INDEX IF NOT EXISTS group_assignments_by_device ON group_assignments(group_id, device_key_sha256)
    WHERE device_key_sha256 IS NOT NULL;
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    session_id INTEGER,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    participant_id INTEGER,
    data TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
"""

#: Run after the migrations, since they index columns that an older database gains only there.
INDEXES = """
-- One row per key and participant: two simultaneous requests with one key cannot both be stored.
CREATE UNIQUE INDEX IF NOT EXISTS updates_by_idempotency_key ON updates(participant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- One participant per device in a session, among those not removed.
CREATE UNIQUE INDEX IF NOT EXISTS participants_by_device ON participants(session_id, device_key_sha256)
    WHERE device_key_sha256 IS NOT NULL AND revoked = 0;
"""

#: MIGRATIONS[v] takes a database from schema version v to v + 1.
MIGRATIONS: dict[int, str] = {
    1: """
    ALTER TABLE updates ADD COLUMN idempotency_key TEXT;
    ALTER TABLE updates ADD COLUMN request_sha256 TEXT;
    ALTER TABLE updates ADD COLUMN answer TEXT;
    ALTER TABLE participants ADD COLUMN device_key_sha256 TEXT;
    """,
    2: """
    ALTER TABLE participants ADD COLUMN device_blocked INTEGER NOT NULL DEFAULT 0;
    """,
    # Session groups (issue 18) are new tables, which SCHEMA creates in an older database too (IF NOT EXISTS).
    3: "-- no statement: the new version keeps an app of schema 3 from writing to a database with groups",
}


def vector_to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def blob_to_vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)


class Store:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            make_private_dir(self.path.parent)  # 0700: the database holds nicknames, devices and the study log
            self._check_writable()
            create_private_file(self.path)  # 0600; SQLite gives its -wal and -shm files the same mode
            for companion in ("-wal", "-shm", "-journal"):  # left by an older version with the umask's mode
                restrict_to_owner(self.path.with_name(self.path.name + companion))
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._check_integrity()
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)
            self._migrate()
            self._db.executescript(INDEXES)
        except sqlite3.DatabaseError as exc:
            raise StorageError(
                "The database {path} cannot be opened ({error}). It was left untouched; move it aside to start fresh, or "
                "restore a backup.",
                code="database_unusable",
                path=str(self.path),
                error=str(exc),
            ) from exc
        except OSError as exc:
            raise StorageError(
                "The data directory {path} cannot be used ({error}). Choose a writable folder with --data-dir or "
                "INFLUX_DATA_DIR.",
                code="data_dir_unusable",
                path=str(self.path.parent),
                error=str(exc.strerror or exc),
            ) from exc

    def _check_writable(self) -> None:
        """A read-only folder or file would otherwise surface as SQLite's vague 'unable to open database file'."""
        for target in (self.path.parent, self.path):
            if target.exists() and not os.access(target, os.W_OK):
                raise OSError(errno.EROFS, f"{target} is read-only")

    def _check_integrity(self) -> None:
        """Refuse a damaged file before anything writes to it. Opening only reads the schema page, so a
        corrupt data page would otherwise pass, be served from and written over."""
        rows = self._db.execute("PRAGMA quick_check(1)").fetchall()
        if [tuple(r) for r in rows] != [("ok",)]:
            raise sqlite3.DatabaseError(f"integrity check failed: {rows[0][0] if rows else 'no answer'}")

    def _migrate(self) -> None:
        """Bring an older database up to SCHEMA_VERSION, one step per transaction; refuse a newer one."""
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:  # just created from SCHEMA
            self._db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            return
        version = int(row["value"])
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"schema version {version} is newer than this app's {SCHEMA_VERSION} (written by a newer version)"
            )
        while version < SCHEMA_VERSION:
            # executescript would COMMIT first; run the steps one by one inside an explicit transaction.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in filter(str.strip, MIGRATIONS[version].split(";")):
                    self._db.execute(statement)
                version += 1
                self._db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(version),))
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    @contextmanager
    def transaction(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One atomic write under the store's lock, committed on success and rolled back on error. ``durable=False``
        commits without waiting for the disk (synchronous=NORMAL), for what a power cut may lose: last_seen."""
        with self._lock:
            self._db.execute("PRAGMA synchronous=" + ("FULL" if durable else "NORMAL"))
            try:
                with self._atomic() as db:
                    yield db
            finally:
                self._db.execute("PRAGMA synchronous=FULL")

    @contextmanager
    def _atomic(self) -> Iterator[sqlite3.Connection]:  # under the lock
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise self._storage_error(exc) from exc
        try:
            yield self._db
        except sqlite3.OperationalError as exc:  # disk full, I/O error, read-only file: not the caller's fault
            self._rollback()
            raise self._storage_error(exc) from exc
        except BaseException:
            self._rollback()
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._rollback()
            raise self._storage_error(exc) from exc

    def _rollback(self) -> None:
        # After SQLITE_FULL or an I/O error SQLite may already have rolled the transaction back itself;
        # a second ROLLBACK would raise "no transaction is active" and hide the real error.
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _storage_error(self, exc: Exception) -> StorageError:
        # The answer may go to a participant: it names the problem, not the path (the log has that).
        log.info("could not write to %s: %s", self.path, exc)
        return StorageError(
            "Could not write to the database ({error}); is the disk full or read-only? Nothing was changed.",
            code="write_failed",
            error=str(exc),
        )

    def read(self, function: Callable[..., T], *args: Any) -> T:
        """``function(connection, *args)`` under the lock, outside a transaction: for the query functions below."""
        with self._lock:
            return function(self._db, *args)

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple = ()) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(sql, params).fetchone()

    @staticmethod
    def append_event(
        db: sqlite3.Connection, session_id: int | None, kind: str, participant_id: int | None, data: dict[str, Any]
    ) -> tuple[int, float]:
        at = time.time()
        cur = db.execute(
            "INSERT INTO events (session_id, at, kind, participant_id, data) VALUES (?, ?, ?, ?, ?)",
            (session_id, at, kind, participant_id, json.dumps(data, sort_keys=True)),
        )
        return int(cur.lastrowid), at

    def close(self) -> None:
        with self._lock:
            self._db.close()


# ---------------------------------------------------------------------- queries (``db``: a connection)


def session_row(db: sqlite3.Connection, session_id: Any) -> sqlite3.Row:
    """The session's row; ``NotFound`` (``session_unknown``) for an id that names no session."""
    if isinstance(session_id, bool) or not isinstance(session_id, int):
        raise NotFound("There is no session {session!r}.", code="session_unknown", session=session_id)
    row = db.execute("SELECT * FROM sessions WHERE id=?", (session_id,)).fetchone()
    if row is None:
        raise NotFound("There is no session {session}.", code="session_unknown", session=session_id)
    return row


def config_of(row: sqlite3.Row) -> SessionConfig:
    """The settings stored in a row of ``sessions`` (any query that selected its ``config`` column)."""
    return SessionConfig.from_dict(json.loads(row["config"]))


def session_config(db: sqlite3.Connection, session_id: Any) -> SessionConfig:
    return config_of(session_row(db, session_id))


def latest_version(db: sqlite3.Connection, session_id: int) -> int:
    """The session's newest model version."""
    return int(db.execute("SELECT MAX(version) AS v FROM model_versions WHERE session_id=?", (session_id,)).fetchone()["v"])


def model_parameters(db: sqlite3.Connection, session_id: int, version: int) -> np.ndarray:
    """The head parameters of one model version; ``NotFound`` (``version_unknown``) if it does not exist."""
    row = db.execute("SELECT parameters FROM model_versions WHERE session_id=? AND version=?", (session_id, version)).fetchone()
    if row is None:
        raise NotFound(
            "Session {session} has no model version {version}.", code="version_unknown", session=session_id, version=version
        )
    return blob_to_vector(row["parameters"])


def add_model_version(
    db: sqlite3.Connection, session_id: int, version: int, parameters: np.ndarray, now: float, update_ids: list[int]
) -> None:
    """Store a new model version: its parameters and the updates aggregated into it (none: version 0, or a
    version that class statistics made)."""
    db.execute(
        "INSERT INTO model_versions VALUES (?, ?, ?, ?, ?)",
        (session_id, version, vector_to_blob(parameters), now, json.dumps(update_ids)),
    )
