"""A declared setting (``Param``): the validation every strategy parameter and numeric session setting gets."""

from __future__ import annotations

import pytest

from influx_desktop.errors import InvalidInput
from influx_desktop.settings import Param

RATE = Param("rate", float, 0.5, "How fast.", minimum=0.0, maximum=1.0, label="Rate")
ROUNDS = Param("rounds", int, 3, "How often.", minimum=1, maximum=10)
MODE = Param("mode", str, "fast", "Which way.", choices=("fast", "slow"))


def test_values_in_range_pass_converted_to_the_declared_type():
    assert RATE.validate(1) == 1.0 and isinstance(RATE.validate(1), float)
    assert ROUNDS.validate(4.0) == 4 and isinstance(ROUNDS.validate(4.0), int)
    assert MODE.validate("slow") == "slow"


@pytest.mark.parametrize(
    "param, value, message",
    [
        (RATE, True, "must be a number"),
        (RATE, "0.5", "must be a number"),
        (RATE, float("nan"), "finite"),
        (RATE, 10**400, "far out of range"),
        (RATE, -0.1, "at least 0.0"),
        (RATE, 1.5, "at most 1.0"),
        (ROUNDS, 2.5, "whole number"),
        (ROUNDS, 0, "at least 1"),
        (MODE, "medium", "one of fast, slow"),
        (MODE, 1, "one of fast, slow"),
    ],
)
def test_each_refusal_names_the_field_under_its_prefix(param, value, message):
    with pytest.raises(InvalidInput, match=message) as refused:
        param.validate(value, field_prefix="settings")
    assert refused.value.field == f"settings.{param.name}"


def test_the_label_defaults_to_empty_and_describe_is_what_forms_and_the_api_read():
    assert ROUNDS.label == "" and RATE.label == "Rate"
    assert MODE.describe() == {
        "name": "mode",
        "type": "str",
        "default": "fast",
        "minimum": None,
        "maximum": None,
        "choices": ["fast", "slow"],
        "help": "Which way.",
    }
