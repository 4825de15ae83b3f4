"""A declared setting: name, type, default, range, label and help, stated once.

Strategies declare their parameters with it (``Strategy.parameters``) and a session its numeric settings
(``session.NUMERIC_SETTINGS``). Validation, the facilitator's form and the HTTP API all read these
declarations; there is no second list to keep in sync.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput


@dataclass(frozen=True)
class Param:
    """One declared setting: what a form field shows and what validation checks."""

    name: str
    type: type  # float, int or str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    label: str = ""  # the form's short caption ("Local epochs"); empty: the name is shown

    def validate(self, value: Any, field_prefix: str = "aggregator_params") -> Any:
        field = f"{field_prefix}.{self.name}"
        if self.type is str:
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                raise InvalidInput(f"{self.name} must be one of {', '.join(self.choices or ())}.", field=field)
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidInput(f"{self.name} must be a number.", field=field)
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidInput(f"{self.name} must be a finite number.", field=field)
        if self.type is int:
            if isinstance(value, float) and not value.is_integer():
                raise InvalidInput(f"{self.name} must be a whole number.", field=field)
            value = int(value)  # Python ints have no overflow; the range check below bounds them
        elif isinstance(value, int) and abs(value) > 1e300:
            raise InvalidInput(f"{self.name} is far out of range.", field=field)
        else:
            value = float(value)
        if self.minimum is not None and value < self.minimum:
            raise InvalidInput(f"{self.name} must be at least {self.minimum}.", field=field)
        if self.maximum is not None and value > self.maximum:
            raise InvalidInput(f"{self.name} must be at most {self.maximum}.", field=field)
        return value

    def describe(self) -> dict:
        return {
            "name": self.name,
            "type": self.type.__name__,
            "default": self.default,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "choices": list(self.choices) if self.choices else None,
            "help": self.help,
        }
