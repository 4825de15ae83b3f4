"""The questions the window asks before acting: what to do about a taken port, whether to remove (and maybe
block) a participant, and whether to stop the class server (or close the app) while participants are in.
Each is a window-modal box, opened without waiting; the caller connects ``buttonClicked`` and gets the
buttons by name (tests click them)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QMessageBox, QProgressDialog, QWidget

from .dashboard import short_device
from .i18n import tr
from .snapshot import participant_label

CANCEL = None  # in ``buttons``: the standard Cancel button, which Escape presses


def open_question(owner: Any, name: str, box: QMessageBox, buttons: dict[str, Any], answered) -> None:
    """Open ``box`` without waiting, as ``owner.<name>_dialog`` (its buttons: ``owner.<name>_dialog_buttons``,
    where tests find them) until a button is clicked; then both are cleared and ``answered(button)`` runs."""

    def clicked(button) -> None:
        setattr(owner, f"{name}_dialog", None)
        setattr(owner, f"{name}_dialog_buttons", {})
        box.deleteLater()
        answered(button)

    box.buttonClicked.connect(clicked)
    setattr(owner, f"{name}_dialog", box)
    setattr(owner, f"{name}_dialog_buttons", buttons)
    box.open()


class StartProgress:
    """A window-modal progress box while a session starts (``show(text)``; ``show(None)`` ends it)."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent
        self.dialog: QProgressDialog | None = None

    def show(self, text: str | None) -> None:
        if text is None:
            if self.dialog is not None:
                self.dialog.reset()
                self.dialog.deleteLater()
                self.dialog = None
            return
        if self.dialog is None:
            self.dialog = QProgressDialog(text, None, 0, 0, self.parent)
            self.dialog.setWindowTitle(tr("StartProgress", "Starting"))
            self.dialog.setWindowModality(Qt.WindowModal)
            self.dialog.setMinimumDuration(400)
            self.dialog.setAutoClose(False)
        else:
            self.dialog.setLabelText(text)


def _question(
    parent: QWidget,
    icon: Any,
    title: str,
    text: str,
    detail: str,
    buttons: list[tuple],
    default: str,
    checkbox: QCheckBox | None = None,
) -> tuple[QMessageBox, dict[str, Any]]:
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
    c = "PortInUseBox"
    if keeps_link:
        detail = tr(
            c,
            "Participants' join links of this session use this port. On another port their links change: the "
            "photos their browsers keep stay with the old link, and each of them joins again as a new participant. "
            "To keep the links, close the other program and press Retry.",
        )
    else:
        detail = tr(c, "Close the other program and press Retry, or use another port.")
    use = [("use", tr(c, "Use port {port}", port=exc.free_port), QMessageBox.AcceptRole)] if exc.free_port else []
    buttons = [*use, ("retry", tr(c, "Retry"), QMessageBox.ActionRole), ("cancel", CANCEL, None)]
    text = tr(c, "Port {port} on {host} is in use by another program.", port=exc.port, host=exc.host)
    box, named = _question(parent, QMessageBox.Warning, tr(c, "Port in use"), text, detail, buttons, "retry")
    return box, {"use": None, **named}


def remove_participant_box(parent: QWidget, participant: dict) -> tuple[QMessageBox, dict[str, Any]]:
    """Remove the participant (their token stops working), optionally blocking their device, or cancel."""
    c = "RemoveParticipantBox"
    who = participant_label(participant["nickname"], participant["id"])
    block = QCheckBox(tr(c, "Also block this device from joining this session again"))
    if not participant["device_blockable"]:
        block.setEnabled(False)
        block.setToolTip(tr(c, "This browser sent no device key (an older page), so it cannot be told apart."))
    detail = tr(
        c,
        "Their token stops working at once and their further updates are refused; updates already "
        "applied stay in the model. Without a block, their device can join again as a new participant.",
    )
    buttons = [("remove", tr(c, "Remove"), QMessageBox.DestructiveRole), ("cancel", CANCEL, None)]
    text = tr(c, "Remove {who} ({device})?", who=who, device=short_device(participant["device"]))
    box, named = _question(parent, QMessageBox.Question, tr(c, "Remove participant"), text, detail, buttons, "cancel", block)
    return box, {**named, "block": block}


def stop_server_box(
    parent: QWidget, joined: int, active_now: int, closing: bool, sessions: int = 1
) -> tuple[QMessageBox, dict[str, Any]]:
    """Stop the shown session (``closing``: every served one, and close the app) although ``joined`` participants
    are in (``closing``: in all of them), or not. ``sessions``: how many are served; the server stops with the last."""
    c = "StopServerBox"
    if closing and sessions > 1:
        if joined == 1:
            text = tr(c, "1 participant has joined the {k} running sessions.", k=sessions)
        else:
            text = tr(c, "{n} participants have joined the {k} running sessions.", n=joined, k=sessions)
    elif joined == 1:
        text = tr(c, "1 participant has joined this session.")
    else:
        text = tr(c, "{n} participants have joined this session.", n=joined)
    if active_now:
        text += " " + tr(c, "Active in the last minute: {n}.", n=active_now)
    only_this = not closing and sessions > 1  # the server goes on for the others
    if closing:
        text += "\n" + tr(c, "Close the app and stop the class server?")
    else:
        text += "\n" + (
            tr(c, "Stop this session? The other running sessions go on.") if only_this else tr(c, "Stop the class server?")
        )
    detail = tr(
        c,
        "Until you press Start again, participants can neither send what they train nor get the class "
        "model. Their photos stay on their devices, the class model keeps what it has learned, and the "
        "same join link works again after Start.",
    )
    if closing:
        stop, title = tr(c, "Close and stop the server"), tr(c, "Close InFL-UX Desktop")
    elif only_this:
        stop, title = tr(c, "Stop the session"), tr(c, "Stop the session")
    else:
        stop, title = tr(c, "Stop the server"), tr(c, "Stop the class server")
    buttons = [("stop", stop, QMessageBox.DestructiveRole), ("cancel", CANCEL, None)]
    return _question(parent, QMessageBox.Warning, title, text, detail, buttons, "cancel")
