"""One declaration of what a facilitator can save: the suggested names, the format a file type or an
extension chooses, and files written whole or not at all. No Qt."""

from __future__ import annotations

import pytest

from influx_desktop.gui.exports import EVENT_LOG, MODEL, STUDY_EXPORTS, slug, write_atomically

SESSION = {"config": {"title": "Fruit or not?"}, "version": 7}


def test_suggested_names_carry_the_title_and_version():
    assert slug("  ") == "session"
    assert MODEL.suggested_name(SESSION) == "fruit-or-not-v7.onnx"
    assert EVENT_LOG.suggested_name(SESSION) == "fruit-or-not-events.csv"
    assert [e.suggested_name(SESSION) for e in STUDY_EXPORTS.values()] == [
        "fruit-or-not-study-events.csv",
        "fruit-or-not-study-events.jsonl",
        "fruit-or-not-study-summary.csv",
        "fruit-or-not-study-summary.jsonl",
    ]


@pytest.mark.parametrize(
    ("path", "chosen", "fmt"),
    [
        ("/tmp/log.csv", "CSV (*.csv)", "csv"),
        ("/tmp/log", "CSV (*.csv)", "csv"),
        ("/tmp/log.jsonl", "CSV (*.csv)", "jsonl"),  # the extension typed names the format
        ("/tmp/log", "JSON Lines (*.jsonl)", "jsonl"),  # so does the file type chosen
        ("/tmp/log", "", "csv"),
    ],
)
def test_the_event_log_format_follows_the_file_type_or_the_extension(path, chosen, fmt):
    assert EVENT_LOG.file_types() == "CSV (*.csv);;JSON Lines (*.jsonl)"
    assert EVENT_LOG.format_for(path, chosen) == fmt


def test_single_format_exports_keep_their_format():
    assert MODEL.format_for("/tmp/model.bin", "") == "onnx"
    assert {key: e.format_for("/tmp/x", "") for key, e in STUDY_EXPORTS.items()} == {k: k[1] for k in STUDY_EXPORTS}
    assert [e.label for e in STUDY_EXPORTS.values()] == ["Study timeline"] * 2 + ["Study summary"] * 2


def test_a_file_is_written_whole_or_not_at_all(tmp_path):
    target = tmp_path / "model.onnx"
    target.write_bytes(b"old")
    write_atomically(target, b"new model")
    assert target.read_bytes() == b"new model" and [p.name for p in tmp_path.iterdir()] == ["model.onnx"]
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "missing" / "x.csv", b"x")
