"""What the "Test set" tab shows and asks for (issue 16), with no Qt: the versions scored on the newest test
set, the chosen version's confusion matrix and misclassified images (``Coordinator.test_set_review``), and
the class activation maps of the image the facilitator picks (``Coordinator.explain_test_image``). Every
read runs through ``run`` (off the UI thread); results and refusals arrive as events on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import InfluxError
from .controller_events import Emitter
from .i18n import core_message, tr
from .snapshot import SessionSnapshot

C = "ReviewController"


class ReviewEvents:
    def __init__(self) -> None:
        self.versions = Emitter()  # (versions: list[int], chosen: int | None): the versions there is a matrix of
        self.review = Emitter()  # (VersionReview): a version's confusion matrix and misclassified images
        self.explanation = Emitter()  # (ImageExplanation): one test image's maps
        self.message = Emitter()  # (text): why there is nothing to show (no test set, still reading, a failure)


class ReviewController:
    def __init__(self, coordinator: Any, run: Callable[..., None]) -> None:
        self.coordinator = coordinator
        self._run = run
        self.events = ReviewEvents()
        self.session_id: int | None = None
        self.versions: list[int] = []
        self.version: int | None = None  # the version the facilitator chose; None: follow the newest
        self.review: Any = None
        self.visible = False
        self._test_set: int | None = None  # the test set the versions were scored on
        self._stale = True

    def show_session(self, session_id: int | None) -> None:
        if session_id != self.session_id:
            self.session_id, self.versions, self.version, self.review, self._test_set = session_id, [], None, None, None
            self._stale = True
            self.events.versions.emit([], None)
            self.events.message.emit(tr(C, "Load a test set (one folder per class) to see where the model goes wrong."))

    def on_snapshot(self, snapshot: SessionSnapshot) -> None:
        """A new snapshot of the shown session: new versions scored, or a new test set, make the review stale."""
        self.show_session(snapshot.session_id)
        versions = sorted({row["version"] for row in snapshot.accuracy})
        test_set = snapshot.accuracy[-1]["test_set"] if snapshot.accuracy else None
        if versions != self.versions or test_set != self._test_set:
            self.versions, self._stale = versions, True
            if test_set != self._test_set:
                self.version = None
            self._test_set = test_set
            self.events.versions.emit(versions, self.shown_version())
        if not versions:
            state = snapshot.test_set.get("state")
            self.events.message.emit(
                tr(C, "Reading the test set…")
                if state == "extracting"
                else tr(C, "Load a test set (one folder per class) to see where the model goes wrong.")
            )
        self._refresh()

    def set_visible(self, visible: bool) -> None:
        self.visible = visible
        self._refresh()

    def shown_version(self) -> int | None:
        return self.version if self.version is not None else (self.versions[-1] if self.versions else None)

    def choose_version(self, version: int) -> None:
        if version != self.shown_version() or self.review is None:
            self.version = None if self.versions and version == self.versions[-1] else version
            self._stale = True
            self._refresh()

    def _refresh(self) -> None:
        """Read the shown version's review if the tab is visible and it changed since the last read."""
        version = self.shown_version()
        if not (self.visible and self._stale) or self.session_id is None or version is None:
            return
        self._stale = False
        session_id = self.session_id

        def show(review) -> None:
            if review.session_id == self.session_id and review.version == self.shown_version():
                self.review = review
                self.events.review.emit(review)

        self._run(lambda _p: self.coordinator.test_set_review(session_id, version), show, self._failed)

    def choose_image(self, index: int) -> None:
        """Explain test image ``index`` of the review shown."""
        review = self.review
        if review is None:
            return

        def show(explanation) -> None:
            if self.review is review:
                self.events.explanation.emit(explanation)

        self._run(
            lambda _p: self.coordinator.explain_test_image(review.session_id, review.version, index, review.test_set),
            show,
            self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, InfluxError):
            self.events.message.emit(core_message(exc))
        else:
            self.events.message.emit(tr(C, "Could not read the test set: {error}", error=f"{type(exc).__name__}: {exc}"))
