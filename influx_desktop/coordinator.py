"""The FL core's one entry point: a ``Coordinator`` composes the core's parts over one store and one event bus.

The HTTP layer and the Qt app are thin adapters over it; it knows nothing of either. Each method hands the
call to the part that owns it, so the code lives where its name says:

- ``sessions.py``: create, configure, start/pause/resume/stop a session; its model versions and address
- ``participants.py``: join, authenticate, remove and block participants
- ``groups.py``: session groups, one join code for a study's conditions, and who they assigned where
- ``manifest.py``: the task a participant's browser downloads
- ``updates.py``: participants' updates and class statistics, stored atomically; ``aggregation.py`` makes
  versions of them with the session's strategy (``strategies/``)
- ``evaluation.py``: test results; ``testset.py``: the facilitator's test set, scored on every new version
- ``study_log.py``: the user-study log; ``exports.py``: the model and the event log as files

Every state change is a single SQLite transaction taken under the store's lock (``store.py``), then
published on ``events`` (``events.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from . import exports
from .evaluation import Evaluation
from .events import EventBus
from .groups import Groups
from .manifest import manifest
from .models.cache import ModelCache
from .participants import Participant, Participants
from .session import SessionConfig
from .sessions import Sessions
from .store import Store
from .study_log import STUDY_EVENT_COLUMNS, STUDY_SUMMARY_COLUMNS, StudyLog
from .testset import ServerEvaluator
from .testset_review import ImageExplanation, Reviewer, VersionReview
from .updates import Updates

# The study export's columns, where tests/gui/test_study.py imports them from (their home: study_log.py).
__all__ = ["Coordinator", "Participant", "STUDY_EVENT_COLUMNS", "STUDY_SUMMARY_COLUMNS"]


class Coordinator:
    def __init__(self, data_dir: Path, *, model_cache: ModelCache | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.store = Store(self.data_dir / "influx.sqlite3")
        self.models = model_cache or ModelCache(self.data_dir / "models")
        self.events = EventBus()
        self._sessions = Sessions(self.store, self.events, self.models)
        self._participants = Participants(self.store, self.events)
        self._updates = Updates(self.store, self.events)
        self._evaluation = Evaluation(self.store, self.events)
        self._study = StudyLog(self.store, self.events)
        self._groups = Groups(self.store, self.events, self._study)
        self.evaluator = ServerEvaluator(self.data_dir, self._sessions, self._evaluation, self.events)
        self._reviews = Reviewer(self._sessions, self.evaluator)

    def close(self) -> None:
        self.evaluator.close()
        self.store.close()

    # ------------------------------------------------------------------ sessions (sessions.py)

    def create_session(self, settings: Mapping[str, Any]) -> dict:
        return self._sessions.create(settings)

    def config(self, session_id: int) -> SessionConfig:
        return self._sessions.config(session_id)

    def get_session(self, session_id: int) -> dict:
        return self._sessions.get(session_id)

    def list_sessions(self) -> list[dict]:
        return self._sessions.list_all()

    def latest_session_id(self) -> int | None:
        return self._sessions.latest_id()

    def update_session(self, session_id: int, changes: Mapping[str, Any]) -> dict:
        session, extractor_changed = self._sessions.update(session_id, changes)
        if extractor_changed:
            # A test set's features came from the old extractor: scoring heads trained on the new one's
            # features against them would be wrong (silently so for int8, whose features are close).
            self.evaluator.discard(session_id)
        return session

    def prepare_models(self, session_id: int, progress: Callable[[str], None] | None = None) -> dict:
        return self._sessions.prepare_models(session_id, progress)

    def start_session(self, session_id: int, progress: Callable[[str], None] | None = None) -> dict:
        return self._sessions.start(session_id, progress)

    def stop_session(self, session_id: int) -> dict:
        return self._sessions.stop(session_id)

    def pause_session(self, session_id: int) -> dict:
        return self._sessions.pause(session_id)

    def resume_session(self, session_id: int) -> dict:
        return self._sessions.resume(session_id)

    def start_or_resume(self, session_id: int, progress: Callable[[str], None] | None = None) -> dict:
        """Make the session running: paused resumes, running stays, draft or stopped starts (``progress``)."""
        return self._sessions.start_or_resume(session_id, progress)

    def _set_state(self, session_id: int, state: str, allowed_from: tuple[str, ...], kind: str) -> dict:
        """Change the state without building model files (tests use it to mark a session running)."""
        return self._sessions.set_state(session_id, state, allowed_from, kind)

    def network_choice(self, session_id: int) -> dict | None:
        return self._sessions.network_choice(session_id)

    def remember_network_choice(self, session_id: int, host: Any, port: Any, interface: Any = None) -> dict:
        return self._sessions.remember_network_choice(session_id, host, port, interface)

    def current_version(self, session_id: int) -> int:
        return self._sessions.current_version(session_id)

    def parameters(self, session_id: int, version: int | None = None) -> tuple[int, np.ndarray]:
        return self._sessions.parameters(session_id, version)

    def versions(self, session_id: int) -> list[dict]:
        return self._sessions.versions(session_id)

    # ------------------------------------------------------------------ participants (participants.py, manifest.py)

    def join_info(self, join_code: Any) -> dict:
        """What to show before joining, for a session's code or a session group's (then with ``group_id``)."""
        group = self._groups.by_join_code(join_code)
        return self._participants.join_info(join_code) if group is None else self._groups.join_info(group)

    def join(self, join_code: Any, nickname: Any = None, device: Any = None, consent: Any = None, device_key: Any = None) -> dict:
        """Join by a session's code, or by a session group's: then the group's policy (or the device's earlier
        assignment) picks the session, and the answer adds ``group_id``, ``condition`` and ``position``."""
        group = self._groups.by_join_code(join_code)
        if group is not None:
            return self._groups.join(group, nickname, device, consent, device_key)
        return self._participants.join(join_code, nickname, device, consent, device_key)

    def authenticate(self, token: Any) -> Participant:
        return self._participants.authenticate(token)

    def touch(self, participant: Participant) -> None:
        self._participants.touch(participant)

    def participants(self, session_id: int) -> list[dict]:
        return self._participants.in_session(session_id)

    def revoke_participant(self, session_id: int, participant_id: int, block_device: bool = False) -> dict:
        return self._participants.revoke(session_id, participant_id, block_device)

    def unblock_device(self, session_id: int, participant_id: int) -> dict:
        return self._participants.unblock_device(session_id, participant_id)

    def manifest(self, participant: Participant) -> dict:
        return manifest(self._sessions, participant, self._study.state(participant.id))

    # ------------------------------------------------------------------ session groups: a study's conditions (groups.py)

    def create_group(self, settings: Mapping[str, Any]) -> dict:
        return self._groups.create(settings)

    def get_group(self, group_id: int) -> dict:
        return self._groups.get(group_id)

    def list_groups(self, include_deleted: bool = False) -> list[dict]:
        return self._groups.list_all(include_deleted)

    def rename_group(self, group_id: int, changes: Mapping[str, Any]) -> dict:
        """A new title (``{"title"}``) for what participants see before they join through the group's link."""
        return self._groups.rename(group_id, changes)

    def delete_group(self, group_id: int) -> dict:
        """Stop the group's join code; its sessions, labels, assignments and export stay."""
        return self._groups.delete(group_id)

    def group_assignments(self, group_id: int) -> list[dict]:
        return self._groups.assignments(group_id)

    def export_group_study(self, group_id: int, what: str, fmt: str) -> str:
        """``what``: "events" | "summary" (the member sessions' study exports, one after the other) | "assignments"."""
        return self._groups.export(group_id, what, fmt)

    def condition(self, session_id: int) -> str:
        """The condition the session stands for in exports: its label in its (newest) group, else its title."""
        return self.store.read(exports.session_condition, session_id)

    # ------------------------------------------------------------------ updates (updates.py, aggregation.py)

    def submit_update(
        self, participant: Participant, base_version: Any, sample_count: Any, body: bytes, idempotency_key: Any = None
    ) -> dict:
        return self._updates.submit(participant, base_version, sample_count, body, idempotency_key)

    def submit_class_stats(self, participant: Participant, counts_header: Any, body: bytes) -> dict:
        return self._updates.submit_class_stats(participant, counts_header, body)

    def updates(self, session_id: int) -> list[dict]:
        return self._updates.in_session(session_id)

    def accepted_update_parameters(self, session_id: int) -> list[tuple[int, np.ndarray]]:
        return self._updates.accepted_parameters(session_id)

    # ------------------------------------------------------------------ test results (evaluation.py, testset.py)

    def report_test_result(self, participant: Participant, payload: Any) -> None:
        self._evaluation.report_test_result(participant, payload)

    def load_test_set(self, session_id: int, images: list) -> dict:
        """Start evaluating every version against ``images`` (from ``testset.read_test_folder/zip``)."""
        self._sessions.row(session_id)
        return self.evaluator.load(session_id, images)

    def test_set_status(self, session_id: int) -> dict:
        self._sessions.row(session_id)
        return self.evaluator.status(session_id)

    def accuracy_history(self, session_id: int) -> list[dict]:
        return self._evaluation.accuracy_history(session_id)

    # ------------------------------------------------------------------ the test set, reviewed (testset_review.py)

    def test_set_review(self, session_id: int, version: int | None = None) -> VersionReview:
        return self._reviews.review(session_id, version)

    def explain_test_image(self, session_id: int, version: int, index: int, test_set: int | None = None) -> ImageExplanation:
        return self._reviews.explain(session_id, version, index, test_set)

    # ------------------------------------------------------------------ user-study log (study_log.py)

    def record_study_events(self, participant: Participant, payload: Any) -> dict:
        return self._study.record_events(participant, payload)

    def withdraw_from_study(self, participant: Participant) -> dict:
        """The participant leaves the study (``StudyLog.withdraw``): their study events are deleted."""
        return self._study.withdraw(participant)

    def study_timeline(self, session_id: int) -> list[dict]:
        return self._study.timeline(session_id)

    def study_summary(self, session_id: int) -> list[dict]:
        return self._study.summary(session_id)

    def export_study(self, session_id: int, what: str, fmt: str) -> str:
        return self._study.export(session_id, what, fmt)

    # ------------------------------------------------------------------ exports (exports.py)

    def export_model(self, session_id: int, heatmap: bool = False) -> bytes:
        return exports.export_model(self._sessions, session_id, heatmap)

    def event_log(self, session_id: int) -> list[dict]:
        return exports.event_log(self.store, session_id)

    def export_events(self, session_id: int, fmt: str) -> str:
        return exports.export_events(self.store, session_id, fmt)
