"""The event log's lines: every kind the core logs reads as a sentence naming who did it. No Qt."""

from __future__ import annotations

import pytest

from influx_desktop.gui.snapshot import describe_event

NICKNAMES = {7: "Ada"}


@pytest.mark.parametrize(
    ("kind", "data", "line"),
    [
        ("participant_joined", {"nickname": "Bob", "device": "Firefox"}, "Bob · #7 joined (Firefox)"),
        ("participant_removed", {}, "Ada · #7 was removed"),
        ("device_blocked", {}, "Ada · #7's device is blocked: it cannot join this session again"),
        ("device_unblocked", {}, "Ada · #7's device is no longer blocked: it may join again as a new participant"),
        ("join_refused", {}, "Ada · #7's blocked device tried to join again and was refused"),
        ("update_accepted", {"base_version": 3, "staleness": 1}, "update from Ada · #7 accepted (base v3, staleness 1)"),
        ("update_accepted", {}, "update from Ada · #7 accepted (base vNone, staleness None)"),
        ("update_rejected", {"reason": "too stale"}, "update from Ada · #7 rejected: too stale"),
        ("update_rejected", {}, "update from Ada · #7 rejected: "),
        (
            "update_rejected",
            {
                "reason": "The update is 25 versions behind (the limit is 20). Retrain on the current model.",
                "reason_template": "The update is {staleness} versions behind (the limit is {limit}). Retrain on the current model.",
                "reason_params": {"staleness": 25, "limit": 20},
            },
            "update from Ada · #7 rejected: The update is 25 versions behind (the limit is 20). Retrain on the current model.",
        ),
        (  # a template its fields do not fill: the stored sentence
            "update_rejected",
            {"reason": "too stale", "reason_template": "{nothing}", "reason_params": {"other": 1}},
            "update from Ada · #7 rejected: too stale",
        ),
        (
            "participant_rejoined",
            {"nickname": "Bob", "device": "Firefox"},
            "Bob · #7 joined again from the same browser (Firefox)",
        ),
        ("participant_rejoined", {}, "Ada · #7 joined again from the same browser"),
        (
            "study_withdrawn",
            {"deleted_events": 12},
            "Ada · #7 left the study: 12 recorded interactions deleted; the study exports leave out everything of theirs up to now",
        ),
        (
            "study_withdrawn",
            {"deleted_events": 1},
            "Ada · #7 left the study: 1 recorded interaction deleted; the study exports leave out everything of theirs up to now",
        ),
        (
            "study_withdrawn",
            {},
            "Ada · #7 left the study: 0 recorded interactions deleted; the study exports leave out everything of theirs up to now",
        ),
        (
            "class_stats_received",
            {"counts": [3, 0, 2], "version": 4},
            "Ada · #7 sent class statistics (5 photos of 2 classes): the model starts from everyone's class means (version 4)",
        ),
        ("model_version", {"version": 5, "update_ids": [1, 2]}, "model version 5 published (2 update(s))"),
        ("model_version", {"version": 6, "class_stats_from": 7}, "model version 6 published (class statistics changed)"),
        ("server_evaluation", {"version": 2, "accuracy": 0.875, "n": 8}, "version 2: test accuracy 87.5% on 8 images"),
        ("server_evaluation", {"version": 2}, "version 2: test accuracy 0.0% on None images"),
        ("test_result", {"version": 2, "accuracy": 0.5, "n": 4}, "Ada · #7 tested version 2: 50.0% on 4 images"),
        ("test_set_loaded", {"images": 12, "skipped": ["x.txt"]}, "test set loaded: 12 images, 1 skipped"),
        ("server_address_changed", {"host": "127.0.0.1", "port": 8080}, "served at 127.0.0.1:8080"),
        ("session_configured", {"changes": {"local_epochs": 3, "batch_size": 8}}, "settings changed: Local epochs, Batch size"),
        ("session_started", {}, "session started"),
        ("session_grouped", {"group_id": 3, "condition": "Fast"}, "this session became condition “Fast” of group 3"),
        (
            "group_renamed",
            {"group_id": 3, "title": "Fruit study", "previous": "Frut study"},
            "group 3 was renamed “Fruit study” (was “Frut study”): participants read it before joining",
        ),
        ("session_ungrouped", {"group_id": 3}, "group 3 was deleted: its link no longer leads to this session"),
        (
            "participant_assigned",
            {"group_id": 3, "condition": "Fast", "position": 2},
            "Ada · #7 was assigned to condition “Fast” (#2 in group 3)",
        ),
    ],
)
def test_each_event_kind_reads_as_a_sentence(kind, data, line):
    assert describe_event({"kind": kind, "participant_id": 7, "data": data}, NICKNAMES) == line


def test_an_unknown_participant_is_named_by_id_and_a_field_named_who_changes_nothing():
    event = {"kind": "participant_removed", "participant_id": 9, "data": {"who": "someone else"}}
    assert describe_event(event) == "participant #9 was removed"


FEDASYNC = {"alpha": 0.6, "staleness_function": "polynomial", "a": 0.5, "b": 4}


@pytest.mark.parametrize(
    ("data", "names"),
    [
        # By their captions, in the setup form's order; a name that is no setting (an older version's) as stored.
        (
            {"changes": {"study_logging": True, "title": "x", "old_setting": 1}},
            "Title, Record participants' interactions for a user study, old_setting",
        ),
        # The desktop sends all of a strategy's parameters: the event's values before tell which changed.
        (
            {"changes": {"aggregator_params": {**FEDASYNC, "alpha": 0.3, "b": 2}}, "previous": {"aggregator_params": FEDASYNC}},
            "alpha, b",
        ),
        (
            {
                "changes": {"batch_size": 8, "aggregator_params": {"buffer_size": 5, "server_learning_rate": 1.0}},
                "previous": {"batch_size": 64, "aggregator_params": {"buffer_size": 3, "server_learning_rate": 1.0}},
            },
            "buffer size, Batch size",
        ),
        # Before the event kept them (or sent unchanged): the strategy's settings as one.
        ({"changes": {"aggregator_params": FEDASYNC}}, "Aggregator settings"),
        ({"changes": {"aggregator_params": FEDASYNC}, "previous": {"aggregator_params": FEDASYNC}}, "Aggregator settings"),
        # Another strategy: its settings are all new.
        (
            {
                "changes": {"aggregator": "fedbuff", "aggregator_params": {"buffer_size": 3, "server_learning_rate": 1.0}},
                "previous": {"aggregator": "fedasync", "aggregator_params": FEDASYNC},
            },
            "Aggregator, Aggregator settings",
        ),
        # A parameter no strategy declares.
        ({"changes": {"aggregator_params": {"gone": 1}}, "previous": {"aggregator_params": {"gone": 2}}}, "Aggregator settings"),
    ],
)
def test_changed_settings_are_named_by_their_captions(data, names):
    assert describe_event({"kind": "session_configured", "participant_id": None, "data": data}) == f"settings changed: {names}"
