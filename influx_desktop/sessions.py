"""Sessions: create, look up, configure, start, pause, resume and stop one; its model versions; where it
is served. A session's settings and their validation are ``session.py``; this module keeps them in the store.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .errors import Conflict, InvalidInput, Text
from .events import EventBus, record
from .models import head
from .models.blob_store import Artifact
from .models.cache import ModelCache
from .session import SessionConfig
from .store import Store, add_model_version, config_of, latest_version, model_parameters, session_config, session_row

JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector
JOIN_CODE_LENGTH = 6

Progress = Callable[[str], None]
#: A session's states as its sentences name them: each the word stored (what HTTP answers and the command line
#: say), a ``Text`` so the desktop says it in its language.
STATE_WORDS = {"draft": Text("draft"), "running": Text("running"), "paused": Text("paused"), "stopped": Text("stopped")}


class Sessions:
    def __init__(self, store: Store, bus: EventBus, models: ModelCache) -> None:
        self.store = store
        self.bus = bus
        self.models = models
        self._prepare_lock = threading.Lock()
        self._current_artifacts: set[int] = set()  # sessions whose stored head artifacts were checked current

    # ------------------------------------------------------------------ create and look up

    def create(self, settings: Mapping[str, Any]) -> dict:
        config = SessionConfig.new(settings)
        with self.store.transaction() as db:
            join_code = new_join_code(db)
            cur = db.execute(
                "INSERT INTO sessions (config, join_code, state, created_at) VALUES (?, ?, 'draft', ?)",
                (json.dumps(config.to_dict()), join_code, time.time()),
            )
            session_id = int(cur.lastrowid)
            add_model_version(db, session_id, 0, head.initial_parameters(len(config.classes)), time.time(), [])
            event = record(db, session_id, "session_created", config=config.to_dict())
        self.bus.publish(event)
        return self.get(session_id)

    def row(self, session_id: int):
        """The session's row (``NotFound`` for an unknown id)."""
        return self.store.read(session_row, session_id)

    def config(self, session_id: int) -> SessionConfig:
        return self.store.read(session_config, session_id)

    def get(self, session_id: int) -> dict:
        row = self.row(session_id)
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

    def list_all(self) -> list[dict]:
        return [self.get(r["id"]) for r in self.store.query("SELECT id FROM sessions ORDER BY id")]

    def latest_id(self) -> int | None:
        row = self.store.query_one("SELECT MAX(id) AS id FROM sessions")
        return row["id"] if row else None

    # ------------------------------------------------------------------ settings and model files

    def update(self, session_id: int, changes: Mapping[str, Any]) -> tuple[dict, bool]:
        """Apply validated ``changes``; returns the session and whether its feature extractor changed (then a
        test set's features, extracted with the old one, no longer fit)."""
        if not isinstance(changes, Mapping):
            raise InvalidInput("The changes must be a JSON object.")
        row = self.row(session_id)
        old = config_of(row)
        new = old.replace(changes)
        backbone_changed = (new.backbone, new.pretrained, new.quantized_backbone) != (
            old.backbone,
            old.pretrained,
            old.quantized_backbone,
        )
        shape_changed = new.classes != old.classes or backbone_changed
        if shape_changed and row["has_run"]:
            raise Conflict(
                "Classes and backbone cannot change once the session has run: participants' updates and the "
                "model's versions depend on them (an int8 backbone's features differ from the float32 one's "
                "too). Create a new session instead.",
                code="session_has_run",
                field=(
                    "classes"
                    if new.classes != old.classes
                    else "backbone"
                    if (new.backbone, new.pretrained) != (old.backbone, old.pretrained)
                    else "quantized_backbone"
                ),
            )
        with self.store.transaction() as db:
            db.execute("UPDATE sessions SET config=? WHERE id=?", (json.dumps(new.to_dict()), session_id))
            if shape_changed:
                db.execute("DELETE FROM model_versions WHERE session_id=?", (session_id,))
                add_model_version(db, session_id, 0, head.initial_parameters(len(new.classes)), time.time(), [])
                db.execute("UPDATE sessions SET artifacts=NULL WHERE id=?", (session_id,))
            elif new.learning_rate != old.learning_rate:
                # Only the head's files depend on the rate: the feature extractor, and so every photo's
                # cached features, stay (prepare_models rebuilds the rest).
                db.execute("UPDATE sessions SET artifacts=? WHERE id=?", (_extractor_only(row["artifacts"]), session_id))
            self._current_artifacts.discard(session_id)
            # What each changed setting was before too: the event log can then say which of the aggregator's
            # parameters changed (the desktop sends them all whenever one changes).
            before = old.to_dict()
            previous = {key: before[key] for key in changes if key in before}
            event = record(db, session_id, "session_configured", changes=dict(changes), previous=previous)
        self.bus.publish(event)
        return self.get(session_id), backbone_changed

    def prepare_models(self, session_id: int, progress: Progress | None = None) -> dict:
        """Build (or find in the cache) the session's feature extractor and head training artifacts."""
        row = self.row(session_id)
        config = config_of(row)
        stored = json.loads(row["artifacts"]) if row["artifacts"] else {}
        if stored and (session_id in self._current_artifacts or self._head_artifacts_current(config, stored)):
            self._current_artifacts.add(session_id)
            return stored
        with self._prepare_lock:
            # A session keeps the extractor it was prepared with (one made before issue 16 has no feature
            # map output; its features are the same); a new one gets the extractor with the map.
            extractor = self._stored_extractor(stored) or self.models.feature_extractor(
                config.backbone, config.pretrained, progress=progress, quantized=config.quantized_backbone, feature_map=True
            )
            if progress:
                progress(Text("Building the training files for the classifier head…"))
            artifacts = self.models.head_artifacts(len(config.classes), config.learning_rate)
        entries = {"feature_extractor": extractor}
        entries.update(
            training_model=artifacts.training_model,
            eval_model=artifacts.eval_model,
            optimizer_model=artifacts.optimizer_model,
            checkpoint=artifacts.checkpoint,
        )
        described = {
            name: {"url": f"/api/v1/artifacts/{a.sha256}", "sha256": a.sha256, "bytes": a.bytes} for name, a in entries.items()
        }
        with self.store.transaction() as db:
            db.execute("UPDATE sessions SET artifacts=? WHERE id=?", (json.dumps(described), session_id))
        return described

    def _stored_extractor(self, stored: dict) -> Artifact | None:
        entry = stored.get("feature_extractor") or {}
        path = self.models.artifact_by_sha256(entry.get("sha256"))
        return Artifact(path=path, sha256=entry["sha256"], bytes=path.stat().st_size) if path is not None else None

    def _head_artifacts_current(self, config: SessionConfig, stored: dict) -> bool:
        """Whether a session's stored head artifacts are those of this version's head graph; a session
        prepared before the graph gained its ``logit_offset`` input gets the new files (new hashes)."""
        with self._prepare_lock:
            current = self.models.head_artifacts(len(config.classes), config.learning_rate)
        return stored.get("training_model", {}).get("sha256") == current.training_model.sha256

    # ------------------------------------------------------------------ states

    def set_state(self, session_id: int, state: str, allowed_from: tuple[str, ...], kind: str) -> dict:
        row = self.row(session_id)
        if row["state"] == state:
            return self.get(session_id)
        if row["state"] not in allowed_from:
            raise Conflict(
                "The session is {state}; it cannot become {wanted} from there.",
                code="bad_state",
                state=STATE_WORDS[row["state"]],
                wanted=STATE_WORDS[state],
            )
        with self.store.transaction() as db:
            db.execute("UPDATE sessions SET state=?, has_run=has_run OR ? WHERE id=?", (state, state == "running", session_id))
            event = record(db, session_id, kind)
        self.bus.publish(event)
        return self.get(session_id)

    def start(self, session_id: int, progress: Progress | None = None) -> dict:
        self.prepare_models(session_id, progress)
        return self.set_state(session_id, "running", ("draft", "stopped"), "session_started")

    def stop(self, session_id: int) -> dict:
        return self.set_state(session_id, "stopped", ("running", "paused"), "session_stopped")

    def pause(self, session_id: int) -> dict:
        return self.set_state(session_id, "paused", ("running",), "session_paused")

    def resume(self, session_id: int) -> dict:
        return self.set_state(session_id, "running", ("paused",), "session_resumed")

    def start_or_resume(self, session_id: int, progress: Progress | None = None) -> dict:
        """Make the session running, whatever it is now: a paused one resumes, a running one stays as it is,
        a draft or stopped one starts (building its model files first, ``progress`` hearing each step)."""
        state = self.get(session_id)["state"]
        if state == "paused":
            return self.resume(session_id)
        if state == "running":
            return self.get(session_id)
        return self.start(session_id, progress)

    # ------------------------------------------------------------------ model versions

    def current_version(self, session_id: int) -> int:
        return self.store.read(latest_version, session_id)

    def parameters(self, session_id: int, version: int | None = None) -> tuple[int, np.ndarray]:
        if version is None:
            version = self.current_version(session_id)
        return version, self.store.read(model_parameters, session_id, version)

    def versions(self, session_id: int) -> list[dict]:
        self.row(session_id)
        rows = self.store.query(
            "SELECT version, created_at, update_ids FROM model_versions WHERE session_id=? ORDER BY version", (session_id,)
        )
        return [{"version": r["version"], "created_at": r["created_at"], "update_ids": json.loads(r["update_ids"])} for r in rows]

    # ------------------------------------------------------------------ where a session is served

    def network_choice(self, session_id: int) -> dict | None:
        """Where the session was last served, ``{"host", "interface", "port"}``, or None if it never was.

        Browsers keep a participant's photos per origin (host and port), so serving the session at the
        same address again keeps every join link, and the photos behind it, valid across restarts."""
        self.row(session_id)
        row = self.store.query_one("SELECT host, interface, port FROM session_network WHERE session_id=?", (session_id,))
        return None if row is None else {"host": row["host"], "interface": row["interface"], "port": row["port"]}

    def remember_network_choice(self, session_id: int, host: Any, port: Any, interface: Any = None) -> dict:
        """Record the address the session is being served at (``port``: the one actually bound, never 0).

        Logged as ``server_address_changed`` (with the previous address) only when it differs."""
        self.row(session_id)
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
            event = record(db, session_id, "server_address_changed", previous=previous, **choice)
        self.bus.publish(event)
        return choice


def new_join_code(db) -> str:
    """A join code no session and no session group (``groups.py``, deleted ones too) has: one namespace."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        taken = "SELECT 1 FROM sessions WHERE join_code=? UNION ALL SELECT 1 FROM session_groups WHERE join_code=?"
        if db.execute(taken, (code, code)).fetchone() is None:
            return code


def _extractor_only(artifacts: str | None) -> str | None:
    """A session's stored artifacts (JSON) reduced to its feature extractor, or None when it has none."""
    extractor = json.loads(artifacts).get("feature_extractor") if artifacts else None
    return json.dumps({"feature_extractor": extractor}) if extractor else None
