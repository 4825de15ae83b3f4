"""The two questions the window asks before acting: what to do about a taken port, and whether to remove
(and maybe block) a participant. Each is a window-modal box, opened without waiting; the caller connects
``buttonClicked`` and gets the buttons by name (tests click them)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget

from .dashboard import short_device
from .snapshot import participant_label

CANCEL = None  # in ``buttons``: the standard Cancel button, which Escape presses


def _question(parent: QWidget, icon: Any, title: str, text: str, detail: str, buttons: list[tuple], default: str,
              checkbox: QCheckBox | None = None) -> tuple[QMessageBox, dict[str, Any]]:
    """A box with ``text`` shown literally, ``detail`` below it, and ``buttons`` as (name, label, role)."""
    box = QMessageBox(icon, title, "", QMessageBox.NoButton, parent)
    box.setTextFormat(Qt.PlainText)  # it may quote a participant's nickname and device
    box.setText(text)
    box.setInformativeText(detail)
    if checkbox is not None:
        box.setCheckBox(checkbox)
    named: dict[str, Any] = {
        name: box.addButton(QMessageBox.Cancel) if label is CANCEL else box.addButton(label, role)
        for name, label, role in buttons
    }
    box.setDefaultButton(named[default])
    box.setEscapeButton(named["cancel"])
    box.setWindowModality(Qt.WindowModal)
    return box, named


def port_in_use_box(parent: QWidget, exc: Any, keeps_link: bool) -> tuple[QMessageBox, dict[str, Any]]:
    """Never move silently: say that the port is taken and what another port means for the join link; offer the
    free port (``exc``: ``server.runner.PortInUse``; button "use", None when there is none), a retry, or leaving it."""
    if keeps_link:
        detail = (
            "Participants' join links of this session use this port. On another port their links change: the "
            "photos their browsers keep stay with the old link, and each of them joins again as a new participant. "
            "To keep the links, close the other program and press Retry."
        )
    else:
        detail = "Close the other program and press Retry, or use another port."
    use = [("use", f"Use port {exc.free_port}", QMessageBox.AcceptRole)] if exc.free_port else []
    buttons = [*use, ("retry", "Retry", QMessageBox.ActionRole), ("cancel", CANCEL, None)]
    box, named = _question(parent, QMessageBox.Warning, "Port in use", exc.message, detail, buttons, "retry")
    return box, {"use": None, **named}


def remove_participant_box(parent: QWidget, participant: dict) -> tuple[QMessageBox, dict[str, Any]]:
    """Remove the participant (their token stops working), optionally blocking their device, or cancel."""
    who = participant_label(participant["nickname"], participant["id"])
    block = QCheckBox("Also block this device from joining this session again")
    if not participant["device_blockable"]:
        block.setEnabled(False)
        block.setToolTip("This browser sent no device key (an older page), so it cannot be told apart.")
    detail = (
        "Their token stops working at once and their further updates are refused; updates already applied "
        "stay in the model. Without a block, their device can join again as a new participant."
    )
    buttons = [("remove", "Remove", QMessageBox.DestructiveRole), ("cancel", CANCEL, None)]
    box, named = _question(parent, QMessageBox.Question, "Remove participant",
                           f"Remove {who} ({short_device(participant['device'])})?", detail, buttons, "cancel", block)
    return box, {**named, "block": block}
