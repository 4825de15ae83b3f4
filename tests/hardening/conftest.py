"""Shared pieces of the hardening tests: an in-process target (Coordinator + Flask app with the rate
limits off) and a snapshot of everything a rejected request must leave alone."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.server.app import create_app
from influx_desktop.server.limits import RateLimits

CLASSES = ["t-shirt", "trouser", "sneaker", "bag"]

#: Rejected-but-well-formed updates are written down as an audit row ('rejected' in updates, plus an
#: 'update_rejected' event, plus the participant's last_seen): the only trace a non-2xx may leave.
AUDITED_CODES = {"too_stale", "norm_too_large"}


@dataclass
class Target:
    coordinator: Coordinator
    client: object  # flask.testing.FlaskClient
    sid: int
    join_code: str
    draft_join_code: str
    token: str
    revoked_token: str
    other_session_token: str
    artifact_shas: list[str]

    def snapshot(self) -> dict:
        """What must not change on a refused request (last_seen is a liveness timestamp, left out)."""
        q = self.coordinator.store.query
        current = q(
            "SELECT version, parameters FROM model_versions WHERE session_id=? ORDER BY version DESC LIMIT 1", (self.sid,)
        )[0]
        return {
            "sessions": [tuple(r) for r in q("SELECT * FROM sessions ORDER BY id")],
            "version": current["version"],
            "parameters": hashlib.sha256(current["parameters"]).hexdigest(),
            "versions": q("SELECT COUNT(*) FROM model_versions")[0][0],
            "participants": [
                tuple(r)
                for r in q(
                    "SELECT id, session_id, nickname, device, token_sha256, joined_at, revoked FROM participants ORDER BY id"
                )
            ],
            "accepted_updates": [
                (r["id"], r["status"], r["applied_version"], hashlib.sha256(r["parameters"]).hexdigest())
                for r in q(
                    "SELECT id, status, applied_version, parameters FROM updates "
                    "WHERE status IN ('buffered','applied') ORDER BY id"
                )
            ],
            "rejected_updates": q("SELECT COUNT(*) FROM updates WHERE status='rejected'")[0][0],
            "test_results": q("SELECT COUNT(*) FROM test_results")[0][0],
            "study_events": q("SELECT COUNT(*) FROM study_events")[0][0],
            "class_stats": [
                (r["participant_id"], r["counts"], hashlib.sha256(r["statistics"]).hexdigest())
                for r in q("SELECT participant_id, counts, statistics FROM class_stats ORDER BY participant_id")
            ],
            "model_starts": q("SELECT COUNT(*) FROM model_starts")[0][0],
            "events": q("SELECT COUNT(*) FROM events")[0][0],
        }


def assert_unchanged_or_audited(before: dict, after: dict, response) -> None:
    """A non-2xx changed nothing, except the audit row of a rejected well-formed update."""
    code = None
    if response.is_json:
        code = ((response.get_json(silent=True) or {}).get("error") or {}).get("code")
    if code in AUDITED_CODES:
        assert after["rejected_updates"] == before["rejected_updates"] + 1
        assert after["events"] == before["events"] + 1
        before = dict(before, rejected_updates=after["rejected_updates"], events=after["events"])
    assert after == before


@pytest.fixture(scope="module")
def target(tmp_path_factory, model_cache) -> Target:
    coordinator = Coordinator(tmp_path_factory.mktemp("fuzz-data"), model_cache=model_cache)
    # Thousands of small commits: skip the fsyncs. Durability is the fault tests' subject, not this one's.
    coordinator.store._db.execute("PRAGMA synchronous=OFF")
    # Study logging on, so that POST /events reaches its validation and storage.
    session = coordinator.create_session({"title": "Fuzz", "classes": CLASSES, "max_staleness": 5, "study_logging": True})
    coordinator.start_session(session["id"])
    other = coordinator.create_session({"title": "Other", "classes": ["a", "b"]})
    coordinator.start_session(other["id"])
    draft = coordinator.create_session({"title": "Draft", "classes": ["a", "b"]})
    token = coordinator.join(session["join_code"], "fuzzer", consent=True)["token"]
    revoked = coordinator.join(session["join_code"], "removed", consent=True)
    coordinator.revoke_participant(session["id"], revoked["participant_id"])
    other_token = coordinator.join(other["join_code"], "elsewhere")["token"]
    artifacts = coordinator.prepare_models(session["id"])
    app = create_app(coordinator, "admin-token-for-fuzz", webclient_dir=None, limits=RateLimits.off())
    yield Target(
        coordinator=coordinator,
        client=app.test_client(),
        sid=session["id"],
        join_code=session["join_code"],
        draft_join_code=draft["join_code"],
        token=token,
        revoked_token=revoked["token"],
        other_session_token=other_token,
        artifact_shas=[a["sha256"] for a in artifacts.values()],
    )
    coordinator.close()
