"""Test results: a participant's report is checked for consistency before it is stored; the server's accuracy
history shows the newest test set only."""

from __future__ import annotations

import pytest

from influx_desktop.errors import InvalidInput
from influx_desktop.evaluation import MAX_TEST_IMAGES


@pytest.fixture
def ada(coordinator):
    session = coordinator.create_session({"title": "t", "classes": ["cat", "dog"]})
    coordinator._set_state(session["id"], "running", ("draft",), "session_started")  # no model files needed
    return coordinator.authenticate(coordinator.join(session["join_code"], "Ada")["token"])


def test_a_consistent_result_is_stored_logged_and_shown_with_the_participant(coordinator, ada):
    result = {
        "version": 0,
        "accuracy": 0.75,
        "n": 4,
        "per_class": {"cat": {"correct": 2, "total": 2}, "dog": {"correct": 1, "total": 2}},
    }
    coordinator.report_test_result(ada, result)
    (logged,) = [e for e in coordinator.event_log(ada.session_id) if e["kind"] == "test_result"]
    assert logged["participant_id"] == ada.id
    assert {k: logged["data"][k] for k in result} == result
    assert coordinator.participants(ada.session_id)[0]["last_test_accuracy"] == 0.75
    assert coordinator.accuracy_history(ada.session_id) == []  # participants' results are not the server's


@pytest.mark.parametrize(
    "payload, field",
    [
        (["not", "an", "object"], None),
        ({"version": 0, "accuracy": 1.5, "n": 4}, "accuracy"),
        ({"version": 0, "accuracy": True, "n": 4}, "accuracy"),
        ({"version": 0, "accuracy": 0.3, "n": 4}, "accuracy"),  # 1.2 correct answers
        ({"version": 0, "accuracy": 0.5, "n": 0}, "n"),
        ({"version": 0, "accuracy": 0.5, "n": MAX_TEST_IMAGES + 2}, "n"),
        ({"version": 1, "accuracy": 0.5, "n": 4}, "version"),
        ({"version": "0", "accuracy": 0.5, "n": 4, "per_class": {"owl": {"correct": 1, "total": 1}}}, "per_class"),
        ({"version": 0, "accuracy": 0.5, "n": 4, "per_class": {"cat": {"correct": 3, "total": 2}}}, "per_class"),
        ({"version": 0, "accuracy": 0.5, "n": 4, "per_class": {"cat": {"correct": 1, "total": 3}}}, "per_class"),
    ],
)
def test_an_inconsistent_result_is_refused_naming_the_field_and_nothing_is_stored(coordinator, ada, payload, field):
    with pytest.raises(InvalidInput) as refused:
        coordinator.report_test_result(ada, payload)
    assert refused.value.field == field
    assert coordinator.store.query("SELECT * FROM test_results") == []


def test_the_accuracy_history_is_that_of_the_newest_test_set(coordinator, ada):
    evaluation = coordinator._evaluation
    sid = ada.session_id
    old_set = evaluation.record_test_set(sid, images=4, skipped=[])
    evaluation.record_server_accuracy(sid, old_set, 0, 0.5, 4, {"cat": {"correct": 2, "total": 4}})
    new_set = evaluation.record_test_set(sid, images=2, skipped=["bad.png"])
    evaluation.record_server_accuracy(sid, new_set, 0, 1.0, 2, {"cat": {"correct": 2, "total": 2}})
    assert [(h["test_set"], h["version"], h["accuracy"], h["per_class"]) for h in coordinator.accuracy_history(sid)] == [
        (new_set, 0, 1.0, {"cat": {"correct": 2, "total": 2}})
    ]
    kinds = [e["kind"] for e in coordinator.event_log(sid)]
    assert kinds.count("test_set_loaded") == 2 and kinds.count("server_evaluation") == 2
