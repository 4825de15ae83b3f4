"""The questions the main window asks before acting, and what it does with the answers: a taken port (use the
port offered, retry, or leave it), removing a participant (and maybe blocking their device), stopping a served
session or closing the app while participants are in. ``MainWindow`` has them (a mixin over its controller,
server panel and ``start``/``close``); each box is opened without waiting, as ``<name>_dialog`` with its buttons
in ``<name>_dialog_buttons``, where tests find them."""

from __future__ import annotations

from typing import Any

from .dialogs import open_question, port_in_use_box, remove_participant_box, stop_server_box


class WindowQuestions:
    controller: Any
    server_panel: Any

    def _init_questions(self) -> None:
        #: Open while a taken port waits for the facilitator's answer (use the offered port, retry, cancel).
        self.port_dialog = None
        self.port_dialog_buttons: dict[str, Any] = {}
        #: Open while "Remove participant" waits for the facilitator's answer (remove, optionally blocking; cancel).
        self.remove_dialog = None
        self.remove_dialog_buttons: dict[str, Any] = {}
        #: Open while Stop or closing the window asks whether to stop the server with participants in.
        self.stop_dialog = None
        self.stop_dialog_buttons: dict[str, Any] = {}
        self._close_confirmed = False

    def _ask(self, name: str, box: Any, buttons: dict[str, Any], answered) -> None:
        """Open ``box`` as ``self.<name>_dialog`` (buttons: ``<name>_dialog_buttons``) until it is answered."""
        open_question(self, name, box, buttons, lambda button: self.controller.closed or answered(button))

    def _ask_about_taken_port(self, exc: Any, keeps_link: bool) -> None:
        """Use the port offered, retry, or leave it: the answer starts again."""
        box, buttons = port_in_use_box(self, exc, keeps_link)

        def answered(button) -> None:
            if self.serving is not None:
                return
            if buttons["use"] is not None and button is buttons["use"]:
                self.server_panel.port_spin.setValue(exc.free_port)
                self.start()
            elif button is buttons["retry"]:
                self.start()

        self._ask("port", box, buttons, answered)

    def remove_participant(self, participant: dict) -> None:
        """Ask (a window-modal box), then revoke the participant's token and, if chosen, block their device."""
        if self.session_id is None:
            return
        box, buttons = remove_participant_box(self, participant)

        def answered(button) -> None:
            if button is buttons["remove"]:
                self.controller.remove_participant(participant, block_device=buttons["block"].isChecked())

        self._ask("remove", box, buttons, answered)

    def joined_participants(self) -> tuple[int, int]:
        """(participants not removed, of them active in the last minute), as the dashboard last read them."""
        return self.snapshot.joined() if self.snapshot is not None else (0, 0)

    def stop(self, closing: bool = False) -> None:
        """Stop the shown session (``closing``: every one served, and close the window); with participants in, ask."""
        if (self.serving is None and not closing) or self.stop_dialog is not None:
            return
        joined, active_now = self.controller.joined_in_served() if closing else self.joined_participants()
        if joined == 0:
            return self._stop_confirmed(closing)
        box, buttons = stop_server_box(self, joined, active_now, closing, len(self.controller.serving_now))
        self._ask("stop", box, buttons, lambda button: button is buttons["stop"] and self._stop_confirmed(closing))

    def _stop_confirmed(self, closing: bool) -> None:
        if closing:
            self._close_confirmed = True
            self.close()
        else:
            self.controller.stop()
