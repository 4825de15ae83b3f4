"""The FL core's one entry point: sessions, participants, updates, aggregation, exports.

The HTTP layer and the Qt app are thin adapters over ``Coordinator``. It knows nothing of
either. Every state change is a single SQLite transaction taken under the store's lock, so
concurrent updates are aggregated one at a time, each exactly once, and an acknowledged
update is on disk before the participant hears "accepted".
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from . import __version__, class_stats
from .errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from .events import Event, EventBus
from .models import head
from .models.backbones import get_backbone
from .models.cache import ModelCache
from .session import SessionConfig
from .store import Store, blob_to_vector, vector_to_blob
from .strategies import ClientUpdate, make_strategy
from .strategies.clipping import with_clipping
from .study import validate_batch
from .testset import ServerEvaluator

JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector
JOIN_CODE_LENGTH = 6
MAX_SAMPLE_COUNT = 1_000_000
#: The most test images a participant's test result may count: far more than a phone holds for a lesson,
#: far less than the 10^6 a made-up result claimed (issue 13).
MAX_TEST_IMAGES = 10_000
ACTIVE_WITHIN_SECONDS = 60.0
EVENT_COLUMNS = ("id", "session_id", "at", "kind", "participant_id", "data")
STUDY_EVENT_COLUMNS = ("session_id", "participant", "source", "seq", "at", "kind", "data")
STUDY_SUMMARY_COLUMNS = (
    "participant", "images", "test_images", "suggestions_shown", "suggestions_accepted", "corrections",
    "trainings", "updates_accepted", "updates_rejected", "active_seconds", "best_test_accuracy",
)
ACTIVE_GAP_SECONDS = 120.0  # a longer silence between two events of a visible page is not counted as active
IDEMPOTENCY_KEY_LENGTH = (8, 100)
DEVICE_KEY_LENGTH = (16, 100)
#: What a replayed rejection is raised as again (the classes submit_update stores rejections of).
REPLAYABLE_ERRORS = {cls.__name__: cls for cls in (Conflict, InvalidInput)}


@dataclass(frozen=True)
class Participant:
    id: int
    session_id: int
    nickname: str


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _hash_device_key(session_id: int, device_key: str) -> str:
    """Salted with the session, so one browser profile's rows in two sessions cannot be linked by the hash."""
    return hashlib.sha256(f"{session_id}:{device_key}".encode()).hexdigest()


def _normalize_join_code(join_code: str) -> str:
    """As typed or scanned: any case, spaces anywhere, full-width letters from a phone keyboard."""
    return "".join(unicodedata.normalize("NFKC", join_code).split()).upper()


class Coordinator:
    def __init__(self, data_dir: Path, *, model_cache: ModelCache | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.store = Store(self.data_dir / "influx.sqlite3")
        self.models = model_cache or ModelCache(self.data_dir / "models")
        self.events = EventBus()
        self._prepare_lock = threading.Lock()
        self._current_artifacts: set[int] = set()  # sessions whose stored head artifacts were checked current
        self.evaluator = ServerEvaluator(self)

    def close(self) -> None:
        self.evaluator.close()
        self.store.close()

    # ------------------------------------------------------------------ events

    def _record(self, db, session_id: int | None, kind: str, participant_id: int | None = None, **data: Any) -> Event:
        event_id, at = Store.append_event(db, session_id, kind, participant_id, data)
        return Event(event_id, session_id, at, kind, participant_id, data)

    def _publish(self, *events: Event) -> None:
        for event in events:
            self.events.publish(event)

    # ------------------------------------------------------------------ sessions

    def create_session(self, settings: Mapping[str, Any]) -> dict:
        config = SessionConfig.from_dict(settings)
        initial = head.initial_parameters(len(config.classes))
        with self.store.transaction() as db:
            join_code = self._new_join_code(db)
            cur = db.execute(
                "INSERT INTO sessions (config, join_code, state, created_at) VALUES (?, ?, 'draft', ?)",
                (json.dumps(config.to_dict()), join_code, time.time()),
            )
            session_id = int(cur.lastrowid)
            db.execute(
                "INSERT INTO model_versions VALUES (?, 0, ?, ?, '[]')", (session_id, vector_to_blob(initial), time.time())
            )
            event = self._record(db, session_id, "session_created", config=config.to_dict())
        self._publish(event)
        return self.get_session(session_id)

    def _new_join_code(self, db) -> str:
        while True:
            code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
            if db.execute("SELECT 1 FROM sessions WHERE join_code=?", (code,)).fetchone() is None:
                return code

    def _session_row(self, session_id: int):
        if isinstance(session_id, bool) or not isinstance(session_id, int):
            raise NotFound(f"There is no session {session_id!r}.", code="session_unknown")
        row = self.store.query_one("SELECT * FROM sessions WHERE id=?", (session_id,))
        if row is None:
            raise NotFound(f"There is no session {session_id}.", code="session_unknown")
        return row

    def config(self, session_id: int) -> SessionConfig:
        return SessionConfig.from_dict(json.loads(self._session_row(session_id)["config"]))

    def get_session(self, session_id: int) -> dict:
        row = self._session_row(session_id)
        version = self.current_version(session_id)
        counts = self.store.query_one(
            "SELECT COUNT(*) AS n, SUM(revoked=0) AS active FROM participants WHERE session_id=?", (session_id,)
        )
        updates = self.store.query_one(
            "SELECT SUM(status='applied') AS applied, SUM(status='buffered') AS buffered, "
            "SUM(status='rejected') AS rejected FROM updates WHERE session_id=?",
            (session_id,),
        )
        return {
            "id": row["id"],
            "config": json.loads(row["config"]),
            "join_code": row["join_code"],
            "state": row["state"],
            "has_run": bool(row["has_run"]),
            "version": version,
            "participants": counts["n"] or 0,
            "active_participants": counts["active"] or 0,
            "updates_applied": updates["applied"] or 0,
            "updates_buffered": updates["buffered"] or 0,
            "updates_rejected": updates["rejected"] or 0,
            "created_at": row["created_at"],
        }

    def list_sessions(self) -> list[dict]:
        return [self.get_session(r["id"]) for r in self.store.query("SELECT id FROM sessions ORDER BY id")]

    def latest_session_id(self) -> int | None:
        row = self.store.query_one("SELECT MAX(id) AS id FROM sessions")
        return row["id"] if row else None

    # ------------------------------------------------------------------ where a session is served

    def network_choice(self, session_id: int) -> dict | None:
        """Where the session was last served, ``{"host", "interface", "port"}``, or None if it never was.

        Browsers keep a participant's photos per origin (host and port), so serving the session at the
        same address again keeps every join link, and the photos behind it, valid across restarts."""
        self._session_row(session_id)
        row = self.store.query_one("SELECT host, interface, port FROM session_network WHERE session_id=?", (session_id,))
        return None if row is None else {"host": row["host"], "interface": row["interface"], "port": row["port"]}

    def remember_network_choice(self, session_id: int, host: Any, port: Any, interface: Any = None) -> dict:
        """Record the address the session is being served at (``port``: the one actually bound, never 0).

        Logged as ``server_address_changed`` (with the previous address) only when it differs."""
        self._session_row(session_id)
        if not isinstance(host, str) or not 0 < len(host) <= 253:
            raise InvalidInput("The server address must be an IP address or host name.", field="host")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port <= 65535:
            raise InvalidInput("The server port must be a whole number from 1 to 65535.", field="port")
        if interface is not None and (not isinstance(interface, str) or len(interface) > 100):
            raise InvalidInput("The interface name must be a short text.", field="interface")
        choice = {"host": host, "interface": interface, "port": port}
        with self.store.transaction() as db:
            row = db.execute("SELECT host, interface, port FROM session_network WHERE session_id=?", (session_id,)).fetchone()
            if row is not None and dict(row) == choice:
                return choice
            db.execute(
                "INSERT OR REPLACE INTO session_network (session_id, host, interface, port, updated_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, host, interface, port, time.time()),
            )
            previous = None if row is None else {"host": row["host"], "port": row["port"]}
            event = self._record(db, session_id, "server_address_changed", previous=previous, **choice)
        self._publish(event)
        return choice

    def update_session(self, session_id: int, changes: Mapping[str, Any]) -> dict:
        if not isinstance(changes, Mapping):
            raise InvalidInput("The changes must be a JSON object.")
        row = self._session_row(session_id)
        old = SessionConfig.from_dict(json.loads(row["config"]))
        new = old.replace(changes)
        backbone_changed = (new.backbone, new.pretrained, new.quantized_backbone) != (
            old.backbone, old.pretrained, old.quantized_backbone
        )
        shape_changed = new.classes != old.classes or backbone_changed
        if shape_changed and row["has_run"]:
            raise Conflict(
                "Classes and backbone cannot change once the session has run: participants' updates and the "
                "model's versions depend on them (an int8 backbone's features differ from the float32 one's "
                "too). Create a new session instead.",
                code="session_has_run",
                field=(
                    "classes" if new.classes != old.classes
                    else "backbone" if (new.backbone, new.pretrained) != (old.backbone, old.pretrained)
                    else "quantized_backbone"
                ),
            )
        with self.store.transaction() as db:
            db.execute("UPDATE sessions SET config=? WHERE id=?", (json.dumps(new.to_dict()), session_id))
            if shape_changed:
                db.execute("DELETE FROM model_versions WHERE session_id=?", (session_id,))
                db.execute(
                    "INSERT INTO model_versions VALUES (?, 0, ?, ?, '[]')",
                    (session_id, vector_to_blob(head.initial_parameters(len(new.classes))), time.time()),
                )
                db.execute("UPDATE sessions SET artifacts=NULL WHERE id=?", (session_id,))
            elif new.learning_rate != old.learning_rate:
                db.execute("UPDATE sessions SET artifacts=NULL WHERE id=?", (session_id,))
            event = self._record(db, session_id, "session_configured", changes=dict(changes))
        if backbone_changed:
            # A test set's features came from the old extractor: scoring heads trained on the new one's
            # features against them would be wrong (silently so for int8, whose features are close).
            self.evaluator.discard(session_id)
        self._publish(event)
        return self.get_session(session_id)

    def prepare_models(self, session_id: int, progress: Callable[[str], None] | None = None) -> dict:
        """Build (or find in the cache) the session's feature extractor and head training artifacts."""
        row = self._session_row(session_id)
        config = SessionConfig.from_dict(json.loads(row["config"]))
        if row["artifacts"]:
            stored = json.loads(row["artifacts"])
            if session_id in self._current_artifacts or self._head_artifacts_current(config, stored):
                self._current_artifacts.add(session_id)
                return stored
        with self._prepare_lock:
            extractor = self.models.feature_extractor(
                config.backbone, config.pretrained, progress=progress, quantized=config.quantized_backbone
            )
            if progress:
                progress("Building the training files for the classifier head…")
            artifacts = self.models.head_artifacts(len(config.classes), config.learning_rate)
        entries = {"feature_extractor": extractor}
        entries.update(
            training_model=artifacts.training_model,
            eval_model=artifacts.eval_model,
            optimizer_model=artifacts.optimizer_model,
            checkpoint=artifacts.checkpoint,
        )
        described = {
            name: {"url": f"/api/v1/artifacts/{a.sha256}", "sha256": a.sha256, "bytes": a.bytes}
            for name, a in entries.items()
        }
        with self.store.transaction() as db:
            db.execute("UPDATE sessions SET artifacts=? WHERE id=?", (json.dumps(described), session_id))
        return described

    def _head_artifacts_current(self, config: SessionConfig, stored: dict) -> bool:
        """Whether a session's stored head artifacts are those of this version's head graph; a session
        prepared before the graph gained its ``logit_offset`` input gets the new files (new hashes)."""
        with self._prepare_lock:
            current = self.models.head_artifacts(len(config.classes), config.learning_rate)
        return stored.get("training_model", {}).get("sha256") == current.training_model.sha256

    def _set_state(self, session_id: int, state: str, allowed_from: tuple[str, ...], kind: str) -> dict:
        row = self._session_row(session_id)
        if row["state"] == state:
            return self.get_session(session_id)
        if row["state"] not in allowed_from:
            raise Conflict(f"The session is {row['state']}; it cannot become {state} from there.", code="bad_state")
        with self.store.transaction() as db:
            db.execute(
                "UPDATE sessions SET state=?, has_run=has_run OR ? WHERE id=?",
                (state, state == "running", session_id),
            )
            event = self._record(db, session_id, kind)
        self._publish(event)
        return self.get_session(session_id)

    def start_session(self, session_id: int, progress: Callable[[str], None] | None = None) -> dict:
        self.prepare_models(session_id, progress)
        self.evaluator.session_started(session_id)
        return self._set_state(session_id, "running", ("draft", "stopped"), "session_started")

    def stop_session(self, session_id: int) -> dict:
        return self._set_state(session_id, "stopped", ("running", "paused"), "session_stopped")

    def pause_session(self, session_id: int) -> dict:
        return self._set_state(session_id, "paused", ("running",), "session_paused")

    def resume_session(self, session_id: int) -> dict:
        return self._set_state(session_id, "running", ("paused",), "session_resumed")

    # ------------------------------------------------------------------ model state

    def current_version(self, session_id: int) -> int:
        row = self.store.query_one("SELECT MAX(version) AS v FROM model_versions WHERE session_id=?", (session_id,))
        return int(row["v"])

    def parameters(self, session_id: int, version: int | None = None) -> tuple[int, np.ndarray]:
        if version is None:
            version = self.current_version(session_id)
        row = self.store.query_one(
            "SELECT parameters FROM model_versions WHERE session_id=? AND version=?", (session_id, version)
        )
        if row is None:
            raise NotFound(f"Session {session_id} has no model version {version}.", code="version_unknown")
        return version, blob_to_vector(row["parameters"])

    def versions(self, session_id: int) -> list[dict]:
        self._session_row(session_id)
        rows = self.store.query(
            "SELECT version, created_at, update_ids FROM model_versions WHERE session_id=? ORDER BY version",
            (session_id,),
        )
        return [
            {"version": r["version"], "created_at": r["created_at"], "update_ids": json.loads(r["update_ids"])}
            for r in rows
        ]

    def updates(self, session_id: int) -> list[dict]:
        self._session_row(session_id)
        rows = self.store.query(
            "SELECT u.id, u.participant_id, p.nickname, u.base_version, u.staleness, u.weight, u.norm, "
            "u.sample_count, u.status, u.reason, u.applied_version, u.received_at "
            "FROM updates u JOIN participants p ON p.id=u.participant_id WHERE u.session_id=? ORDER BY u.id",
            (session_id,),
        )
        return [dict(r) for r in rows]

    def accepted_update_parameters(self, session_id: int) -> list[tuple[int, np.ndarray]]:
        """(update id, client parameters) of every accepted update, in the order they were accepted."""
        rows = self.store.query(
            "SELECT id, parameters FROM updates WHERE session_id=? AND status IN ('applied','buffered') ORDER BY id",
            (session_id,),
        )
        return [(r["id"], blob_to_vector(r["parameters"])) for r in rows]

    # ------------------------------------------------------------------ participants

    def _session_by_join_code(self, join_code: Any):
        if not isinstance(join_code, str) or not join_code.strip():
            raise InvalidInput("A join code is needed: scan the QR code or type the code shown.", field="join_code")
        code = _normalize_join_code(join_code)
        row = self.store.query_one("SELECT id, state, config FROM sessions WHERE join_code=?", (code,))
        if row is None:
            raise NotFound(
                f"No session has the join code '{code[:12]}'. Check the code on the facilitator's screen.",
                code="join_code_unknown",
                field="join_code",
            )
        if row["state"] not in ("running", "paused"):
            raise Conflict(
                "This session is not running. Ask the facilitator to start it, then try again.",
                code="session_not_running",
            )
        return row

    def join_info(self, join_code: Any) -> dict:
        """What a browser shows before joining: the task and, for a study, the consent notice."""
        row = self._session_by_join_code(join_code)
        config = SessionConfig.from_dict(json.loads(row["config"]))
        return {
            "title": config.title,
            "classes": list(config.classes),
            "state": row["state"],
            "study_logging": config.study_logging,
            "consent_notice": config.consent_notice if config.study_logging else None,
        }

    def join(
        self, join_code: Any, nickname: Any = None, device: Any = None, consent: Any = None, device_key: Any = None
    ) -> dict:
        """A new participant, or, when a participant of this session that was not removed has ``device_key``
        (the browser profile's own random key), that participant again: same id, a new token (the old
        token stops working), the nickname and device updated when given."""
        row = self._session_by_join_code(join_code)
        nickname = _short_text(nickname, "nickname", 40)
        device = _short_text(device, "device", 200)
        device_key = _key_field(device_key, "device_key", "device_key", DEVICE_KEY_LENGTH)
        study_logging = SessionConfig.from_dict(json.loads(row["config"])).study_logging
        if study_logging and consent is not True:
            raise Forbidden(
                "This session is part of a study: read the notice and accept it to take part.",
                code="consent_required",
                field="consent",
            )
        session_id = row["id"]
        device_key_sha256 = None if device_key is None else _hash_device_key(session_id, device_key)
        token = secrets.token_urlsafe(32)
        now = time.time()
        try:
            with self.store.transaction() as db:
                event = self._join_in(db, session_id, nickname, device, device_key_sha256, token, now, study_logging)
        except sqlite3.IntegrityError:
            # Another writer stored this device first (the unique index on it); it is a rejoin now.
            if device_key_sha256 is None:
                raise
            with self.store.transaction() as db:
                event = self._join_in(db, session_id, nickname, device, device_key_sha256, token, now, study_logging)
        self._publish(event)
        if event.kind == "join_refused":
            raise Forbidden(
                "The teacher removed this device from the session. Ask them if you think this is a mistake.",
                code="device_blocked",
            )
        return {
            "participant_id": event.participant_id,
            "token": token,
            "session_id": session_id,
            "rejoined": event.kind == "participant_rejoined",
        }

    def _join_in(self, db, session_id: int, nickname: str, device: str, device_key_sha256: str | None, token: str,
                 now: float, study_logging: bool) -> Event:
        blocked = device_key_sha256 and db.execute(
            "SELECT id FROM participants WHERE session_id=? AND device_key_sha256=? AND device_blocked=1 LIMIT 1",
            (session_id, device_key_sha256),
        ).fetchone()
        if blocked:  # the event names the participant whose removal blocked the device
            return self._record(
                db, session_id, "join_refused", blocked["id"], reason="device_blocked", nickname=nickname, device=device
            )
        known = device_key_sha256 and db.execute(
            "SELECT id, nickname, device FROM participants WHERE session_id=? AND device_key_sha256=? AND revoked=0",
            (session_id, device_key_sha256),
        ).fetchone()
        if known:
            nickname, device = nickname or known["nickname"], device or known["device"]
            db.execute(
                "UPDATE participants SET token_sha256=?, nickname=?, device=?, last_seen=? WHERE id=?",
                (_hash_token(token), nickname, device, now, known["id"]),
            )
            return self._record(
                db, session_id, "participant_rejoined", known["id"], nickname=nickname, device=device,
                study_consent=study_logging,
            )
        nickname = nickname or "Participant"
        cur = db.execute(
            "INSERT INTO participants (session_id, nickname, device, token_sha256, joined_at, last_seen, "
            "device_key_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (session_id, nickname, device, _hash_token(token), now, now, device_key_sha256),
        )
        return self._record(
            db, session_id, "participant_joined", int(cur.lastrowid), nickname=nickname, device=device,
            study_consent=study_logging,
        )

    def authenticate(self, token: Any) -> Participant:
        if not isinstance(token, str) or not token:
            raise Unauthorized("Join the session first: this request carries no participant token.", code="token_missing")
        row = self.store.query_one(
            "SELECT id, session_id, nickname, revoked FROM participants WHERE token_sha256=?", (_hash_token(token),)
        )
        if row is None:
            raise Unauthorized("This participant token is not known here; join the session again.", code="token_unknown")
        if row["revoked"]:
            raise Unauthorized(
                "The facilitator removed this participant from the session.", code="token_revoked"
            )
        return Participant(row["id"], row["session_id"], row["nickname"])

    def touch(self, participant: Participant) -> None:
        """Remember when a participant was last heard from (not an event: it would flood the log)."""
        with self.store.transaction() as db:
            db.execute("UPDATE participants SET last_seen=? WHERE id=?", (time.time(), participant.id))

    def participants(self, session_id: int) -> list[dict]:
        self._session_row(session_id)
        rows = self.store.query(
            """
            SELECT p.id, p.nickname, p.device, p.joined_at, p.last_seen, p.revoked, p.device_blocked,
                   p.device_key_sha256 IS NOT NULL AS device_blockable,
                   SUM(u.status IN ('applied','buffered')) AS accepted,
                   SUM(u.status='rejected') AS rejected,
                   (SELECT staleness FROM updates WHERE participant_id=p.id AND status!='rejected'
                    ORDER BY id DESC LIMIT 1) AS last_staleness,
                   (SELECT accuracy FROM test_results WHERE participant_id=p.id ORDER BY id DESC LIMIT 1)
                    AS last_test_accuracy
            FROM participants p LEFT JOIN updates u ON u.participant_id=p.id
            WHERE p.session_id=? GROUP BY p.id ORDER BY p.id
            """,
            (session_id,),
        )
        now = time.time()
        result = []
        for r in rows:
            item = dict(r)
            item["revoked"] = bool(r["revoked"])
            item["device_blocked"] = bool(r["device_blocked"])
            item["device_blockable"] = bool(r["device_blockable"])
            item["accepted"] = r["accepted"] or 0
            item["rejected"] = r["rejected"] or 0
            item["state"] = (
                "removed" if r["revoked"] else "active" if now - r["last_seen"] < ACTIVE_WITHIN_SECONDS else "idle"
            )
            result.append(item)
        return result

    def revoke_participant(self, session_id: int, participant_id: int, block_device: bool = False) -> dict:
        """Revoke the participant's token. ``block_device``: also refuse every later join of this session with
        the participant's device key (and remove whoever that device is now); removed alone, a device that
        joins again becomes a new participant. Blocking an already removed participant's device is allowed."""
        self._session_row(session_id)
        with self.store.transaction() as db:
            row = self._participant_row(db, session_id, participant_id)
            if block_device and row["device_key_sha256"] is None:
                raise Conflict(
                    "This participant's browser sent no device key, so its device cannot be blocked; "
                    "remove the participant without blocking.",
                    code="device_not_blockable",
                )
            to_remove = [] if row["revoked"] else [participant_id]
            if block_device and not row["device_blocked"]:
                to_remove = [r["id"] for r in db.execute(
                    "SELECT id FROM participants WHERE session_id=? AND device_key_sha256=? AND revoked=0",
                    (session_id, row["device_key_sha256"]),
                )]
            events = []
            for removed_id in to_remove:
                db.execute("UPDATE participants SET revoked=1 WHERE id=?", (removed_id,))
                events.append(self._record(db, session_id, "participant_removed", removed_id))
            if block_device and not row["device_blocked"]:
                db.execute("UPDATE participants SET device_blocked=1 WHERE id=?", (participant_id,))
                events.append(self._record(db, session_id, "device_blocked", participant_id))
            new_version = self._drop_class_stats(db, session_id, to_remove, events)
        self._publish(*events)
        if new_version is not None:
            self.evaluator.version_published(session_id, new_version)
        return {"revoked": True, "device_blocked": bool(block_device or row["device_blocked"])}

    def unblock_device(self, session_id: int, participant_id: int) -> dict:
        """Let the device blocked with this participant join the session again, as a new participant."""
        self._session_row(session_id)
        with self.store.transaction() as db:
            row = self._participant_row(db, session_id, participant_id)
            if not row["device_blocked"]:
                return {"device_blocked": False}
            db.execute(
                "UPDATE participants SET device_blocked=0 WHERE session_id=? AND device_key_sha256=?",
                (session_id, row["device_key_sha256"]),
            )
            event = self._record(db, session_id, "device_unblocked", participant_id)
        self._publish(event)
        return {"device_blocked": False}

    @staticmethod
    def _participant_row(db, session_id: int, participant_id: int):
        row = db.execute(
            "SELECT revoked, device_key_sha256, device_blocked FROM participants WHERE id=? AND session_id=?",
            (participant_id, session_id),
        ).fetchone()
        if row is None:
            raise NotFound(f"Session {session_id} has no participant {participant_id}.", code="participant_unknown")
        return row

    def manifest(self, participant: Participant) -> dict:
        session_id = participant.session_id
        row = self._session_row(session_id)
        config = SessionConfig.from_dict(json.loads(row["config"]))
        artifacts = self.prepare_models(session_id)
        backbone = get_backbone(config.backbone)
        return {
            "session_id": session_id,
            "title": config.title,
            "classes": list(config.classes),
            "state": row["state"],
            "version": self.current_version(session_id),
            "participant": {"id": participant.id, "nickname": participant.nickname},
            "backbone": {
                "name": backbone.name,
                "input_size": backbone.input_size,
                "resize": "center-crop",
                "mean": list(backbone.mean),
                "std": list(backbone.std),
                "feature_dim": backbone.feature_dim,
                "sha256": artifacts["feature_extractor"]["sha256"],
                "quantized": "int8" if config.quantized_backbone else None,
            },
            "artifacts": artifacts,
            "parameter_count": head.parameter_count(len(config.classes)),
            "training": {
                "local_epochs": config.local_epochs,
                "batch_size": config.batch_size,
                "learning_rate": config.learning_rate,
                # POST /class-stats before an update whenever the per-class photo counts changed since the
                # last statistics sent successfully (class_stats.py)
                "send_class_stats": True,
                # feed training_model's logit_offset: 0 for the classes in this round's training photos,
                # head.ABSENT_CLASS_OFFSET (-10000) for the others
                "mask_absent_classes": True,
            },
            "limits": {
                "max_staleness": config.max_staleness,
                "max_update_norm": config.max_update_norm,
                "clip_update_norm": config.update_clip_norm(head.parameter_count(len(config.classes))),
            },
            "app_version": __version__,
        }

    # ------------------------------------------------------------------ updates

    def submit_update(
        self, participant: Participant, base_version: Any, sample_count: Any, body: bytes,
        idempotency_key: Any = None,
    ) -> dict:
        """Validate one client update, then store and (when the strategy says so) aggregate it atomically.

        Malformed requests raise before anything is stored. Well-formed updates that the session's
        rules refuse (too stale, too large) are recorded as rejected with their reason, and raise.

        ``idempotency_key`` (optional, the client's ``Idempotency-Key``) is stored with the update, per
        participant: a retry with the same key and the same request gets the first answer again (the same
        result, or the same rejection raised again) and changes nothing; with another request it is a
        ``Conflict`` (``idempotency_key_reused``).
        """
        key = _key_field(idempotency_key, "idempotency_key", "The Idempotency-Key header", IDEMPOTENCY_KEY_LENGTH)
        session_id = participant.session_id
        config = self.config(session_id)
        expected = head.parameter_count(len(config.classes))
        base_version = _int_field(base_version, "base_version", "X-Base-Version")
        sample_count = _int_field(sample_count, "sample_count", "X-Sample-Count")
        if not 1 <= sample_count <= MAX_SAMPLE_COUNT:
            raise InvalidInput(
                f"sample_count must be between 1 and {MAX_SAMPLE_COUNT}; got {sample_count}.", field="sample_count"
            )
        if len(body) != expected * 4:
            raise InvalidInput(
                f"The update must hold {expected} float32 values ({expected * 4} bytes) for "
                f"{len(config.classes)} classes; it has {len(body)} bytes.",
                code="wrong_length",
                field="body",
            )
        client = np.frombuffer(body, dtype="<f4").astype(np.float32)
        if not np.all(np.isfinite(client)):
            raise InvalidInput(
                "The update contains NaN or infinite values; training diverged. Retrain with a fresh copy of the model.",
                code="not_finite",
                field="body",
            )
        request_sha256 = hashlib.sha256(f"{base_version}:{sample_count}:".encode() + body).hexdigest()
        published: list[Event] = []
        try:
            with self.store.transaction() as db:
                # Looked up inside the write transaction (BEGIN IMMEDIATE: no other writer until it ends), so
                # a retry racing its original finds it; the unique index on (participant, key) backs this up.
                if key is not None:
                    answered = self._stored_answer(db, participant.id, key, request_sha256)
                    if answered is not None:
                        return _replay(answered)
                result, rejection, new_version = self._store_update(
                    db, participant, base_version, sample_count, client, key, request_sha256, published
                )
        except sqlite3.IntegrityError:
            if key is None:
                raise
            with self.store.transaction() as db:  # another writer stored this key first: its answer is the answer
                answered = self._stored_answer(db, participant.id, key, request_sha256)
            if answered is None:
                raise
            return _replay(answered)
        self._publish(*published)
        if rejection is not None:
            raise rejection
        if new_version is not None:
            self.evaluator.version_published(session_id, new_version)
        return result

    @staticmethod
    def _stored_answer(db, participant_id: int, key: str, request_sha256: str) -> dict | None:
        """The answer stored under this participant's key (None: the key is new); a Conflict if it was
        used for another request."""
        found = db.execute(
            "SELECT request_sha256, answer FROM updates WHERE participant_id=? AND idempotency_key=?",
            (participant_id, key),
        ).fetchone()
        if found is None:
            return None
        if found["request_sha256"] != request_sha256:
            raise Conflict(
                "This Idempotency-Key was already used for a different update. Send each new update with a "
                "new key; reuse a key only to retry exactly the same request.",
                code="idempotency_key_reused",
                field="idempotency_key",
            )
        return json.loads(found["answer"])

    def _store_update(
        self, db, participant: Participant, base_version: int, sample_count: int, client: np.ndarray,
        key: str | None, request_sha256: str, published: list[Event],
    ) -> tuple[dict | None, InvalidInput | Conflict | None, int | None]:
        """Inside the transaction: (result, None, new version or None) for an accepted update, or
        (None, the rejection to raise, None) for one stored as rejected."""
        session_id = participant.session_id
        # The limits and the strategy are read again under the lock: a settings change that lands
        # while this request was being parsed applies to it.
        row = db.execute("SELECT state, config FROM sessions WHERE id=?", (session_id,)).fetchone()
        state, config = row["state"], SessionConfig.from_dict(json.loads(row["config"]))
        strategy = with_clipping(
            make_strategy(config.aggregator, config.aggregator_params), config.update_clip_norm(client.size)
        )
        if state != "running":
            reason = (
                "The facilitator paused the session; try again when it resumes."
                if state == "paused"
                else "The session is not running; updates are not accepted."
            )
            raise Conflict(reason, code="session_paused" if state == "paused" else "session_not_running")
        current_version = db.execute(
            "SELECT MAX(version) AS v FROM model_versions WHERE session_id=?", (session_id,)
        ).fetchone()["v"]
        if base_version < 0 or base_version > current_version:
            raise InvalidInput(
                f"Base version {base_version} does not exist; the newest version is {current_version}. "
                "Download the current model and train again.",
                code="unknown_base_version",
                field="base_version",
            )
        base = blob_to_vector(
            db.execute(
                "SELECT parameters FROM model_versions WHERE session_id=? AND version=?", (session_id, base_version)
            ).fetchone()["parameters"]
        )
        staleness = class_stats.staleness(db, session_id, base_version, current_version)
        norm = float(np.linalg.norm(client.astype(np.float64) - base))
        rejection = None
        if staleness > config.max_staleness:
            rejection = Conflict(
                f"The update is {staleness} versions behind (the limit is {config.max_staleness}). "
                "Retrain on the current model.",
                code="too_stale",
            )
        elif norm > config.max_update_norm:
            rejection = InvalidInput(
                f"The update changes the model by {norm:.3g} (L2 norm); the limit is {config.max_update_norm:g}.",
                code="norm_too_large",
                field="body",
            )
        now = time.time()
        db.execute("UPDATE participants SET last_seen=? WHERE id=?", (now, participant.id))
        if rejection is not None:
            answer = {"error": {"class": type(rejection).__name__, "code": rejection.code,
                                "message": rejection.message, "field": rejection.field}}
            db.execute(
                "INSERT INTO updates (session_id, participant_id, base_version, staleness, norm, sample_count, "
                "status, reason, received_at, idempotency_key, request_sha256, answer) "
                "VALUES (?, ?, ?, ?, ?, ?, 'rejected', ?, ?, ?, ?, ?)",
                (session_id, participant.id, base_version, staleness, norm, sample_count, rejection.message, now,
                 key, request_sha256, json.dumps(answer)),
            )
            published.append(
                self._record(
                    db, session_id, "update_rejected", participant.id,
                    base_version=base_version, staleness=staleness, norm=norm, reason=rejection.message,
                    code=rejection.code,
                )
            )
            return None, rejection, None
        weight = strategy.weight(staleness, sample_count)
        cur = db.execute(
            "INSERT INTO updates (session_id, participant_id, base_version, staleness, weight, norm, "
            "sample_count, status, parameters, received_at, idempotency_key, request_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'buffered', ?, ?, ?, ?)",
            (session_id, participant.id, base_version, staleness, weight, norm, sample_count,
             vector_to_blob(client), now, key, request_sha256),
        )
        update_id = int(cur.lastrowid)
        published.append(
            self._record(
                db, session_id, "update_accepted", participant.id, update_id=update_id,
                base_version=base_version, staleness=staleness, weight=weight, norm=norm,
                sample_count=sample_count,
            )
        )
        new_version = self._aggregate_if_ready(db, session_id, strategy, current_version, published)
        result = {
            "accepted": True,
            "update_id": update_id,
            "applied": new_version is not None,
            "version": new_version if new_version is not None else current_version,
            "staleness": staleness,
            "weight": weight,
        }
        db.execute("UPDATE updates SET answer=? WHERE id=?", (json.dumps({"result": result}), update_id))
        return result, None, new_version

    def _aggregate_if_ready(self, db, session_id, strategy, current_version: int, published: list[Event]) -> int | None:
        pending = db.execute(
            "SELECT id, base_version, staleness, sample_count, parameters FROM updates "
            "WHERE session_id=? AND status='buffered' ORDER BY id",
            (session_id,),
        ).fetchall()
        if len(pending) < strategy.buffer_size:
            return None
        current = blob_to_vector(
            db.execute(
                "SELECT parameters FROM model_versions WHERE session_id=? AND version=?", (session_id, current_version)
            ).fetchone()["parameters"]
        )
        base_cache: dict[int, np.ndarray] = {}

        def base_parameters(version: int) -> np.ndarray:
            if version not in base_cache:
                base_cache[version] = blob_to_vector(
                    db.execute(
                        "SELECT parameters FROM model_versions WHERE session_id=? AND version=?", (session_id, version)
                    ).fetchone()["parameters"]
                )
            return base_cache[version]

        client_updates = []
        for r in pending:
            # Onto the current class-statistics start, and kept off the means of classes it did not train.
            parameters, base = class_stats.rebase(
                db, session_id, r["base_version"], current_version, blob_to_vector(r["parameters"]),
                base_parameters(r["base_version"]),
            )
            client_updates.append(
                ClientUpdate(parameters=parameters, base_parameters=base, staleness=r["staleness"],
                             sample_count=r["sample_count"])
            )
        new_parameters = strategy.aggregate(current, client_updates)
        new_version = current_version + 1
        update_ids = [r["id"] for r in pending]
        db.execute(
            "INSERT INTO model_versions VALUES (?, ?, ?, ?, ?)",
            (session_id, new_version, vector_to_blob(new_parameters), time.time(), json.dumps(update_ids)),
        )
        db.execute(
            f"UPDATE updates SET status='applied', applied_version=? WHERE id IN ({','.join('?' * len(update_ids))})",
            (new_version, *update_ids),
        )
        published.append(self._record(db, session_id, "model_version", version=new_version, update_ids=update_ids))
        return new_version

    # ------------------------------------------------------------------ class statistics

    def submit_class_stats(self, participant: Participant, counts_header: Any, body: bytes) -> dict:
        """Store a participant's per-class feature statistics (replacing any it sent before) and publish a
        version on the start computed from everyone's (``class_stats.py``).

        Malformed statistics raise before anything is stored. Statistics identical to the stored ones change
        nothing (``applied`` false). Otherwise the model moves by the change of the start, keeping what was
        trained on top of it, in one transaction with the new version, its start and the events.
        """
        session_id = participant.session_id
        config = self.config(session_id)
        feature_dim = get_backbone(config.backbone).feature_dim
        stats = class_stats.parse(counts_header, body, len(config.classes), feature_dim)
        published: list[Event] = []
        with self.store.transaction() as db:
            state = db.execute("SELECT state FROM sessions WHERE id=?", (session_id,)).fetchone()["state"]
            if state != "running":
                raise Conflict(
                    "The facilitator paused the session; try again when it resumes." if state == "paused"
                    else "The session is not running; class statistics are not accepted.",
                    code="session_paused" if state == "paused" else "session_not_running",
                )
            now = time.time()
            db.execute("UPDATE participants SET last_seen=? WHERE id=?", (now, participant.id))
            if class_stats.stored_unchanged(db, participant.id, stats):
                return {"version": self._version_in(db, session_id), "applied": False}
            class_stats.store(db, session_id, participant.id, stats, now)
            new_version = class_stats.publish_start(db, session_id, len(config.classes), feature_dim, now)
            counts = stats.counts.tolist()
            published.append(self._record(
                db, session_id, "class_stats_received", participant.id, counts=counts, version=new_version
            ))
            published.append(self._record(
                db, session_id, "model_version", version=new_version, update_ids=[], class_stats_from=participant.id
            ))
        self._publish(*published)
        self.evaluator.version_published(session_id, new_version)
        return {"version": new_version, "applied": True, "counts": counts}

    def _drop_class_stats(self, db, session_id: int, removed: list[int], published: list[Event]) -> int | None:
        """Inside revoke's transaction: when removed participants had sent class statistics, publish a version
        on the start computed without them (a removed participant's photos should not shape the model)."""
        if not class_stats.held_by(db, removed):
            return None
        config = SessionConfig.from_dict(json.loads(
            db.execute("SELECT config FROM sessions WHERE id=?", (session_id,)).fetchone()["config"]
        ))
        new_version = class_stats.publish_start(
            db, session_id, len(config.classes), get_backbone(config.backbone).feature_dim, time.time()
        )
        published.append(self._record(
            db, session_id, "model_version", version=new_version, update_ids=[], class_stats_removed=removed
        ))
        return new_version

    @staticmethod
    def _version_in(db, session_id: int) -> int:
        return db.execute("SELECT MAX(version) AS v FROM model_versions WHERE session_id=?", (session_id,)).fetchone()["v"]

    # ------------------------------------------------------------------ test results

    def report_test_result(self, participant: Participant, payload: Any) -> None:
        config = self.config(participant.session_id)
        if not isinstance(payload, Mapping):
            raise InvalidInput("The test result must be a JSON object.")
        version = _int_field(payload.get("version"), "version", "version")
        n = _int_field(payload.get("n"), "n", "n")
        accuracy = payload.get("accuracy")
        if isinstance(accuracy, bool) or not isinstance(accuracy, (int, float)) or not 0.0 <= accuracy <= 1.0:
            raise InvalidInput("accuracy must be a number from 0 to 1.", field="accuracy")
        if not 0 < n <= MAX_TEST_IMAGES:
            raise InvalidInput(f"n must be the number of test images (1 to {MAX_TEST_IMAGES}).", field="n")
        if abs(accuracy * n - round(accuracy * n)) > 1e-6:
            raise InvalidInput(f"accuracy must be a count of correct answers out of n = {n}.", field="accuracy")
        if not 0 <= version <= self.current_version(participant.session_id):
            raise InvalidInput(f"Model version {version} does not exist in this session.", field="version")
        per_class = _per_class(payload.get("per_class", {}), config.classes)
        if per_class and (sum(c["total"] for c in per_class.values()) != n
                          or sum(c["correct"] for c in per_class.values()) != round(accuracy * n)):
            raise InvalidInput("per_class must add up to n images and accuracy × n correct ones.", field="per_class")
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO test_results (session_id, participant_id, version, accuracy, n, per_class, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (participant.session_id, participant.id, version, float(accuracy), n, json.dumps(per_class), time.time()),
            )
            event = self._record(
                db, participant.session_id, "test_result", participant.id, version=version,
                accuracy=float(accuracy), n=n, per_class=per_class,
            )
        self._publish(event)

    def record_server_accuracy(
        self, session_id: int, test_set: int, version: int, accuracy: float, n: int, per_class: dict
    ) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO test_results (session_id, participant_id, test_set, version, accuracy, n, per_class, at) "
                "VALUES (?, NULL, ?, ?, ?, ?, ?, ?)",
                (session_id, test_set, version, accuracy, n, json.dumps(per_class), time.time()),
            )
            event = self._record(
                db, session_id, "server_evaluation", test_set=test_set, version=version, accuracy=accuracy, n=n,
                per_class=per_class,
            )
        self._publish(event)

    def load_test_set(self, session_id: int, images: list) -> dict:
        """Start evaluating every version against ``images`` (from ``testset.read_test_folder/zip``)."""
        self._session_row(session_id)
        return self.evaluator.load(session_id, images)

    def test_set_status(self, session_id: int) -> dict:
        self._session_row(session_id)
        return self.evaluator.status(session_id)

    def record_test_set(self, session_id: int, images: int, skipped: list[str]) -> int:
        """Log a newly loaded test set; its event id names the set in the accuracy history."""
        with self.store.transaction() as db:
            event = self._record(db, session_id, "test_set_loaded", images=images, skipped=skipped)
        self._publish(event)
        return event.id

    def accuracy_history(self, session_id: int) -> list[dict]:
        """Server-side accuracy of each version on the newest test set (older sets' scores are kept, not mixed in)."""
        self._session_row(session_id)
        rows = self.store.query(
            "SELECT test_set, version, accuracy, n, per_class, at FROM test_results "
            "WHERE session_id=? AND participant_id IS NULL AND test_set = "
            "(SELECT MAX(test_set) FROM test_results WHERE session_id=? AND participant_id IS NULL) "
            "ORDER BY version, id",
            (session_id, session_id),
        )
        return [dict(r, per_class=json.loads(r["per_class"])) for r in rows]

    # ------------------------------------------------------------------ user-study log

    def record_study_events(self, participant: Participant, payload: Any) -> dict:
        """Store a batch of browser interaction events; a re-sent event (same seq) is stored once.

        When anything new was stored, listeners hear a ``study_events_stored`` event that is not in the log.
        """
        config = self.config(participant.session_id)
        if not config.study_logging:
            raise Conflict(
                "Study logging is off for this session; interaction events are not recorded.",
                code="study_logging_off",
            )
        joined = self.store.query_one(  # the latest join: a rejoin may accept a notice the first join never saw
            "SELECT data FROM events WHERE kind IN ('participant_joined', 'participant_rejoined') "
            "AND participant_id=? ORDER BY id DESC LIMIT 1",
            (participant.id,),
        )
        if joined is None or json.loads(joined["data"]).get("study_consent") is not True:
            # Logging was switched on after this participant joined: they never saw or accepted the notice.
            raise Forbidden(
                "You joined before study logging was switched on and have not accepted its notice, so nothing "
                "of yours is recorded. Join the session again to take part in the study.",
                code="consent_required",
                field="consent",
            )
        now = time.time()
        events = validate_batch(payload, config.classes, now)
        stored = 0
        with self.store.transaction() as db:
            for e in events:
                cur = db.execute(
                    "INSERT OR IGNORE INTO study_events (session_id, participant_id, seq, client_at, received_at, "
                    "kind, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (participant.session_id, participant.id, e.seq, e.at, now, e.kind, json.dumps(e.data, sort_keys=True)),
                )
                stored += cur.rowcount
            db.execute("UPDATE participants SET last_seen=? WHERE id=?", (now, participant.id))
        if stored:
            # Published so views of the timeline can refresh, but not appended to the event log (id 0):
            # one entry per browser batch would flood it, and the rows themselves are in study_events.
            self._publish(Event(0, participant.session_id, now, "study_events_stored", participant.id, {"stored": stored}))
        return {"stored": stored, "duplicates": len(events) - stored, "max_seq": max(e.seq for e in events)}

    def study_timeline(self, session_id: int) -> list[dict]:
        """Browser and server events of every participant, pseudonymous, in time order.

        Rows: session_id, participant ("P<id>"), source ("browser" | "server"), seq (the browser's
        counter, or the server's event id), at (unix seconds), kind, data. No nicknames, devices,
        tokens, images or file names.
        """
        self._session_row(session_id)
        rows = [
            {"session_id": session_id, "participant": f"P{r['participant_id']}", "source": "browser", "seq": r["seq"],
             "at": r["client_at"], "kind": r["kind"], "data": json.loads(r["data"])}
            for r in self.store.query(
                "SELECT participant_id, seq, client_at, kind, data FROM study_events WHERE session_id=?", (session_id,)
            )
        ]
        for e in self.event_log(session_id):
            if e["participant_id"] is None:
                continue
            data = {k: v for k, v in e["data"].items() if k not in ("nickname", "device")}
            rows.append({"session_id": session_id, "participant": f"P{e['participant_id']}", "source": "server",
                         "seq": e["id"], "at": e["at"], "kind": e["kind"], "data": data})
        rows.sort(key=lambda r: (r["at"], r["source"] == "browser", r["seq"]))
        return rows

    def study_summary(self, session_id: int) -> list[dict]:
        """One row per participant: what they did, from the timeline (see docs/study-data.md)."""
        summary: dict[str, dict] = {}
        last_at: dict[str, tuple[float, bool]] = {}
        for row in self.study_timeline(session_id):
            p = summary.setdefault(row["participant"], {
                "participant": row["participant"], "images": 0, "test_images": 0, "suggestions_shown": 0,
                "suggestions_accepted": 0, "corrections": 0, "trainings": 0, "updates_accepted": 0,
                "updates_rejected": 0, "active_seconds": 0.0, "best_test_accuracy": None,
            })
            kind, data = row["kind"], row["data"]
            if kind in ("image_added", "image_deleted"):
                key = "images" if data["split"] == "train" else "test_images"
                p[key] += data["count"] if kind == "image_added" else -data["count"]
            elif kind == "suggestion_shown":
                p["suggestions_shown"] += 1
            elif kind == "suggestion_accepted":
                p["suggestions_accepted"] += 1
            elif kind == "suggestion_changed":
                p["corrections"] += 1
            elif kind == "training_finished":
                p["trainings"] += 1
            elif kind == "update_accepted":
                p["updates_accepted"] += 1
            elif kind == "update_rejected":
                p["updates_rejected"] += 1
            elif kind == "test_result":
                best = p["best_test_accuracy"]
                p["best_test_accuracy"] = data["accuracy"] if best is None else max(best, data["accuracy"])
            previous = last_at.get(row["participant"])
            if previous is not None and previous[1] and row["at"] - previous[0] <= ACTIVE_GAP_SECONDS:
                p["active_seconds"] += max(0.0, row["at"] - previous[0])
            visible = previous[1] if previous else True
            if kind == "visibility":
                visible = data["state"] == "visible"
            last_at[row["participant"]] = (row["at"], visible)
        for p in summary.values():
            p["active_seconds"] = round(p["active_seconds"], 3)
        return list(summary.values())

    def export_study(self, session_id: int, what: str, fmt: str) -> str:
        if what not in ("events", "summary"):
            raise InvalidInput(f"Unknown study export '{what}'; use events or summary.", field="what")
        rows = self.study_timeline(session_id) if what == "events" else self.study_summary(session_id)
        return _table_text(rows, fmt, STUDY_EVENT_COLUMNS if what == "events" else STUDY_SUMMARY_COLUMNS)

    # ------------------------------------------------------------------ exports

    def export_model(self, session_id: int) -> bytes:
        from .models.export import export_global_model

        config = self.config(session_id)
        artifacts = self.prepare_models(session_id)
        extractor_path = self.models.artifact_by_sha256(artifacts["feature_extractor"]["sha256"])
        _, parameters = self.parameters(session_id)
        return export_global_model(extractor_path, parameters, len(config.classes), list(config.classes))

    def event_log(self, session_id: int) -> list[dict]:
        self._session_row(session_id)
        rows = self.store.query("SELECT * FROM events WHERE session_id=? ORDER BY id", (session_id,))
        return [dict(r, data=json.loads(r["data"])) for r in rows]

    def export_events(self, session_id: int, fmt: str) -> str:
        return _table_text(self.event_log(session_id), fmt, EVENT_COLUMNS)


def _table_text(rows: list[dict], fmt: str, columns: tuple[str, ...]) -> str:
    """Rows as JSON lines, or as CSV with nested values (dicts, lists) JSON-encoded in their cell."""
    if fmt == "jsonl":
        return "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for r in rows:
            writer.writerow(
                [json.dumps(r[c], sort_keys=True) if isinstance(r[c], (dict, list)) else r[c] for c in columns]
            )
        return out.getvalue()
    raise InvalidInput(f"Unknown export format '{fmt}'; use csv or jsonl.", field="format")


def _short_text(value: Any, name: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text.", field=name)
    return value.strip()[:limit]


def _replay(answer: dict) -> dict:
    """A stored answer given again: the result, or the stored rejection raised again."""
    if "error" in answer:
        error = answer["error"]
        raise REPLAYABLE_ERRORS[error["class"]](error["message"], code=error["code"], field=error["field"])
    return answer["result"]


def _key_field(value: Any, name: str, where: str, length: tuple[int, int]) -> str | None:
    """An optional client-made key: ``length`` characters of A-Z, a-z, 0-9, '_' and '-' (None when absent)."""
    if value is None:
        return None
    low, high = length
    if not isinstance(value, str) or not re.fullmatch(rf"[A-Za-z0-9_-]{{{low},{high}}}", value):
        raise InvalidInput(
            f"{where} must be {low} to {high} characters of A-Z, a-z, 0-9, '_' and '-' "
            "(a random value the client made).",
            field=name,
        )
    return value


def _int_field(value: Any, name: str, where: str) -> int:
    if isinstance(value, str):
        value = value.strip()
        # ASCII digits only: str.isdigit() also accepts '²' or '٣', which int() then refuses or misreads.
        if not re.fullmatch(r"-?[0-9]{1,12}", value):
            raise InvalidInput(f"{where} must be a whole number; got '{value[:20]}'.", field=name)
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{where} must be a whole number.", field=name)
    return value


def _per_class(value: Any, classes: tuple[str, ...]) -> dict:
    if not isinstance(value, Mapping):
        raise InvalidInput("per_class must map class names to {correct, total}.", field="per_class")
    result = {}
    for name, counts in value.items():
        if name not in classes:
            raise InvalidInput(f"per_class names '{str(name)[:40]}', which is not a class of this session.", field="per_class")
        if not isinstance(counts, Mapping):
            raise InvalidInput("Each per_class entry must be {correct, total}.", field="per_class")
        correct, total = counts.get("correct"), counts.get("total")
        if not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= MAX_SAMPLE_COUNT for x in (correct, total)) or correct > total:
            raise InvalidInput("Each per_class entry needs whole numbers 0 ≤ correct ≤ total.", field="per_class")
        result[name] = {"correct": correct, "total": total}
    return result
