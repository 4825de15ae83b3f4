"""The facilitator's labelled test set and the server-side evaluation of every new model version.

Test images are decoded and run through the backbone once (native onnxruntime) in a
background thread; their features are kept in memory and in ``sessions/<id>/testset.npz``, and the
square picture the backbone saw of each (PNG, lossless, so it gives the same features again) in
``sessions/<id>/testset_images.zip`` for the facilitator's review (``testset_review.py``).
Each new version is then scored off the request path: the head is a single matrix product.
The evaluator hears of new versions from the core's events (``model_version``); it reads sessions and
versions through ``Sessions`` and records its scores through ``Evaluation``.
"""

from __future__ import annotations

import io
import os
import queue
import threading
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from .errors import InfluxError, InvalidInput, NotFound, Text
from .evaluation import Evaluation
from .events import Event, EventBus
from .models import head
from .sessions import Sessions

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
MAX_TEST_IMAGES = 5000
MAX_ZIP_MEMBER_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class LabelledImage:
    name: str  # for messages only, never used as a path
    label: int
    data: bytes


def read_test_folder(folder: Path, classes: tuple[str, ...]) -> list[LabelledImage]:
    """Images from ``folder/<class name>/<image>``; a subfolder that names no class is an error."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput("{folder} is not a folder.", field="folder", folder=str(folder))
    subfolders = sorted(p for p in folder.iterdir() if p.is_dir())
    return _labelled(
        ((p.name, f.name, f.read_bytes) for p in subfolders for f in sorted(p.iterdir()) if f.is_file()),
        classes,
        [p.name for p in subfolders],
    )


def read_test_zip(data: bytes, classes: tuple[str, ...]) -> list[LabelledImage]:
    """Images from a zip of ``<class name>/<image>`` entries (an optional single top folder is allowed)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InvalidInput("The test set must be a zip file of <class>/<image> entries.", field="body") from None
    members = [m for m in archive.infolist() if not m.is_dir()]
    parts = [PurePosixPath(m.filename).parts for m in members]
    if parts and all(len(p) == 3 for p in parts) and len({p[0] for p in parts}) == 1:
        parts = [p[1:] for p in parts]  # "testset/<class>/<image>"
    entries = []
    for member, p in zip(members, parts):
        if len(p) != 2 or p[0].startswith((".", "__MACOSX")):
            continue
        if member.file_size > MAX_ZIP_MEMBER_BYTES:
            raise InvalidInput(
                "{name} is larger than {mb} MB.", field="body", name=member.filename, mb=MAX_ZIP_MEMBER_BYTES // 2**20
            )
        entries.append((p[0], p[1], lambda m=member: archive.read(m)))
    return _labelled(entries, classes, sorted({e[0] for e in entries}))


def _labelled(entries: Iterable, classes: tuple[str, ...], folder_names: list[str]) -> list[LabelledImage]:
    unknown = [name for name in folder_names if name not in classes]
    if unknown:
        raise InvalidInput(
            "Folders {folders} name no class of this session (classes: {classes}).",
            field="folder",
            folders=", ".join(unknown),
            classes=", ".join(classes),
        )
    images = []
    for class_name, file_name, read in entries:
        if PurePosixPath(file_name).suffix.lower() not in IMAGE_SUFFIXES:
            continue
        images.append(LabelledImage(f"{class_name}/{file_name}", classes.index(class_name), read()))
        if len(images) > MAX_TEST_IMAGES:
            raise InvalidInput("A test set may hold at most {n} images.", field="folder", n=MAX_TEST_IMAGES)
    if not images:
        raise InvalidInput("The test set holds no images (png, jpg, bmp, gif, webp) in class folders.", field="folder")
    return images


@dataclass
class TestSet:
    id: int  # the event id of its test_set_loaded event: accuracy rows name the set they were scored on
    features: np.ndarray  # [N, feature_dim]
    labels: np.ndarray  # [N] int
    names: list[str]  # "<class folder>/<file>" of each, for people (sets saved before issue 16: "image <n>")


class ServerEvaluator:
    """One background thread that extracts test-set features and scores new versions."""

    def __init__(self, data_dir: Path, sessions: Sessions, evaluation: Evaluation, bus: EventBus) -> None:
        self._data_dir = Path(data_dir)
        self._sessions = sessions
        self._evaluation = evaluation
        self._test_sets: dict[int, TestSet] = {}
        self._status: dict[int, dict] = {}
        self._lock = threading.Lock()  # guards _test_sets and _status between the worker and callers
        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="influx-evaluator", daemon=True)
        self._thread.start()
        self._unsubscribe = bus.subscribe(self._on_event)

    def _path(self, session_id: int) -> Path:
        return self._data_dir / "sessions" / str(session_id) / "testset.npz"

    def _images_path(self, session_id: int) -> Path:
        return self._path(session_id).with_name("testset_images.zip")

    def _on_event(self, event: Event) -> None:
        """On the thread that published it: only queue work, never wait."""
        if event.kind == "model_version":
            self.version_published(event.session_id, event.data["version"])
        elif event.kind == "session_started":
            self.session_started(event.session_id)

    # called by the coordinator and the adapters

    def load(self, session_id: int, images: list[LabelledImage]) -> dict:
        """Queue feature extraction for a new test set; returns at once."""
        with self._lock:
            self._status[session_id] = {"state": "extracting", "images": len(images), "done": 0, "skipped": []}
            answer = dict(self._status[session_id])
        # Versions published from here on are queued behind the extraction (see version_published);
        # the extraction itself scores every version up to the one current now.
        version = self._sessions.current_version(session_id)
        self._jobs.put(("extract", session_id, (images, version)))
        return answer

    def status(self, session_id: int) -> dict:
        """Never waits for the worker: a saved test set not loaded yet is read here."""
        if session_id not in self._status and self._path(session_id).exists():
            self._restore(session_id)
        with self._lock:
            return dict(self._status.get(session_id, {"state": "none", "images": 0}))

    def session_started(self, session_id: int) -> None:
        if session_id not in self._test_sets and self._path(session_id).exists():
            self._jobs.put(("restore", session_id, None))

    def version_published(self, session_id: int, version: int) -> None:
        with self._lock:
            extracting = self._status.get(session_id, {}).get("state") == "extracting"
        if extracting or session_id in self._test_sets or self._path(session_id).exists():
            self._jobs.put(("evaluate", session_id, version))

    def test_set(self, session_id: int) -> TestSet | None:
        """The session's newest test set once its features are ready (read from disk if need be), or None."""
        if session_id not in self._test_sets and self._path(session_id).exists():
            self._restore(session_id)
        with self._lock:
            return self._test_sets.get(session_id)

    def square_image(self, session_id: int, index: int) -> bytes:
        """The PNG of test image ``index``: the square picture the backbone saw."""
        try:
            with zipfile.ZipFile(self._images_path(session_id)) as archive:
                return archive.read(f"{int(index)}.png")
        except (FileNotFoundError, KeyError):
            raise NotFound(
                "This test set's pictures were not kept (it was loaded before this version of the app): load "
                "the test set again to see them.",
                code="test_image_unknown",
            ) from None

    def discard(self, session_id: int) -> None:
        """Forget the session's test set (its features came from a feature extractor the session no longer
        uses). Queued behind any extraction in progress, so that one is discarded too."""
        self._jobs.put(("discard", session_id, None))

    def wait_idle(self) -> None:
        """Block until every queued job is done (tests and exports use it)."""
        self._jobs.join()

    def close(self) -> None:
        self._unsubscribe()
        self._jobs.put(None)
        self._thread.join(timeout=10)

    # the worker

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                kind, session_id, arg = job
                if kind == "extract":
                    self._extract(session_id, *arg)
                elif kind == "restore":
                    self._restore(session_id)
                elif kind == "evaluate":
                    self._evaluate(session_id, arg)
                elif kind == "discard":
                    self._discard(session_id)
            except Exception as exc:  # a failed evaluation must never take the server down
                if job is not None:
                    with self._lock:
                        error = Text(exc.template, **exc.params) if isinstance(exc, InfluxError) else str(exc)
                        self._status[job[1]] = {**self._status.get(job[1], {}), "state": "failed", "error": error}
            finally:
                self._jobs.task_done()

    def _extract(self, session_id: int, images: list[LabelledImage], version: int) -> None:
        from .models.backbones import get_backbone
        from .models.features import FeatureExtractor
        from .models.images import normalise, square_image

        sessions = self._sessions
        config = sessions.config(session_id)
        backbone = get_backbone(config.backbone)
        artifacts = sessions.prepare_models(session_id)
        extractor = FeatureExtractor(sessions.models.artifact_by_sha256(artifacts["feature_extractor"]["sha256"]))
        status = self._status[session_id]
        features, labels, names = [], [], []
        batch, batch_labels = [], []
        pictures = self._images_path(session_id).with_suffix(".tmp.zip")
        pictures.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(pictures, "w", zipfile.ZIP_STORED) as archive:  # PNGs are compressed already
            for i, image in enumerate(images):
                try:
                    square = square_image(image.data, backbone)
                    batch.append(normalise(square, backbone))
                    batch_labels.append(image.label)
                    archive.writestr(f"{len(names)}.png", _png(square))
                    names.append(image.name)
                except InvalidInput:
                    status["skipped"].append(image.name)
                if len(batch) == 32 or (i == len(images) - 1 and batch):
                    features.append(extractor.extract(np.stack(batch)))
                    labels.extend(batch_labels)
                    batch, batch_labels = [], []
                status["done"] = i + 1
        if not labels:
            pictures.unlink(missing_ok=True)
            status["state"] = "failed"
            status["error"] = Text("None of the test images could be decoded.")
            return
        test_set_id = self._evaluation.record_test_set(session_id, len(labels), status["skipped"])
        test_set = TestSet(test_set_id, np.concatenate(features).astype(np.float32), np.asarray(labels, dtype=np.int64), names)
        path = self._path(session_id)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, id=test_set.id, features=test_set.features, labels=test_set.labels, names=np.asarray(names))
        os.replace(pictures, self._images_path(session_id))
        os.replace(tmp, path)
        with self._lock:
            self._test_sets[session_id] = test_set
            status.update(state="ready", images=len(labels))
        # A new test set gets a whole curve: every version up to now is scored on it (one matrix product
        # each); versions published since the upload are queued behind this job.
        for earlier in range(version + 1):
            self._evaluate(session_id, earlier)

    def _discard(self, session_id: int) -> None:
        with self._lock:
            self._test_sets.pop(session_id, None)
            self._status.pop(session_id, None)
            self._path(session_id).unlink(missing_ok=True)
            self._images_path(session_id).unlink(missing_ok=True)

    def _restore(self, session_id: int) -> None:
        with self._lock:
            if session_id in self._test_sets:
                return
        with np.load(self._path(session_id)) as data:
            labels = data["labels"]
            names = [str(n) for n in data["names"]] if "names" in data else [f"image {i + 1}" for i in range(len(labels))]
            test_set = TestSet(int(data["id"]), data["features"], labels, names)
        with self._lock:
            self._test_sets.setdefault(session_id, test_set)
            self._status.setdefault(session_id, {"state": "ready", "images": int(len(test_set.labels)), "skipped": []})

    def _evaluate(self, session_id: int, version: int) -> None:
        if session_id not in self._test_sets:
            if not self._path(session_id).exists():
                return  # the extraction queued before this job failed, and said why in the status
            self._restore(session_id)
        test_set = self._test_sets[session_id]
        classes = self._sessions.config(session_id).classes
        _, parameters = self._sessions.parameters(session_id, version)
        predicted = head.logits(test_set.features, parameters, len(classes)).argmax(axis=1)
        correct = predicted == test_set.labels
        per_class = {
            name: {"correct": int(correct[test_set.labels == k].sum()), "total": int((test_set.labels == k).sum())}
            for k, name in enumerate(classes)
        }
        self._evaluation.record_server_accuracy(
            session_id, test_set.id, version, float(correct.mean()), int(len(correct)), per_class
        )


def _png(picture) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()
