"""What participants send to train the model together: updates (their head's parameters after local training)
and class statistics. Each is checked, stored and, when the session's strategy says so, aggregated into a new
version (``aggregation.py``), all in one transaction, so an acknowledged update is on disk before the
participant hears "accepted" and concurrent updates are aggregated one at a time, each exactly once.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from typing import Any

import numpy as np

from . import class_stats
from .aggregation import aggregate_if_ready, session_strategy
from .errors import Conflict, InvalidInput, Text
from .events import Event, EventBus, record
from .fields import client_key, whole_number
from .models import head
from .models.backbones import get_backbone
from .participants import Participant
from .store import Store, blob_to_vector, config_of, latest_version, model_parameters, session_config, session_row, vector_to_blob

MAX_SAMPLE_COUNT = 1_000_000
IDEMPOTENCY_KEY_LENGTH = (8, 100)
#: What a replayed rejection is raised as again (the classes submit_update stores rejections of).
REPLAYABLE_ERRORS = {cls.__name__: cls for cls in (Conflict, InvalidInput)}


class Updates:
    def __init__(self, store: Store, bus: EventBus) -> None:
        self.store = store
        self.bus = bus

    def submit(
        self, participant: Participant, base_version: Any, sample_count: Any, body: bytes, idempotency_key: Any = None
    ) -> dict:
        """Validate one client update, then store and (when the strategy says so) aggregate it atomically.

        Malformed requests raise before anything is stored. Well-formed updates that the session's
        rules refuse (too stale, too large) are recorded as rejected with their reason, and raise.

        ``idempotency_key`` (optional, the client's ``Idempotency-Key``) is stored with the update, per
        participant: a retry with the same key and the same request gets the first answer again (the same
        result, or the same rejection raised again) and changes nothing; with another request it is a
        ``Conflict`` (``idempotency_key_reused``).
        """
        key = client_key(idempotency_key, "idempotency_key", "The Idempotency-Key header", IDEMPOTENCY_KEY_LENGTH)
        config = self.store.read(session_config, participant.session_id)
        expected = head.parameter_count(len(config.classes))
        base_version = whole_number(base_version, "base_version", "X-Base-Version")
        sample_count = whole_number(sample_count, "sample_count", "X-Sample-Count")
        if not 1 <= sample_count <= MAX_SAMPLE_COUNT:
            raise InvalidInput(
                "sample_count must be between 1 and {hi}; got {n}.", field="sample_count", hi=MAX_SAMPLE_COUNT, n=sample_count
            )
        if len(body) != expected * 4:
            raise InvalidInput(
                "The update must hold {values} float32 values ({expected} bytes) for {classes} classes; it has {size} bytes.",
                code="wrong_length",
                field="body",
                values=expected,
                expected=expected * 4,
                classes=len(config.classes),
                size=len(body),
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
                    answered = stored_answer(db, participant.id, key, request_sha256)
                    if answered is not None:
                        return _replay(answered)
                result, rejection = _store_update(
                    db, participant, base_version, sample_count, client, key, request_sha256, published
                )
        except sqlite3.IntegrityError:
            if key is None:
                raise
            with self.store.transaction() as db:  # another writer stored this key first: its answer is the answer
                answered = stored_answer(db, participant.id, key, request_sha256)
            if answered is None:
                raise
            return _replay(answered)
        self.bus.publish(*published)
        if rejection is not None:
            raise rejection
        return result

    def submit_class_stats(self, participant: Participant, counts_header: Any, body: bytes) -> dict:
        """Store a participant's per-class feature statistics (replacing any it sent before) and publish a
        version on the start computed from everyone's (``class_stats.py``).

        Malformed statistics raise before anything is stored. Statistics identical to the stored ones change
        nothing (``applied`` false). Otherwise the model moves by the change of the start, keeping what was
        trained on top of it, in one transaction with the new version, its start and the events.
        """
        session_id = participant.session_id
        config = self.store.read(session_config, session_id)
        feature_dim = get_backbone(config.backbone).feature_dim
        stats = class_stats.parse(counts_header, body, len(config.classes), feature_dim)
        published: list[Event] = []
        with self.store.transaction() as db:
            _refuse_unless_running(db, session_id, Text("class statistics"))
            now = time.time()
            db.execute("UPDATE participants SET last_seen=? WHERE id=?", (now, participant.id))
            if class_stats.stored_unchanged(db, participant.id, stats):
                return {"version": latest_version(db, session_id), "applied": False}
            class_stats.store(db, session_id, participant.id, stats, now)
            new_version = class_stats.publish_start(db, session_id, len(config.classes), feature_dim, now)
            counts = stats.counts.tolist()
            published.append(record(db, session_id, "class_stats_received", participant.id, counts=counts, version=new_version))
            published.append(
                record(db, session_id, "model_version", version=new_version, update_ids=[], class_stats_from=participant.id)
            )
        self.bus.publish(*published)
        return {"version": new_version, "applied": True, "counts": counts}

    def in_session(self, session_id: int) -> list[dict]:
        """Every update of the session, accepted or not, with its decision and reason. A rejected one also has the
        ``code``, ``reason_template`` and ``reason_params`` of its rejection, as its ``update_rejected`` event does
        (None where it was stored before they were, or for an accepted one)."""
        self.store.read(session_row, session_id)
        rows = self.store.query(
            "SELECT u.id, u.participant_id, p.nickname, u.base_version, u.staleness, u.weight, u.norm, "
            "u.sample_count, u.status, u.reason, u.applied_version, u.received_at, "
            "json_extract(u.answer, '$.error.code') AS code, "
            "json_extract(u.answer, '$.error.template') AS reason_template, "
            "json_extract(u.answer, '$.error.params') AS reason_params "
            "FROM updates u JOIN participants p ON p.id=u.participant_id WHERE u.session_id=? ORDER BY u.id",
            (session_id,),
        )
        updates = [dict(r) for r in rows]
        for update in updates:
            if update["reason_params"] is not None:
                update["reason_params"] = json.loads(update["reason_params"])
        return updates

    def accepted_parameters(self, session_id: int) -> list[tuple[int, np.ndarray]]:
        """(update id, client parameters) of every accepted update, in the order they were accepted."""
        rows = self.store.query(
            "SELECT id, parameters FROM updates WHERE session_id=? AND status IN ('applied','buffered') ORDER BY id",
            (session_id,),
        )
        return [(r["id"], blob_to_vector(r["parameters"])) for r in rows]


def stored_answer(db, participant_id: int, key: str, request_sha256: str) -> dict | None:
    """The answer stored under this participant's key (None: the key is new); a Conflict if it was
    used for another request."""
    found = db.execute(
        "SELECT request_sha256, answer FROM updates WHERE participant_id=? AND idempotency_key=?", (participant_id, key)
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


def _replay(answer: dict) -> dict:
    """A stored answer given again: the result, or the stored rejection raised again."""
    if "error" in answer:
        error = answer["error"]
        # an answer stored before the rejection's template was: its sentence is the template, with no fields
        template, params = error.get("template", error["message"]), error.get("params") or {}
        raise REPLAYABLE_ERRORS[error["class"]](template, code=error["code"], field=error["field"], **params)
    return answer["result"]


def _refuse_unless_running(db, session_id: int, what: Text) -> None:
    state = db.execute("SELECT state FROM sessions WHERE id=?", (session_id,)).fetchone()["state"]
    if state == "paused":
        raise Conflict("The facilitator paused the session; try again when it resumes.", code="session_paused")
    if state != "running":
        raise Conflict("The session is not running; {what} are not accepted.", code="session_not_running", what=what)


def _store_update(
    db,
    participant: Participant,
    base_version: int,
    sample_count: int,
    client: np.ndarray,
    key: str | None,
    request_sha256: str,
    published: list[Event],
) -> tuple[dict | None, InvalidInput | Conflict | None]:
    """Inside the transaction: (result, None) for an accepted update, or (None, the rejection to raise) for one
    stored as rejected."""
    session_id = participant.session_id
    # The limits and the strategy are read again under the lock: a settings change that lands
    # while this request was being parsed applies to it.
    config = config_of(session_row(db, session_id))
    strategy = session_strategy(config, client.size)
    _refuse_unless_running(db, session_id, Text("updates"))
    current_version = latest_version(db, session_id)
    if base_version < 0 or base_version > current_version:
        raise InvalidInput(
            "Base version {base} does not exist; the newest version is {newest}. Download the current model and train again.",
            code="unknown_base_version",
            field="base_version",
            base=base_version,
            newest=current_version,
        )
    base = model_parameters(db, session_id, base_version)
    staleness = class_stats.staleness(db, session_id, base_version, current_version)
    norm = float(np.linalg.norm(client.astype(np.float64) - base))
    rejection = None
    if staleness > config.max_staleness:
        rejection = Conflict(
            "The update is {staleness} versions behind (the limit is {limit}). Retrain on the current model.",
            code="too_stale",
            staleness=staleness,
            limit=config.max_staleness,
        )
    elif norm > config.max_update_norm:
        rejection = InvalidInput(
            "The update changes the model by {norm:.3g} (L2 norm); the limit is {limit:g}.",
            code="norm_too_large",
            field="body",
            norm=norm,
            limit=config.max_update_norm,
        )
    now = time.time()
    db.execute("UPDATE participants SET last_seen=? WHERE id=?", (now, participant.id))
    if rejection is not None:
        answer = {
            "error": {
                "class": type(rejection).__name__,
                "code": rejection.code,
                "message": rejection.message,
                "field": rejection.field,
                # the same sentence as template and fields (as in the update_rejected event below): the desktop says
                # it in its language (Updates.in_session), a replay raises it as it was raised
                "template": rejection.template,
                "params": rejection.params,
            }
        }
        db.execute(
            "INSERT INTO updates (session_id, participant_id, base_version, staleness, norm, sample_count, "
            "status, reason, received_at, idempotency_key, request_sha256, answer) "
            "VALUES (?, ?, ?, ?, ?, ?, 'rejected', ?, ?, ?, ?, ?)",
            (
                session_id,
                participant.id,
                base_version,
                staleness,
                norm,
                sample_count,
                rejection.message,
                now,
                key,
                request_sha256,
                json.dumps(answer),
            ),
        )
        published.append(
            record(
                db,
                session_id,
                "update_rejected",
                participant.id,
                base_version=base_version,
                staleness=staleness,
                norm=norm,
                reason=rejection.message,
                code=rejection.code,
                # the same sentence as template and fields, so the desktop can say it in its language
                reason_template=rejection.template,
                reason_params=rejection.params,
            )
        )
        return None, rejection
    weight = strategy.weight(staleness, sample_count)
    cur = db.execute(
        "INSERT INTO updates (session_id, participant_id, base_version, staleness, weight, norm, "
        "sample_count, status, parameters, received_at, idempotency_key, request_sha256) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'buffered', ?, ?, ?, ?)",
        (
            session_id,
            participant.id,
            base_version,
            staleness,
            weight,
            norm,
            sample_count,
            vector_to_blob(client),
            now,
            key,
            request_sha256,
        ),
    )
    update_id = int(cur.lastrowid)
    published.append(
        record(
            db,
            session_id,
            "update_accepted",
            participant.id,
            update_id=update_id,
            base_version=base_version,
            staleness=staleness,
            weight=weight,
            norm=norm,
            sample_count=sample_count,
        )
    )
    new_version = aggregate_if_ready(db, session_id, strategy, current_version, published)
    result = {
        "accepted": True,
        "update_id": update_id,
        "applied": new_version is not None,
        "version": new_version if new_version is not None else current_version,
        "staleness": staleness,
        "weight": weight,
        # for the participant's own words ("you are one of 4 classmates who have taught it"); the numbers above
        # are for tools and the study log, not for the participant's screen
        "contributors": contributors(db, session_id),
    }
    db.execute("UPDATE updates SET answer=? WHERE id=?", (json.dumps({"result": result}), update_id))
    return result, None


def contributors(db: sqlite3.Connection, session_id: int) -> int:
    """How many participants have had an update accepted in the session (merged or waiting to be)."""
    return int(
        db.execute(
            "SELECT COUNT(DISTINCT participant_id) AS n FROM updates WHERE session_id=? AND status!='rejected'", (session_id,)
        ).fetchone()["n"]
    )
