"""Where the app keeps its data: ``--data-dir``, else ``INFLUX_DATA_DIR``, else the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "INFLUX_DATA_DIR"


def default_data_dir() -> Path:
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("influx-desktop", appauthor=False))
