"""Study events as the browser sends them: each kind carries exactly its declared fields, nothing else."""

from __future__ import annotations

import pytest

from influx_desktop.errors import InvalidInput
from influx_desktop.study import (
    BROWSER_EVENTS,
    DEFAULT_CONSENT_NOTICE,
    MAX_CONSENT_NOTICE,
    MAX_EVENTS_PER_BATCH,
    validate_batch,
    validate_notice,
)

NOW = 1_800_000_000.0
CLASSES = ("cat", "dog")


def event(seq, kind, **data):
    return {"seq": seq, "at": NOW - 1, "kind": kind, "data": data}


def test_a_valid_batch_becomes_events_with_float_times():
    (shown, seen) = validate_batch(
        {
            "events": [
                event(0, "suggestion_shown", image=1, suggested="dog", confidence=1),
                event(1, "visibility", state="hidden"),
            ]
        },
        CLASSES,
        NOW,
    )
    assert (shown.seq, shown.kind, shown.data, shown.at) == (
        0,
        "suggestion_shown",
        {"image": 1, "suggested": "dog", "confidence": 1},
        NOW - 1,
    )
    assert isinstance(seen.at, float) and seen.data == {"state": "hidden"}


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"events": []}, "events"),
        ({"events": [event(i, "visibility", state="visible") for i in range(MAX_EVENTS_PER_BATCH + 1)]}, "events"),
        ([event(0, "visibility", state="visible")], "events"),
        ({"events": [{"seq": 0, "at": NOW, "kind": "visibility"}]}, "events[0]"),
        ({"events": [dict(event(0, "visibility", state="visible"), seq=True)]}, "events[0].seq"),
        ({"events": [dict(event(0, "visibility", state="visible"), at=NOW + 8 * 24 * 3600)]}, "events[0].at"),
        ({"events": [dict(event(0, "visibility", state="visible"), kind=["visibility"])]}, "events[0].kind"),
        ({"events": [event(0, "visibility", state="visible", name="IMG_1.jpg")]}, "events[0].data"),
        ({"events": [event(0, "suggestion_accepted", image=1, label="owl")]}, "events[0].data.label"),
        ({"events": [event(0, "suggestion_shown", image=1, suggested="cat", confidence=1.5)]}, "events[0].data.confidence"),
        (
            {"events": [event(0, "training_finished", duration_ms=float("nan"), epochs=1, loss_per_epoch=[])]},
            "events[0].data.duration_ms",
        ),
        (
            {"events": [event(0, "training_finished", duration_ms=5, epochs=1, loss_per_epoch=["0.5"])]},
            "events[0].data.loss_per_epoch",
        ),
    ],
)
def test_the_first_bad_event_is_named(payload, field):
    with pytest.raises(InvalidInput) as refused:
        validate_batch(payload, CLASSES, NOW)
    assert refused.value.field == field


def test_no_declared_field_can_carry_free_text():
    """Strings are only class names, train/test and visible/hidden: no file name or image can slip in."""
    for kind, schema in BROWSER_EVENTS.items():
        for name, check in schema.items():
            assert not check("IMG_0001.jpg", CLASSES), (kind, name)


def test_the_consent_notice_is_required_stripped_and_bounded():
    assert validate_notice("  We record clicks.  ") == "We record clicks."
    assert validate_notice(DEFAULT_CONSENT_NOTICE) == DEFAULT_CONSENT_NOTICE
    for bad in ("", "   ", None, "x" * (MAX_CONSENT_NOTICE + 1)):
        with pytest.raises(InvalidInput) as refused:
            validate_notice(bad)
        assert refused.value.field == "consent_notice"
