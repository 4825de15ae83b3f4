"""Aggregation: the session's strategy turns the accepted updates waiting in the store into a new model version.

A strategy (``strategies/``) is stateless: accepted updates wait in the ``updates`` table as ``buffered``
until ``buffer_size`` of them are there; then each is rebased onto the current class-statistics start and
confined (``class_stats.rebase``), clipped when the session clips (``strategies/clipping.py``), and the
strategy's result is stored as the next version, all in the transaction that accepted the last update.
"""

from __future__ import annotations

import time

import numpy as np

from . import class_stats
from .events import Event, record
from .session import SessionConfig
from .store import add_model_version, blob_to_vector, model_parameters
from .strategies import ClientUpdate, Strategy, make_strategy
from .strategies.clipping import ClipUpdates, with_clipping


def session_strategy(config: SessionConfig, parameter_count: int) -> Strategy | ClipUpdates:
    """The session's aggregator with its parameters, wrapped in the session's update clipping."""
    return with_clipping(make_strategy(config.aggregator, config.aggregator_params), config.update_clip_norm(parameter_count))


def aggregate_if_ready(
    db, session_id: int, strategy: Strategy | ClipUpdates, current_version: int, published: list[Event]
) -> int | None:
    """Inside the caller's transaction: when ``buffer_size`` accepted updates wait, store the version the
    strategy makes of them (returned, its ``model_version`` event appended to ``published``); else None."""
    pending = db.execute(
        "SELECT id, base_version, staleness, sample_count, parameters FROM updates "
        "WHERE session_id=? AND status='buffered' ORDER BY id",
        (session_id,),
    ).fetchall()
    if len(pending) < strategy.buffer_size:
        return None
    current = model_parameters(db, session_id, current_version)
    base_cache: dict[int, np.ndarray] = {}

    def base_parameters(version: int) -> np.ndarray:
        if version not in base_cache:
            base_cache[version] = model_parameters(db, session_id, version)
        return base_cache[version]

    client_updates = []
    for r in pending:
        # Onto the current class-statistics start, and kept off the means of classes it did not train.
        parameters, base = class_stats.rebase(
            db,
            session_id,
            r["base_version"],
            current_version,
            blob_to_vector(r["parameters"]),
            base_parameters(r["base_version"]),
        )
        client_updates.append(
            ClientUpdate(parameters=parameters, base_parameters=base, staleness=r["staleness"], sample_count=r["sample_count"])
        )
    new_parameters = strategy.aggregate(current, client_updates)
    new_version = current_version + 1
    update_ids = [r["id"] for r in pending]
    add_model_version(db, session_id, new_version, new_parameters, time.time(), update_ids)
    db.execute(
        f"UPDATE updates SET status='applied', applied_version=? WHERE id IN ({','.join('?' * len(update_ids))})",
        (new_version, *update_ids),
    )
    published.append(record(db, session_id, "model_version", version=new_version, update_ids=update_ids))
    return new_version
