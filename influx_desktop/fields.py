"""Checks of the fields a participant's browser sends (headers and JSON values), shared by the core's parts.

Each raises ``InvalidInput`` naming the field and saying what a valid value looks like.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import InvalidInput


def short_text(value: Any, name: str, limit: int) -> str:
    """Optional text, stripped and cut to ``limit`` characters ("" when absent)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput("{name} must be text.", field=name, name=name)
    return value.strip()[:limit]


def client_key(value: Any, name: str, where: str, length: tuple[int, int]) -> str | None:
    """An optional client-made key: ``length`` characters of A-Z, a-z, 0-9, '_' and '-' (None when absent)."""
    if value is None:
        return None
    low, high = length
    if not isinstance(value, str) or not re.fullmatch(rf"[A-Za-z0-9_-]{{{low},{high}}}", value):
        raise InvalidInput(
            "{where} must be {low} to {high} characters of A-Z, a-z, 0-9, '_' and '-' (a random value the client made).",
            field=name,
            where=where,
            low=low,
            high=high,
        )
    return value


def whole_number(value: Any, name: str, where: str) -> int:
    """A whole number, as JSON gives it or as a header's text (ASCII digits, at most 12)."""
    if isinstance(value, str):
        value = value.strip()
        # ASCII digits only: str.isdigit() also accepts '²' or '٣', which int() then refuses or misreads.
        if not re.fullmatch(r"-?[0-9]{1,12}", value):
            raise InvalidInput("{where} must be a whole number; got '{value}'.", field=name, where=where, value=value[:20])
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("{where} must be a whole number.", field=name, where=where)
    return value
