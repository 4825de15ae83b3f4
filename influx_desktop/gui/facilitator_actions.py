"""The facilitator's actions on the shown session, without Qt: remove a participant (and block their device),
unblock a device, load a test set, save an export. ``SessionController`` has them (a mixin: they use its
``coordinator``, ``session_id``, ``events``, ``report``, ``request_refresh`` and injected ``_run``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..testset import read_test_folder
from .exports import Export, write_atomically
from .i18n import tr
from .snapshot import participant_label

C = "SessionController"


class FacilitatorActions:
    coordinator: Any
    session_id: int | None
    events: Any
    _run: Callable[..., None]

    def _act(self, what: str, work: Callable[[], Any], done_text: str, msecs: int) -> None:
        """Run ``work`` off the UI thread; say ``done_text`` when it is done, or what failed."""
        self._run(lambda _p: work(), lambda _r: self.events.status.emit(done_text, msecs), self.report(what))

    def remove_participant(self, participant: dict, block_device: bool) -> None:
        """Revoke the participant's token and, if asked, block their device from joining again."""
        if self.session_id is None:
            return
        session_id, participant_id = self.session_id, participant["id"]
        who = participant_label(participant["nickname"], participant_id)
        self._act(
            tr(C, "Could not remove {who}", who=who),
            lambda: self.coordinator.revoke_participant(session_id, participant_id, block_device=block_device),
            tr(C, "{who} was removed and their device blocked.", who=who)
            if block_device
            else tr(C, "{who} was removed.", who=who),
            5000,
        )

    def unblock_device(self, participant: dict) -> None:
        if self.session_id is None:
            return
        session_id, participant_id = self.session_id, participant["id"]
        who = participant_label(participant["nickname"], participant_id)
        self._act(
            tr(C, "Could not unblock {who}'s device", who=who),
            lambda: self.coordinator.unblock_device(session_id, participant_id),
            tr(C, "{who}'s device may join again, as a new participant.", who=who),
            5000,
        )

    def load_test_set(self, folder: Path) -> None:
        """Read ``folder`` (one subfolder per class) as the session's test set; accuracy follows each version."""
        session_id = self.session_id

        def work(_progress):
            classes = self.coordinator.config(session_id).classes
            return self.coordinator.load_test_set(session_id, read_test_folder(folder, classes))

        def done(status: dict) -> None:
            self.events.status.emit(
                tr(C, "Reading {n} test images; accuracy appears after each new version.", n=status.get("images")), 8000
            )
            self.request_refresh()

        self._run(work, done, self.report(tr(C, "Could not load the test set")))

    def save_export(self, export: Export, path: Path, fmt: str) -> None:
        """Write the shown session's ``export`` in ``fmt`` to ``path``, whole or not at all, off the UI thread."""
        session_id, what = self.session_id, tr(C, export.what)
        self.events.status.emit(tr(C, "Exporting {what}…", what=what), 0)

        def work(_progress):
            write_atomically(path, export.produce(self.coordinator, session_id, fmt))
            return path

        def saved(p):
            self.events.status.emit(tr(C, "{label} saved to {path}", label=tr(C, export.label), path=p), 10000)

        self._run(work, saved, self.report(tr(C, "Could not export {what}", what=what)))
