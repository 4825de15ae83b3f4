"""Participants: join a session by its code (or rejoin from the same browser), authenticate each request by
token, and leave it when the facilitator removes them (optionally blocking their device).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from . import class_stats
from .errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from .events import Event, EventBus, record
from .fields import client_key, short_text
from .models.backbones import get_backbone
from .store import Store, config_of, session_config, session_row

ACTIVE_WITHIN_SECONDS = 60.0
DEVICE_KEY_LENGTH = (16, 100)


@dataclass(frozen=True)
class Participant:
    """Who sent a request, once its token was checked (``Participants.authenticate``)."""

    id: int
    session_id: int
    nickname: str


class Participants:
    def __init__(self, store: Store, bus: EventBus) -> None:
        self.store = store
        self.bus = bus

    # ------------------------------------------------------------------ joining

    def join_info(self, join_code: Any) -> dict:
        """What a browser shows before joining: the task and, for a study, the consent notice."""
        row = self._session_by_join_code(join_code)
        config = config_of(row)
        return {
            "title": config.title,
            "classes": list(config.classes),
            "state": row["state"],
            "study_logging": config.study_logging,
            "consent_notice": config.consent_notice if config.study_logging else None,
        }

    def join(self, join_code: Any, nickname: Any = None, device: Any = None, consent: Any = None, device_key: Any = None) -> dict:
        """A new participant, or, when a participant of this session that was not removed has ``device_key``
        (the browser profile's own random key), that participant again: same id, a new token (the old
        token stops working), the nickname and device updated when given."""
        row = self._session_by_join_code(join_code)
        request = JoinRequest.checked(nickname, device, consent, device_key)
        try:
            with self.store.transaction() as db:
                event = join_in(db, row, request)
        except sqlite3.IntegrityError:
            # Another writer stored this device first (the unique index on it); it is a rejoin now.
            if request.device_key is None:
                raise
            with self.store.transaction() as db:
                event = join_in(db, row, request)
        self.bus.publish(event)
        return joined(event, request.token, row["id"])

    def _session_by_join_code(self, join_code: Any):
        if not isinstance(join_code, str) or not join_code.strip():
            raise InvalidInput("A join code is needed: scan the QR code or type the code shown.", field="join_code")
        code = normalize_join_code(join_code)
        row = self.store.query_one("SELECT id, state, config FROM sessions WHERE join_code=?", (code,))
        if row is None:
            raise NotFound(
                "No session has the join code '{join_code}'. Check the code on the facilitator's screen.",
                code="join_code_unknown",
                field="join_code",
                join_code=code[:12],
            )
        if row["state"] not in ("running", "paused"):
            raise Conflict(
                "This session is not running. Ask the facilitator to start it, then try again.", code="session_not_running"
            )
        return row

    # ------------------------------------------------------------------ requests

    def authenticate(self, token: Any) -> Participant:
        if not isinstance(token, str) or not token:
            raise Unauthorized("Join the session first: this request carries no participant token.", code="token_missing")
        row = self.store.query_one(
            "SELECT id, session_id, nickname, revoked FROM participants WHERE token_sha256=?", (_hash_token(token),)
        )
        if row is None:
            raise Unauthorized("This participant token is not known here; join the session again.", code="token_unknown")
        if row["revoked"]:
            raise Unauthorized("The facilitator removed this participant from the session.", code="token_revoked")
        return Participant(row["id"], row["session_id"], row["nickname"])

    def touch(self, participant: Participant) -> None:
        """Remember when a participant was last heard from (not an event: it would flood the log; not
        durable: a power cut may lose it, and every task poll would otherwise wait for the disk)."""
        with self.store.transaction(durable=False) as db:
            db.execute("UPDATE participants SET last_seen=? WHERE id=?", (time.time(), participant.id))

    # ------------------------------------------------------------------ the facilitator's view

    def in_session(self, session_id: int) -> list[dict]:
        self.store.read(session_row, session_id)
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
            item["state"] = "removed" if r["revoked"] else "active" if now - r["last_seen"] < ACTIVE_WITHIN_SECONDS else "idle"
            result.append(item)
        return result

    def revoke(self, session_id: int, participant_id: int, block_device: bool = False) -> dict:
        """Revoke the participant's token. ``block_device``: also refuse every later join of this session with
        the participant's device key (and remove whoever that device is now); removed alone, a device that
        joins again becomes a new participant. Blocking an already removed participant's device is allowed.
        A removed participant's class statistics stop shaping the model: a new version is published without."""
        self.store.read(session_row, session_id)
        with self.store.transaction() as db:
            row = _participant_row(db, session_id, participant_id)
            if block_device and row["device_key_sha256"] is None:
                raise Conflict(
                    "This participant's browser sent no device key, so its device cannot be blocked; "
                    "remove the participant without blocking.",
                    code="device_not_blockable",
                )
            to_remove = [] if row["revoked"] else [participant_id]
            if block_device and not row["device_blocked"]:
                to_remove = [
                    r["id"]
                    for r in db.execute(
                        "SELECT id FROM participants WHERE session_id=? AND device_key_sha256=? AND revoked=0",
                        (session_id, row["device_key_sha256"]),
                    )
                ]
            events = []
            for removed_id in to_remove:
                db.execute("UPDATE participants SET revoked=1 WHERE id=?", (removed_id,))
                events.append(record(db, session_id, "participant_removed", removed_id))
            if block_device and not row["device_blocked"]:
                db.execute("UPDATE participants SET device_blocked=1 WHERE id=?", (participant_id,))
                events.append(record(db, session_id, "device_blocked", participant_id))
            if class_stats.held_by(db, to_remove):
                config = session_config(db, session_id)
                version = class_stats.publish_start(
                    db, session_id, len(config.classes), get_backbone(config.backbone).feature_dim, time.time()
                )
                events.append(
                    record(db, session_id, "model_version", version=version, update_ids=[], class_stats_removed=to_remove)
                )
        self.bus.publish(*events)
        return {"revoked": True, "device_blocked": bool(block_device or row["device_blocked"])}

    def unblock_device(self, session_id: int, participant_id: int) -> dict:
        """Let the device blocked with this participant join the session again, as a new participant."""
        self.store.read(session_row, session_id)
        with self.store.transaction() as db:
            row = _participant_row(db, session_id, participant_id)
            if not row["device_blocked"]:
                return {"device_blocked": False}
            db.execute(
                "UPDATE participants SET device_blocked=0 WHERE session_id=? AND device_key_sha256=?",
                (session_id, row["device_key_sha256"]),
            )
            event = record(db, session_id, "device_unblocked", participant_id)
        self.bus.publish(event)
        return {"device_blocked": False}


@dataclass(frozen=True)
class JoinRequest:
    """A browser's join, its fields checked (``checked``), with the new token it gets and when it came."""

    nickname: str
    device: str
    consent: Any
    device_key: str | None
    token: str
    at: float

    @classmethod
    def checked(cls, nickname: Any, device: Any, consent: Any, device_key: Any) -> JoinRequest:
        return cls(
            short_text(nickname, "nickname", 40),
            short_text(device, "device", 200),
            consent,
            client_key(device_key, "device_key", "device_key", DEVICE_KEY_LENGTH),
            secrets.token_urlsafe(32),
            time.time(),
        )


def join_in(db, row, request: JoinRequest) -> Event:
    """One join of the session ``row`` inside the caller's transaction — by the session's own code, or through a
    group link (``groups.py``): ``Forbidden`` (``consent_required``, the caller's transaction rolls back) while
    the session logs a study and the browser did not accept its notice; else a new participant, the device's
    participant again, or a ``join_refused`` event for a blocked device (``joined`` refuses it after the commit)."""
    study_logging = config_of(row).study_logging
    if study_logging and request.consent is not True:
        raise Forbidden(
            "This session is part of a study: read the notice and accept it to take part.",
            code="consent_required",
            field="consent",
        )
    key = None if request.device_key is None else _hash_device_key(row["id"], request.device_key)
    return _join_in(db, row["id"], request.nickname, request.device, key, request.token, request.at, study_logging)


def joined(event: Event, token: str, session_id: int) -> dict:
    """The answer to a join once ``join_in``'s transaction committed; ``Forbidden`` for a blocked device."""
    if event.kind == "join_refused":
        raise Forbidden(
            "The teacher removed this device from the session. Ask them if you think this is a mistake.", code="device_blocked"
        )
    return {
        "participant_id": event.participant_id,
        "token": token,
        "session_id": session_id,
        "rejoined": event.kind == "participant_rejoined",
    }


def _join_in(
    db, session_id: int, nickname: str, device: str, device_key_sha256: str | None, token: str, now: float, study_logging: bool
) -> Event:
    blocked = (
        device_key_sha256
        and db.execute(
            "SELECT id FROM participants WHERE session_id=? AND device_key_sha256=? AND device_blocked=1 LIMIT 1",
            (session_id, device_key_sha256),
        ).fetchone()
    )
    if blocked:  # the event names the participant whose removal blocked the device
        return record(db, session_id, "join_refused", blocked["id"], reason="device_blocked", nickname=nickname, device=device)
    known = (
        device_key_sha256
        and db.execute(
            "SELECT id, nickname, device FROM participants WHERE session_id=? AND device_key_sha256=? AND revoked=0",
            (session_id, device_key_sha256),
        ).fetchone()
    )
    if known:
        nickname, device = nickname or known["nickname"], device or known["device"]
        db.execute(
            "UPDATE participants SET token_sha256=?, nickname=?, device=?, last_seen=? WHERE id=?",
            (_hash_token(token), nickname, device, now, known["id"]),
        )
        return record(
            db, session_id, "participant_rejoined", known["id"], nickname=nickname, device=device, study_consent=study_logging
        )
    nickname = nickname or "Participant"
    cur = db.execute(
        "INSERT INTO participants (session_id, nickname, device, token_sha256, joined_at, last_seen, "
        "device_key_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (session_id, nickname, device, _hash_token(token), now, now, device_key_sha256),
    )
    return record(
        db, session_id, "participant_joined", int(cur.lastrowid), nickname=nickname, device=device, study_consent=study_logging
    )


def _participant_row(db, session_id: int, participant_id: int):
    row = db.execute(
        "SELECT revoked, device_key_sha256, device_blocked FROM participants WHERE id=? AND session_id=?",
        (participant_id, session_id),
    ).fetchone()
    if row is None:
        raise NotFound(
            "Session {session} has no participant {participant}.",
            code="participant_unknown",
            session=session_id,
            participant=participant_id,
        )
    return row


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _hash_device_key(session_id: int, device_key: str) -> str:
    """Salted with the session, so one browser profile's rows in two sessions cannot be linked by the hash."""
    return hashlib.sha256(f"{session_id}:{device_key}".encode()).hexdigest()


def normalize_join_code(join_code: str) -> str:
    """As typed or scanned: any case, spaces anywhere, full-width letters from a phone keyboard."""
    return "".join(unicodedata.normalize("NFKC", join_code).split()).upper()
