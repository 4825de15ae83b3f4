"""Exports: the global model as one ONNX file, and the event log as CSV or JSON lines; the condition a session
stands for in every export (``session_condition``)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

from .errors import InvalidInput
from .sessions import Sessions
from .store import Store, session_config, session_row

#: ``condition`` (issue 18) comes last: columns are only ever added at the end.
EVENT_COLUMNS = ("id", "session_id", "at", "kind", "participant_id", "data", "condition")


def export_model(sessions: Sessions, session_id: int, heatmap: bool = False) -> bytes:
    """Backbone and the current head as one ONNX file (images in, class scores out; with ``heatmap``, also
    every class's activation map, ``models/cam.py``)."""
    from .models.export import export_global_model

    config = sessions.config(session_id)
    artifacts = sessions.prepare_models(session_id)
    extractor_path = sessions.models.artifact_by_sha256(artifacts["feature_extractor"]["sha256"])
    _, parameters = sessions.parameters(session_id)
    return export_global_model(extractor_path, parameters, len(config.classes), list(config.classes), heatmap=heatmap)


def event_log(store: Store, session_id: int) -> list[dict]:
    """The session's events in the order they happened, ``data`` decoded, each naming the session's condition."""
    condition = store.read(session_condition, session_id)
    rows = store.query("SELECT * FROM events WHERE session_id=? ORDER BY id", (session_id,))
    return [dict(r, data=json.loads(r["data"]), condition=condition) for r in rows]


def session_condition(db: sqlite3.Connection, session_id: int) -> str:
    """The condition the session stands for in exports: its label in the newest session group that has or had
    it as a member (``groups.py``; a deleted group's label stays, as its assignments do), else its title."""
    session_row(db, session_id)
    row = db.execute(
        "SELECT condition FROM group_members WHERE session_id=? ORDER BY group_id DESC LIMIT 1", (session_id,)
    ).fetchone()
    return row["condition"] if row is not None else session_config(db, session_id).title


def export_events(store: Store, session_id: int, fmt: str) -> str:
    return table_text(event_log(store, session_id), fmt, EVENT_COLUMNS)


def table_text(rows: list[dict], fmt: str, columns: tuple[str, ...]) -> str:
    """Rows as JSON lines, or as CSV with nested values (dicts, lists) JSON-encoded in their cell."""
    if fmt == "jsonl":
        return "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for r in rows:
            writer.writerow([json.dumps(r[c], sort_keys=True) if isinstance(r[c], (dict, list)) else r[c] for c in columns])
        return out.getvalue()
    raise InvalidInput("Unknown export format '{format}'; use csv or jsonl.", field="format", format=fmt)
