"""Immutable files stored under their sha256, found through a JSON index.

Layout under ``root``::

    index.json                  {"version": 1, "<section>": {key: entry}}, entry = {"sha256", "bytes", "file"}
                                or a group {role: entry} (a head's four files)
    blobs/<sha256><suffix>      the files, never modified once written
    tmp/                        scratch space for builds; files move into blobs/ with os.replace

A read-only *bundled* directory with the same layout may sit behind ``root``: every lookup tries
``root``'s index first, then the bundled one; nothing is ever written to the bundled directory.

Every write is temp file + ``os.replace``, so a crash never leaves a half-written file or index. A file
is served only when its size matches and (once per process) its hash does; otherwise the lookup misses
and the caller rebuilds. ``build_once`` holds a thread lock and a lock file, so that two processes
sharing a directory never build the same key twice. Nothing here knows what the files are
(``cache.py`` does).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from influx_desktop.errors import StorageError

log = logging.getLogger(__name__)

INDEX_VERSION = 1
SHA256_RE = re.compile(r"[0-9a-f]{64}")

T = TypeVar("T")


@dataclass(frozen=True)
class Artifact:
    path: Path
    sha256: str
    bytes: int


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync_replace(src: Path, dst: Path) -> None:
    with open(src, "rb") as f:
        os.fsync(f.fileno())
    os.replace(src, dst)


class BlobStore:
    def __init__(self, root: Path, sections: tuple[str, ...], bundled: Path | None = None) -> None:
        """``sections``: the index's top-level maps (each starts empty). ``bundled``: read-only, searched
        after ``root``; ignored when it is ``root`` itself."""
        self.root = Path(root)
        self.blobs = self.root / "blobs"
        self.tmp = self.root / "tmp"
        self._index_path = self.root / "index.json"
        self._sections = sections
        if bundled is not None and Path(bundled).resolve() == self.root.resolve():
            bundled = None
        self.bundled = Path(bundled) if bundled is not None else None
        self._lock = threading.RLock()
        self._verified: set[tuple[str, str]] = set()
        try:
            self.blobs.mkdir(parents=True, exist_ok=True)
            self.tmp.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError("Cannot create the model cache in {path}: {error}.", path=str(self.root), error=str(exc)) from exc

    # ------------------------------------------------------------------ index

    def _read_index(self, index_path: Path | None = None) -> dict:
        index_path = index_path or self._index_path
        try:
            data = json.loads(index_path.read_text("utf-8"))
            if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
                raise ValueError("unknown index format")
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as exc:
            log.warning("model cache index %s unreadable (%s); artifacts will be rebuilt", index_path, exc)
            data = {}
        data.setdefault("version", INDEX_VERSION)
        for section in self._sections:
            data.setdefault(section, {})
        return data

    def _write_index(self, data: dict) -> None:
        tmp = self.tmp / f"index-{uuid.uuid4().hex}.json"
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
        _fsync_replace(tmp, self._index_path)

    def _indexes(self) -> Iterator[tuple[dict, Path]]:
        """Each index with its blobs folder, in lookup order: ``root``'s, then the bundled one's."""
        yield self._read_index(), self.blobs
        if self.bundled is not None and (self.bundled / "index.json").is_file():
            yield self._read_index(self.bundled / "index.json"), self.bundled / "blobs"

    def bundled_keys(self, section: str) -> list[str]:
        """The keys of ``section`` that the bundled directory ships."""
        if self.bundled is None or not (self.bundled / "index.json").is_file():
            return []
        return sorted(self._read_index(self.bundled / "index.json")[section])

    # ------------------------------------------------------------------ lookups

    def artifact(self, entry: object, blobs: Path | None = None) -> Artifact | None:
        """An index entry's file if it is present and intact (full hash once per process)."""
        if not isinstance(entry, dict):
            return None
        sha, name, size = entry.get("sha256"), entry.get("file"), entry.get("bytes")
        if not (isinstance(sha, str) and SHA256_RE.fullmatch(sha) and isinstance(name, str) and isinstance(size, int)):
            return None
        path = (blobs or self.blobs) / Path(name).name
        try:
            if path.stat().st_size != size:
                return None
        except OSError:
            return None
        if (sha, str(path)) not in self._verified:
            if sha256_file(path) != sha:
                log.warning("model cache file %s is corrupt; rebuilding", path)
                return None
            self._verified.add((sha, str(path)))
        return Artifact(path=path, sha256=sha, bytes=size)

    def artifact_group(self, group: object, roles: tuple[str, ...], blobs: Path | None = None) -> dict[str, Artifact] | None:
        """A group entry's files by role, or None unless every one is present and intact."""
        if not isinstance(group, dict):
            return None
        arts = {role: self.artifact(group.get(role), blobs) for role in roles}
        if any(a is None for a in arts.values()):
            return None
        return arts  # type: ignore[return-value]

    def find(self, section: str, key: str, load: Callable[[object, Path], T | None]) -> T | None:
        """``load(entry, blobs)`` of the first index (own, then bundled) whose ``key`` entry loads."""
        for index, blobs in self._indexes():
            found = load(index[section].get(key), blobs)
            if found is not None:
                return found
        return None

    def path_by_sha256(self, sha: str) -> Path | None:
        """The file of an indexed artifact, or None. Looks only in the index; never builds a path from ``sha``."""
        if not isinstance(sha, str) or not SHA256_RE.fullmatch(sha):
            return None
        for index, blobs in self._indexes():
            entries = []
            for section in self._sections:
                for entry in index[section].values():
                    is_group = isinstance(entry, dict) and "sha256" not in entry
                    entries.extend(entry.values() if is_group else [entry])
            for entry in entries:
                if isinstance(entry, dict) and entry.get("sha256") == sha:
                    art = self.artifact(entry, blobs)
                    if art is not None:
                        return art.path
        return None

    # ------------------------------------------------------------------ writes

    def store(self, src: Path, suffix: str) -> dict:
        """Move a finished file into blobs/ under its hash; returns its index entry."""
        sha = sha256_file(src)
        size = src.stat().st_size
        name = f"{sha}{suffix}"
        dst = self.blobs / name
        if dst.exists() and dst.stat().st_size == size:
            src.unlink()
        else:
            _fsync_replace(src, dst)
        self._verified.add((sha, str(dst)))
        return {"sha256": sha, "bytes": size, "file": name}

    @contextlib.contextmanager
    def workdir(self, prefix: str) -> Iterator[Path]:
        """A fresh scratch folder under tmp/, removed afterwards whatever happens."""
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=self.tmp))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    @contextlib.contextmanager
    def _build_lock(self) -> Iterator[None]:
        """Thread lock plus an exclusive lock file shared with other processes (``filelock``: flock on
        POSIX, msvcrt locking on Windows)."""
        from filelock import FileLock

        with self._lock, FileLock(self.root / ".lock"):
            yield

    def build_once(self, section: str, key: str, load: Callable[[object, Path], T | None], build: Callable[[], object]) -> T:
        """Find ``key`` or build it under the cross-process build lock, then record it in the index.

        ``build()`` returns the index entry (``store``'s, or a group of them); ``load`` turns entries
        into what callers get. The lock file is not re-entrant: ``build`` must not call ``build_once``.
        """
        found = self.find(section, key, load)
        if found is not None:
            return found
        with self._build_lock():
            found = self.find(section, key, load)  # another process may have built it meanwhile
            if found is not None:
                return found
            entry = build()
            index = self._read_index()
            index[section][key] = entry
            self._write_index(index)
            found = load(entry, self.blobs)
            assert found is not None
            return found
