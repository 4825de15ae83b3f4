"""Aggregation strategies, one per module. Adding one: a new file with a ``Strategy`` subclass, listed here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInput
from .base import ClientUpdate, Param, Strategy
from .fedasync import FedAsync
from .fedbuff import FedBuff
from .robust_fedbuff import RobustFedBuff

STRATEGIES: dict[str, type[Strategy]] = {cls.name: cls for cls in (FedAsync, FedBuff, RobustFedBuff)}
DEFAULT_STRATEGY = FedAsync.name


def get_strategy_class(name: str) -> type[Strategy]:
    try:
        return STRATEGIES[name]
    except KeyError:
        raise InvalidInput(
            "Unknown aggregator '{name}'; choose one of: {known}.", field="aggregator", name=name, known=", ".join(STRATEGIES)
        ) from None


def make_strategy(name: str, settings: Mapping[str, Any] | None = None) -> Strategy:
    return get_strategy_class(name)(settings)


__all__ = ["ClientUpdate", "Param", "Strategy", "STRATEGIES", "DEFAULT_STRATEGY", "get_strategy_class", "make_strategy"]
