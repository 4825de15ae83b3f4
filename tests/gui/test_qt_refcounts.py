"""The Qt binding must not leak references to Python's singletons.

PySide6 6.12.0 on CPython 3.11 dropped one reference to ``None`` with every call of a Qt function that returns
nothing (``processEvents``, ``setText``, …) and one to ``True``/``False`` with every bool signal emitted. The
desktop app makes thousands of such calls in a lesson (a dashboard refresh alone is about 200), so after a
while Python aborted with "Fatal Python error: none_dealloc". pyproject.toml pins a version without the bug;
this test fails on one with it. It runs in a child process, because a binding with the bug would abort the
test run itself when the count reached zero.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

CALLS = 3000

CHILD = f"""
import json, sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel

app = QApplication([])

class Emitter(QObject):
    changed = Signal(bool)

emitter, heard = Emitter(), []
emitter.changed.connect(heard.append)
label, box = QLabel(), QCheckBox()
singletons = {{"None": None, "True": True, "False": False}}
before = {{name: sys.getrefcount(value) for name, value in singletons.items()}}
for i in range({CALLS}):
    label.setText("x")
    box.setChecked(i % 2 == 0)
    emitter.changed.emit(i % 2 == 0)
    app.processEvents()
heard.clear()
after = {{name: sys.getrefcount(value) for name, value in singletons.items()}}
print(json.dumps({{name: after[name] - before[name] for name in singletons}}))
"""


def test_qt_calls_and_signals_keep_none_true_and_false_alive():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, env=env)
    assert child.returncode == 0, child.stderr[-2000:]
    drift = json.loads(child.stdout.strip().splitlines()[-1])
    # A leak is one reference per call: -3000 or worse. Python's own caches may hold a few either way.
    assert all(abs(change) < 50 for change in drift.values()), drift
