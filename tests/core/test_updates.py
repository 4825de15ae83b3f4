"""An update sent with an idempotency key is stored at most once per participant and key: a retry of the
same request gets the first answer again (accepted or rejected) and changes nothing; the same key on a
different request is refused."""

from __future__ import annotations

import sqlite3
import threading

import numpy as np
import pytest

from influx_desktop import updates
from influx_desktop.coordinator import Coordinator
from influx_desktop.errors import Conflict, InvalidInput


def _running(coordinator: Coordinator, **settings) -> tuple[int, object, object]:
    session = coordinator.create_session({"title": "t", "classes": ["a", "b"], **settings})
    coordinator.start_session(session["id"])
    ada = coordinator.authenticate(coordinator.join(session["join_code"], "Ada")["token"])
    bob = coordinator.authenticate(coordinator.join(session["join_code"], "Bob")["token"])
    return session["id"], ada, bob


def _moved(coordinator: Coordinator, sid: int, seed: int, scale: float = 0.01) -> bytes:
    _, parameters = coordinator.parameters(sid)
    rng = np.random.default_rng(seed)
    return (parameters + rng.normal(0, scale, parameters.shape).astype(np.float32)).astype("<f4").tobytes()


def _books(coordinator: Coordinator, sid: int) -> dict:
    """Everything a replay must leave alone (last_seen aside)."""
    return {
        "updates": coordinator.updates(sid),
        "versions": coordinator.versions(sid),
        "parameters": coordinator.parameters(sid)[1].tobytes(),
        "events": coordinator.event_log(sid),
    }


def test_a_retried_accepted_update_gets_its_first_answer_and_changes_nothing(coordinator):
    sid, ada, bob = _running(coordinator)
    body = _moved(coordinator, sid, 0)
    first = coordinator.submit_update(ada, 0, 10, body, idempotency_key="ada-update-0001")
    assert first["accepted"] and first["applied"] and first["version"] == 1
    # Someone else's update moves the model on: the retry still answers what was true for the first try.
    coordinator.submit_update(bob, 1, 10, _moved(coordinator, sid, 1))
    before = _books(coordinator, sid)

    again = coordinator.submit_update(ada, "0", "10", body, idempotency_key="ada-update-0001")

    assert again == first
    assert _books(coordinator, sid) == before
    assert [u["participant_id"] for u in before["updates"]] == [ada.id, bob.id]


def test_a_retried_rejected_update_gets_the_same_rejection_without_a_second_audit_row(coordinator):
    sid, ada, bob = _running(coordinator, max_staleness=0)
    coordinator.submit_update(bob, 0, 10, _moved(coordinator, sid, 1))  # version 1: base 0 is now too stale
    body = _moved(coordinator, sid, 0)
    with pytest.raises(Conflict) as first:
        coordinator.submit_update(ada, 0, 10, body, idempotency_key="stale-one")
    assert first.value.code == "too_stale"
    before = _books(coordinator, sid)
    assert [u["status"] for u in before["updates"]] == ["applied", "rejected"]

    with pytest.raises(Conflict) as again:
        coordinator.submit_update(ada, 0, 10, body, idempotency_key="stale-one")

    assert (again.value.code, again.value.message, again.value.field) == (
        first.value.code,
        first.value.message,
        first.value.field,
    )
    assert _books(coordinator, sid) == before


def test_a_rejected_norm_is_replayed_as_the_same_kind_of_error(coordinator):
    sid, ada, _ = _running(coordinator, max_update_norm=1.0)
    body = _moved(coordinator, sid, 0, scale=1.0)
    with pytest.raises(InvalidInput) as first:
        coordinator.submit_update(ada, 0, 10, body, idempotency_key="too-large-1")
    with pytest.raises(InvalidInput) as again:
        coordinator.submit_update(ada, 0, 10, body, idempotency_key="too-large-1")
    assert (again.value.code, again.value.field, again.value.message) == ("norm_too_large", "body", first.value.message)
    assert len(coordinator.updates(sid)) == 1


def test_the_first_answer_is_given_even_after_the_session_was_paused(coordinator):
    sid, ada, _ = _running(coordinator)
    body = _moved(coordinator, sid, 0)
    first = coordinator.submit_update(ada, 0, 10, body, idempotency_key="before-pause")
    coordinator.pause_session(sid)
    assert coordinator.submit_update(ada, 0, 10, body, idempotency_key="before-pause") == first
    with pytest.raises(Conflict, match="paused"):  # a new key is a new update, refused while paused
        coordinator.submit_update(ada, 0, 10, body, idempotency_key="after-pause")


@pytest.mark.parametrize("change", ["body", "base_version", "sample_count"])
def test_the_same_key_on_a_different_request_is_refused_and_changes_nothing(coordinator, change):
    sid, ada, _ = _running(coordinator)
    body = _moved(coordinator, sid, 0)
    coordinator.submit_update(ada, 0, 10, body, idempotency_key="reused-key")
    before = _books(coordinator, sid)
    other = {"body": (0, 10, _moved(coordinator, sid, 5)), "base_version": (1, 10, body), "sample_count": (0, 11, body)}
    with pytest.raises(Conflict) as refused:
        coordinator.submit_update(ada, *other[change], idempotency_key="reused-key")
    assert (refused.value.code, refused.value.field) == ("idempotency_key_reused", "idempotency_key")
    assert _books(coordinator, sid) == before


def test_keys_belong_to_one_participant(coordinator):
    sid, ada, bob = _running(coordinator, aggregator="fedbuff", aggregator_params={"buffer_size": 3})
    body = _moved(coordinator, sid, 0)
    a = coordinator.submit_update(ada, 0, 10, body, idempotency_key="shared-key")
    b = coordinator.submit_update(bob, 0, 10, body, idempotency_key="shared-key")
    assert a["update_id"] != b["update_id"]
    assert [u["participant_id"] for u in coordinator.updates(sid)] == [ada.id, bob.id]


def test_without_a_key_every_request_is_a_new_update(coordinator):
    sid, ada, _ = _running(coordinator, aggregator="fedbuff", aggregator_params={"buffer_size": 3})
    body = _moved(coordinator, sid, 0)
    first = coordinator.submit_update(ada, 0, 10, body)
    second = coordinator.submit_update(ada, 0, 10, body)
    assert first["update_id"] != second["update_id"]


@pytest.mark.parametrize(
    "key",
    ["short", "x" * 101, "has space1", "slash/slash", "ümlautkey", "", 12345678],
    ids=["7 chars", "101 chars", "space", "slash", "non-ascii", "empty", "not text"],
)
def test_a_malformed_key_is_refused_before_anything_is_stored(coordinator, key):
    sid, ada, _ = _running(coordinator)
    before = _books(coordinator, sid)
    with pytest.raises(InvalidInput) as refused:
        coordinator.submit_update(ada, 0, 10, _moved(coordinator, sid, 0), idempotency_key=key)
    assert refused.value.field == "idempotency_key" and "8 to 100 characters" in refused.value.message
    assert _books(coordinator, sid) == before


def test_simultaneous_requests_with_one_key_store_one_update(coordinator):
    sid, ada, _ = _running(coordinator, aggregator="fedbuff", aggregator_params={"buffer_size": 2})
    body = _moved(coordinator, sid, 0)
    senders = 8
    barrier = threading.Barrier(senders)
    answers: list = []

    def send() -> None:
        barrier.wait()
        answers.append(coordinator.submit_update(ada, 0, 10, body, idempotency_key="one-key-many-tries"))

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(answers) == senders and all(a == answers[0] for a in answers)
    assert len(coordinator.updates(sid)) == 1
    assert [e["kind"] for e in coordinator.event_log(sid)].count("update_accepted") == 1


def test_the_unique_index_decides_when_the_lookup_misses(coordinator, monkeypatch):
    """Even if the lookup inside the transaction missed the stored key (a second writer on the file), the
    unique index refuses the second row and the stored answer is given."""
    sid, ada, _ = _running(coordinator)
    body = _moved(coordinator, sid, 0)
    first = coordinator.submit_update(ada, 0, 10, body, idempotency_key="index-backstop")
    before = _books(coordinator, sid)
    real = updates.stored_answer
    calls = []

    def blind_once(db, participant_id, key, request_sha256):
        calls.append(key)
        return None if len(calls) == 1 else real(db, participant_id, key, request_sha256)

    monkeypatch.setattr(updates, "stored_answer", blind_once)
    assert coordinator.submit_update(ada, 0, 10, body, idempotency_key="index-backstop") == first
    assert len(calls) == 2
    assert _books(coordinator, sid) == before


def test_the_store_refuses_a_second_row_for_one_participant_and_key(coordinator):
    sid, ada, _ = _running(coordinator)
    insert = (
        "INSERT INTO updates (session_id, participant_id, base_version, sample_count, status, received_at, "
        "idempotency_key) VALUES (?, ?, 0, 1, 'rejected', 0, ?)"
    )
    with coordinator.store.transaction() as db:
        db.execute(insert, (sid, ada.id, "dup-key-1"))
        db.execute(insert, (sid, ada.id, None))
        db.execute(insert, (sid, ada.id, None))  # no key: no constraint
    with pytest.raises(sqlite3.IntegrityError):
        with coordinator.store.transaction() as db:
            db.execute(insert, (sid, ada.id, "dup-key-1"))


def test_a_rejection_event_keeps_its_reason_as_template_and_fields_too(coordinator):
    """The desktop says the reason in its language from these (gui/i18n.rejection_reason); HTTP says ``reason``."""
    sid, ada, bob = _running(coordinator, max_staleness=0)
    coordinator.submit_update(bob, 0, 10, _moved(coordinator, sid, 1))
    with pytest.raises(Conflict) as refused:
        coordinator.submit_update(ada, 0, 10, _moved(coordinator, sid, 0))
    data = coordinator.event_log(sid)[-1]["data"]
    assert (
        data["reason"]
        == refused.value.message
        == "The update is 1 versions behind (the limit is 0). Retrain on the current model."
    )
    assert (
        data["reason_template"]
        == "The update is {staleness} versions behind (the limit is {limit}). Retrain on the current model."
    )
    assert data["reason_params"] == {"staleness": 1, "limit": 0}
    assert data["reason_template"].format(**data["reason_params"]) == data["reason"]


def test_a_rejected_update_keeps_its_reason_as_template_and_fields_as_its_event_does(coordinator):
    """The dashboard's Rejected updates table says the reason in the app's language from these; a replay of the
    rejection raises it with the same template and fields."""
    sid, ada, bob = _running(coordinator, max_staleness=0)
    coordinator.submit_update(bob, 0, 10, _moved(coordinator, sid, 1))
    body = _moved(coordinator, sid, 0)
    with pytest.raises(Conflict) as refused:
        coordinator.submit_update(ada, 0, 10, body, idempotency_key="too-old-1")
    accepted, rejected = coordinator.updates(sid)
    event = coordinator.event_log(sid)[-1]["data"]
    reason = ("reason", "code", "reason_template", "reason_params")
    assert {k: rejected[k] for k in reason} == {k: event[k] for k in reason}
    assert (rejected["code"], rejected["reason_params"]) == ("too_stale", {"staleness": 1, "limit": 0})
    assert {k: accepted[k] for k in reason} == dict.fromkeys(reason)
    with pytest.raises(Conflict) as again:
        coordinator.submit_update(ada, 0, 10, body, idempotency_key="too-old-1")
    first, replayed = refused.value, again.value
    assert (replayed.template, replayed.params, replayed.message) == (first.template, first.params, first.message)


def test_a_rejection_stored_before_its_template_was_is_listed_and_replayed_with_its_sentence(coordinator):
    sid, ada, bob = _running(coordinator, max_staleness=0)
    coordinator.submit_update(bob, 0, 10, _moved(coordinator, sid, 1))
    body = _moved(coordinator, sid, 0)
    with pytest.raises(Conflict) as refused:
        coordinator.submit_update(ada, 0, 10, body, idempotency_key="too-old-2")
    with coordinator.store.transaction() as db:  # what an older version stored: no template, no fields
        db.execute("UPDATE updates SET answer=json_remove(answer, '$.error.template', '$.error.params') WHERE status='rejected'")
    rejected = coordinator.updates(sid)[-1]
    assert (rejected["reason"], rejected["code"], rejected["reason_template"], rejected["reason_params"]) == (
        refused.value.message,
        "too_stale",
        None,
        None,
    )
    with pytest.raises(Conflict) as again:
        coordinator.submit_update(ada, 0, 10, body, idempotency_key="too-old-2")
    replayed = again.value
    assert (replayed.code, replayed.message, replayed.template, replayed.params) == (
        "too_stale",
        refused.value.message,
        refused.value.message,
        {},
    )
