"""The window opens on a real X display, not only offscreen: Qt's xcb platform plugin finds every library
it loads. On a fresh Debian desktop libxcb-icccm4 and libxcb-keysyms1 were missing and Qt refused to start
(blaming xcb-cursor0); scripts/setup.sh installs what ``ldd`` cannot find (issue 15).

A real X server (Xvfb through ``xvfb-run -a``, a free display, no TCP listening) and a real QApplication
on ``-platform xcb``; no network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROGRAM = (
    "from PySide6.QtWidgets import QApplication, QLabel\n"
    "app = QApplication(['influx', '-platform', 'xcb'])\n"
    "label = QLabel('InFL-UX'); label.show(); app.processEvents()\n"
    "print(app.platformName(), label.isVisible())\n"
)


def test_the_xcb_plugin_finds_all_its_libraries():
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if sys.platform != "linux":
        pytest.fail("this test is for Linux desktops; run the suite on Linux")
    out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True).stdout
    missing = [line.split()[0] for line in out.splitlines() if "not found" in line]
    assert missing == [], f"run scripts/setup.sh: Qt's xcb plugin cannot load {missing}"


def test_a_window_opens_on_an_x_display():
    assert shutil.which("xvfb-run"), "xvfb-run is missing: run scripts/setup.sh --tests (apt-get install xvfb)"
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-nolisten tcp", sys.executable, "-c", PROGRAM],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "QT_QPA_PLATFORM": "xcb"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["xcb", "True"], result.stdout + result.stderr[-2000:]
