"""The shared base of every aggregation strategy.

A strategy declares its parameters once (``parameters``); the facilitator's forms, the
HTTP API and validation all read that declaration. A strategy is stateless: the
coordinator keeps accepted-but-not-yet-applied updates in the database, hands them to
``aggregate`` once ``buffer_size`` of them are waiting, and stores the result.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import InvalidInput, Label, Text
from ..settings import Param


@dataclass(frozen=True)
class ClientUpdate:
    """An accepted client update as the strategy sees it."""

    parameters: np.ndarray  # the client's full parameters after local training
    base_parameters: np.ndarray  # the global parameters it started from
    staleness: int  # global versions applied since its base version
    sample_count: int

    @property
    def delta(self) -> np.ndarray:
        return self.parameters - self.base_parameters


class Strategy(ABC):
    """Base of all strategies. Subclasses set ``name``, ``title``, ``parameters`` and a docstring."""

    name: ClassVar[str]
    title: ClassVar[str]
    parameters: ClassVar[tuple[Param, ...]] = ()

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = self.validate_settings(settings or {})

    @classmethod
    def validate_settings(cls, settings: Mapping[str, Any]) -> dict[str, Any]:
        """Fill defaults and check every value; unknown names are an error (a typo must not pass silently)."""
        if not isinstance(settings, Mapping):
            raise InvalidInput("aggregator_params must be an object of parameter values.", field="aggregator_params")
        known = {p.name: p for p in cls.parameters}
        for key in settings:
            if key not in known:
                raise InvalidInput(
                    "{strategy} has no parameter '{key}'; it takes: {known}.",
                    field=f"aggregator_params.{key}",
                    strategy=Label(cls.name, cls.title),
                    key=key,
                    known=", ".join(known) or Text("none"),
                )
        return {p.name: p.validate(settings.get(p.name, p.default)) for p in cls.parameters}

    @classmethod
    def describe(cls) -> dict:
        return {
            "name": cls.name,
            "title": cls.title,
            "help": (cls.__doc__ or "").strip().split("\n\n")[0],
            "parameters": [p.describe() for p in cls.parameters],
        }

    @property
    def buffer_size(self) -> int:
        """How many accepted updates are collected before ``aggregate`` runs (1: apply each at once)."""
        return 1

    @abstractmethod
    def weight(self, staleness: int, sample_count: int) -> float:
        """The mixing weight this update gets (reported to the participant and stored)."""

    @abstractmethod
    def aggregate(self, current: np.ndarray, updates: Sequence[ClientUpdate]) -> np.ndarray:
        """New global parameters from the current ones and ``buffer_size`` accepted updates."""
