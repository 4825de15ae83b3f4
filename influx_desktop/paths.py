"""Where the app keeps its data: ``--data-dir``, else ``INFLUX_DATA_DIR``, else the platform's user data dir.

The data directory holds the database (participants' nicknames and devices, updates, the study log), so
it is private to the user: 0700, its files 0600 (POSIX; on Windows the user's profile folders are private
by their ACLs already)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

DATA_DIR_ENV = "INFLUX_DATA_DIR"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def default_data_dir() -> Path:
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("influx-desktop", appauthor=False))


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (with its parents) as 0700; an existing one of ours loses its group and other bits."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    restrict_to_owner(path)
    return path


def restrict_to_owner(path: Path) -> None:
    """Drop group and other permission bits of a file or folder this user owns (POSIX; never adds a bit,
    so a folder made read-only on purpose stays read-only). Quietly does nothing where it cannot: a
    read-only file system, someone else's folder, Windows."""
    if os.name != "posix":
        return
    try:
        info = os.stat(path)
        if info.st_uid == os.geteuid() and info.st_mode & 0o077:
            os.chmod(path, stat.S_IMODE(info.st_mode) & 0o700)
    except OSError:
        pass


def create_private_file(path: Path) -> None:
    """Create ``path`` empty as 0600 unless it exists (then only restrict it): SQLite gives its -wal and
    -shm files the database file's mode, so a database made this way stays private with them."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE))
    except FileExistsError:
        restrict_to_owner(path)
