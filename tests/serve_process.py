"""``influx-desktop serve`` as a child process on 127.0.0.1, for the tests that restart, kill or signal it.

``ServeProcess(data_dir, *args)`` returns once serve has printed its 'data dir:' line; ``info`` holds what
it printed up to there, by key (url, session, join code, admin token, version, data dir, note). Its output
(stdout and stderr) keeps being read, so it never blocks on a full pipe. The ``serve_processes`` fixture
(tests/conftest.py) kills whatever a test left running.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from participant_sim import AdminClient

LOOPBACK = "127.0.0.1"


def serve_command(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "influx_desktop", "serve", "--host", LOOPBACK, "--data-dir", str(data_dir), *args]


def serve_env() -> dict:
    """This process's environment without INFLUX_DATA_DIR: the data dir is the one on the command line."""
    return {k: v for k, v in os.environ.items() if k != "INFLUX_DATA_DIR"}


def seed_models(model_cache, data_dir: Path) -> Path:
    """Give serve's own model cache (``data_dir/models``) the run's built artifacts, hard-linked: blobs are
    immutable, and a cold start would spend ~10 s exporting the backbone again. Returns ``data_dir``."""
    target = data_dir / "models"
    (target / "blobs").mkdir(parents=True)
    for blob in (model_cache.root / "blobs").iterdir():
        os.link(blob, target / "blobs" / blob.name)
    shutil.copy2(model_cache.root / "index.json", target / "index.json")
    return data_dir


class ServeProcess:
    def __init__(self, data_dir: Path, *args: str, timeout: float = 120.0) -> None:
        self.process = subprocess.Popen(
            serve_command(data_dir, *args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=serve_env()
        )
        self._lines: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.info: dict[str, str] = {}
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while "data dir" not in self.info:
            try:
                line = self._lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.process.kill()
                raise AssertionError(f"serve printed no 'data dir:' line in {timeout} s: {seen}") from None
            if line is None:
                raise AssertionError(f"serve exited {self.process.wait()}: {''.join(seen)[-2000:]}")
            seen.append(line)
            key, sep, value = line.rstrip("\n").partition(": ")
            if sep:
                self.info[key] = value

    def _read(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, without the join query."""
        return self.info["url"].split("/?")[0]

    @property
    def port(self) -> int:
        return int(re.match(r"http://127\.0\.0\.1:(\d+)/\?join=", self.info["url"]).group(1))

    def admin(self) -> AdminClient:
        return AdminClient(self.url, self.info["admin token"])

    def remaining_output(self) -> str:
        """Everything printed after the start-up lines (call once the process has ended)."""
        self._reader.join(10)
        out = []
        while not self._lines.empty():
            line = self._lines.get()
            if line is not None:
                out.append(line)
        return "".join(out)

    def kill(self) -> int:
        """SIGKILL; the exit code (``-SIGKILL``)."""
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(30)

    def stop(self) -> int:
        """SIGTERM (what a service manager sends), SIGKILL after 30 s; the exit code (0: a clean exit)."""
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(30)
        except subprocess.TimeoutExpired:
            return self.kill()
