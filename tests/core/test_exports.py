"""Exports: the event log as CSV or JSON lines (nested values JSON-encoded in their cell), the model as ONNX."""

from __future__ import annotations

import csv
import io
import json

import pytest

from influx_desktop.errors import InvalidInput, NotFound
from influx_desktop.exports import EVENT_COLUMNS, table_text


def test_csv_has_the_columns_in_order_and_json_in_nested_cells():
    rows = [{"b": 1, "a": {"z": [1, 2], "y": None}}, {"b": "two, three", "a": []}]
    text = table_text(rows, "csv", ("a", "b"))
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ['{"y": null, "z": [1, 2]}', "1"], ["[]", "two, three"]]
    assert [json.loads(line) for line in table_text(rows, "jsonl", ("a", "b")).splitlines()] == rows
    with pytest.raises(InvalidInput, match="csv or jsonl") as refused:
        table_text(rows, "xlsx", ("a", "b"))
    assert refused.value.field == "format"


def test_the_event_log_exports_whole_in_both_formats(coordinator):
    sid = coordinator.create_session({"title": "t", "classes": ["a", "b"]})["id"]
    coordinator._set_state(sid, "running", ("draft",), "session_started")
    log = coordinator.event_log(sid)
    assert [e["kind"] for e in log] == ["session_created", "session_started"]
    assert [json.loads(line) for line in coordinator.export_events(sid, "jsonl").splitlines()] == log
    rows = list(csv.DictReader(io.StringIO(coordinator.export_events(sid, "csv"))))
    assert tuple(rows[0]) == EVENT_COLUMNS
    assert json.loads(rows[0]["data"]) == log[0]["data"]
    with pytest.raises(NotFound):
        coordinator.export_events(sid + 1, "csv")


def test_the_exported_model_is_backbone_and_current_head_in_one_file(coordinator):
    import onnx

    sid = coordinator.create_session({"title": "t", "classes": ["a", "b", "c"]})["id"]
    model = onnx.load_from_string(coordinator.export_model(sid))
    assert [i.name for i in model.graph.input] == ["input"]
    assert {"logits", "probabilities"} <= {o.name for o in model.graph.output}
    assert json.loads({p.key: p.value for p in model.metadata_props}["influx.class_names"]) == ["a", "b", "c"]
    _, parameters = coordinator.parameters(sid)
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    assert any(w.size == parameters.size - 3 and (w.ravel() == parameters[:-3]).all() for w in weights.values())
