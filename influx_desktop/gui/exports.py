"""What a facilitator can save from a session, declared once, and how a file is written. No Qt here.

Each ``Export`` says how the save dialog asks for it (title, suggested name, file types) and how the core
produces its bytes; the window has one flow for all of them (``MainWindow.export``), the controller one
way to write them (``SessionController.save_export``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .i18n import tr, tr_noop

C = "SessionController"  # the context the controller translates ``label`` and ``what`` in
CSV = ("csv", "CSV (*.csv)")
JSON_LINES = ("jsonl", "JSON Lines (*.jsonl)")


def write_atomically(path: Path, data: bytes) -> None:
    """A file appears complete or not at all (a half-written model would load as garbage)."""
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "session"


@dataclass(frozen=True)
class Export:
    """One thing to save. ``label`` and ``what`` name it in messages ("Event log saved to …", "Could not export
    the event log"); texts are English, marked for translation (``tr(C, export.label)``)."""

    label: str
    what: str  # the label in a sentence: "the event log"
    title: str  # the save dialog's title
    file_name: str  # the suggested name; ``{slug}`` (of the session title) and ``{version}`` are filled in
    formats: tuple[tuple[str, str], ...]  # (format, the dialog's file type); the first is the default
    produce: Callable[[Any, int, str], bytes]  # (coordinator, session id, format) -> the file's bytes
    menu_text: str = ""

    def suggested_name(self, session: dict) -> str:
        return self.file_name.format(slug=slug(session["config"]["title"]), version=session["version"])

    def file_types(self) -> str:
        return ";;".join(tr(C, file_type) for _, file_type in self.formats)

    def format_for(self, path: str, chosen_type: str) -> str:
        """The format the facilitator chose: another than the default when the file's extension or the
        chosen file type names it."""
        others = (fmt for fmt, _ in self.formats[1:] if path.endswith(f".{fmt}") or fmt in chosen_type)
        return next(others, self.formats[0][0])


def _study(what: str, fmt: str, menu_text: str) -> Export:
    events = what == "events"
    return Export(
        label=tr_noop(C, "Study timeline") if events else tr_noop(C, "Study summary"),
        what=tr_noop(C, "the study timeline") if events else tr_noop(C, "the study summary"),
        title=tr_noop(C, "Export the study timeline") if events else tr_noop(C, "Export the per-participant study summary"),
        file_name=f"{{slug}}-study-{what}.{fmt}",
        formats=(CSV if fmt == "csv" else JSON_LINES,),
        produce=lambda coordinator, session_id, f: coordinator.export_study(session_id, what, f).encode("utf-8"),
        menu_text=menu_text,
    )


MODEL = Export(
    label=tr_noop(C, "Model"),
    what=tr_noop(C, "the model"),
    title=tr_noop(C, "Export the class model"),
    file_name="{slug}-v{version}.onnx",
    formats=(("onnx", tr_noop(C, "ONNX model (*.onnx)")),),
    produce=lambda coordinator, session_id, _fmt: coordinator.export_model(session_id),
)
EVENT_LOG = Export(
    label=tr_noop(C, "Event log"),
    what=tr_noop(C, "the event log"),
    title=tr_noop(C, "Export the event log"),
    file_name="{slug}-events.csv",
    formats=(CSV, JSON_LINES),
    produce=lambda coordinator, session_id, fmt: coordinator.export_events(session_id, fmt).encode("utf-8"),
)
#: ``coordinator.export_study(session, what, fmt)``, one menu entry each, keyed by (what, format).
STUDY_EXPORTS = {
    (what, fmt): _study(what, fmt, text)
    for what, fmt, text in (
        ("events", "csv", tr_noop(C, "Event timeline (CSV)…")),
        ("events", "jsonl", tr_noop(C, "Event timeline (JSON Lines)…")),
        ("summary", "csv", tr_noop(C, "Per-participant summary (CSV)…")),
        ("summary", "jsonl", tr_noop(C, "Per-participant summary (JSON Lines)…")),
    )
}
