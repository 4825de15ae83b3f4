"""A declared setting: name, type, default, range, label and help, stated once.

Strategies declare their parameters with it (``Strategy.parameters``) and a session its numeric settings
(``session.NUMERIC_SETTINGS``). Validation, the facilitator's form and the HTTP API all read these
declarations; there is no second list to keep in sync.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput, Label, Listing


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

    @property
    def caption(self) -> str:
        """The form's caption: ``label``, else the name in words."""
        return self.label or self.name.replace("_", " ")

    def validate(self, value: Any, field_prefix: str = "aggregator_params") -> Any:
        field = f"{field_prefix}.{self.name}"
        setting = Label(self.name, self.caption)
        if self.type is str:
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                choices = Listing(Label(choice) for choice in self.choices or ())  # the desktop: as its drop-down says them
                raise InvalidInput("{setting} must be one of {choices}.", field=field, setting=setting, choices=choices)
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidInput("{setting} must be a number.", field=field, setting=setting)
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidInput("{setting} must be a finite number.", field=field, setting=setting)
        if self.type is int:
            if isinstance(value, float) and not value.is_integer():
                raise InvalidInput("{setting} must be a whole number.", field=field, setting=setting)
            value = int(value)  # Python ints have no overflow; the range check below bounds them
        elif isinstance(value, int) and abs(value) > 1e300:
            raise InvalidInput("{setting} is far out of range.", field=field, setting=setting)
        else:
            value = float(value)
        if self.minimum is not None and value < self.minimum:
            raise InvalidInput("{setting} must be at least {minimum}.", field=field, setting=setting, minimum=self.minimum)
        if self.maximum is not None and value > self.maximum:
            raise InvalidInput("{setting} must be at most {maximum}.", field=field, setting=setting, maximum=self.maximum)
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
