"""The checks of fields a participant's browser sends: each refusal names the field."""

from __future__ import annotations

import pytest

from influx_desktop.errors import InvalidInput
from influx_desktop.fields import client_key, short_text, whole_number


@pytest.mark.parametrize("value, expected", [(5, 5), (-3, -3), ("12", 12), (" 7 ", 7), ("-0", 0), ("9" * 12, int("9" * 12))])
def test_whole_numbers_from_json_or_a_header(value, expected):
    assert whole_number(value, "n", "X-N") == expected


@pytest.mark.parametrize("value", ["²", "٣", "1.5", "", "1e3", "9" * 13, True, 1.0, None, [1]])
def test_anything_else_is_not_a_whole_number(value):
    with pytest.raises(InvalidInput, match="X-N must be a whole number") as refused:
        whole_number(value, "n", "X-N")
    assert refused.value.field == "n"


def test_client_keys_are_optional_and_made_of_safe_characters():
    assert client_key(None, "key", "The key", (8, 10)) is None
    assert client_key("Ab3_-xyz9", "key", "The key", (8, 10)) == "Ab3_-xyz9"
    for bad in ("short", "x" * 11, "has space", "ümlaut99", 12345678, ""):
        with pytest.raises(InvalidInput, match="8 to 10 characters") as refused:
            client_key(bad, "key", "The key", (8, 10))
        assert refused.value.field == "key"


def test_short_texts_are_stripped_and_cut():
    assert short_text(None, "nickname", 5) == ""
    assert short_text("  Ada Lovelace ", "nickname", 5) == "Ada L"
    with pytest.raises(InvalidInput, match="nickname must be text") as refused:
        short_text(7, "nickname", 5)
    assert refused.value.field == "nickname"
