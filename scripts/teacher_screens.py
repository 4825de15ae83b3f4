"""The facilitator's desktop app at 1440×900 for docs/screenshots/: setup (a preset, and Advanced open),
the dashboard of a running lesson, the projector view, and the window serving a second session beside the
lesson (issue 18) — ``teacher_screens(out, lang)``, one of the groups
of scripts/screenshots.py (``--only teacher``); also runnable alone:

    .venv/bin/python scripts/teacher_screens.py [--lang de] [--out docs/screenshots]

The window is the real one, offscreen, in the language asked for, over a fresh data folder. Its server runs on
127.0.0.1 only (so the join panel and the projector say "test mode", as they would on any machine whose only
choice is loopback). The lesson is real too: six participants join the running session in-process, send the
class statistics of their Fashion-MNIST photos, train the head with onnxruntime on the session's own training
artifacts (bench/convergence.py's recipe: each holds two of three classes) and send their updates; five test
the class model on their own test photos; the facilitator's test set is loaded from PNG files and scored by
the server after each version. Then a second session starts on the same server and two participants join it;
the window shows the lesson again. Files: ``teacher-<nn>-<screen>-<language>.png``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
for folder in (REPO, REPO / "tests", REPO / "bench"):
    sys.path.insert(0, str(folder))

OUT = REPO / "docs" / "screenshots"
SIZE = (1440, 900)
LOOPBACK = "127.0.0.1"
#: Fashion-MNIST's trouser, pullover and shirt (the last two are easily confused), named as a teacher would
CLASS_IDS = [1, 2, 6]
CLASSES = {"en": ["Trousers", "Pullover", "Shirt"], "de": ["Hose", "Pullover", "Hemd"]}
TITLE = {"en": "What are we wearing?", "de": "Was tragen wir?"}
SECOND = {  # a second session served beside the lesson: its title and classes
    "en": ("Fruit or vegetable?", ["Fruit", "Vegetable"]),
    "de": ("Obst oder Gemüse?", ["Obst", "Gemüse"]),
}
STUDENTS = [  # nickname, browser, the two classes of their photos
    ("Mia", "Mozilla/5.0 (Linux; Android 14; Pixel 7) Chrome/126.0 Mobile", (0, 1)),
    ("Ben", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile Safari/604.1", (1, 2)),
    ("Lea", "Mozilla/5.0 (Linux; Android 13; SM-A536B) Chrome/125.0 Mobile", (0, 2)),
    ("Noah", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/127.0", (0, 1)),
    ("Emma", "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) Version/17.5 Safari/604.1", (1, 2)),
    ("Finn", "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) Chrome/126.0", (0, 2)),
]
ROUNDS = 2  # updates each student sends


class Shots:
    """Writes numbered screenshots of the teacher's screens in one language."""

    def __init__(self, out: Path, lang: str) -> None:
        self.out, self.lang, self.files, self.n = out, lang, [], 0

    def __call__(self, widget, screen: str) -> None:
        from PySide6.QtWidgets import QApplication

        for _ in range(5):
            QApplication.processEvents()
            time.sleep(0.02)
        self.n += 1
        path = self.out / f"teacher-{self.n:02d}-{screen}-{self.lang}.png"
        widget.grab().save(str(path), "PNG")
        self.files.append(path)
        print(f"  {path}")


def _wait(condition, timeout: float = 300.0, what: str = "") -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        QApplication.processEvents()
        time.sleep(0.02)


def teacher_screens(out: Path, lang: str) -> list[Path]:
    """Setup, Advanced, dashboard and projector view of a lesson, in ``lang``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from common import model_cache
    from PySide6.QtWidgets import QApplication

    from influx_desktop.coordinator import Coordinator
    from influx_desktop.gui.language import install_language
    from influx_desktop.gui.main_window import MainWindow
    from influx_desktop.server.network import Interface

    app = QApplication.instance() or QApplication(["influx-screenshots"])
    app.setApplicationName("InFL-UX Desktop")
    install_language(lang)
    shot = Shots(out, lang)
    data = _photos()
    with tempfile.TemporaryDirectory(prefix="influx-teacher-screens-") as tmp:
        coordinator = Coordinator(Path(tmp) / "data", model_cache=model_cache())
        window = MainWindow(coordinator, interfaces=[Interface("lo", LOOPBACK)], host=LOOPBACK, advertise=False)
        try:
            window.resize(*SIZE)
            window.show()
            _wait(lambda: not window.tasks.busy, 30, "the window to settle")
            _fill_setup(window, lang)
            window.banner.clear()  # "No session yet: give it a title…", read and closed
            shot(window, "setup")
            window.form.learning.advanced.set_open(True)
            window.tabs.currentWidget().verticalScrollBar().setValue(0)
            shot(window, "setup-advanced")
            window.form.learning.advanced.set_open(False)

            window.start()
            _wait(lambda: not window.controller.starting, 600, "the session to start")
            if window.serving is None:
                raise RuntimeError(f"the session did not start: {window.banner.text()}")
            _lesson(window, coordinator, data, Path(tmp), lang)
            window.tabs.setCurrentWidget(window.dashboard)
            shot(window, "dashboard")

            window.present()
            present = window.present_window
            present.showNormal()
            present.resize(*SIZE)
            shot(present, "presenter")
            present.close()

            _second_session(window, coordinator, lang)
            shot(window, "two-sessions")
        finally:
            window.shutdown()
            window.deleteLater()
            coordinator.close()
            install_language("en")
    return shot.files


def _fill_setup(window, lang: str) -> None:
    form = window.form
    form.title.setText(TITLE[lang])
    form.classes.set_classes(CLASSES[lang])


def _second_session(window, co, lang: str) -> None:
    """A second session started beside the lesson (two participants join it), then the lesson shown again."""
    lesson = window.session_id
    window.toolbar.new_action.trigger()
    title, classes = SECOND[lang]
    window.form.title.setText(title)
    window.form.classes.set_classes(classes)
    window.start()
    _wait(lambda: not window.controller.starting, 600, "the second session to start")
    if window.serving is None:
        raise RuntimeError(f"the second session did not start: {window.banner.text()}")
    for i, name in enumerate(("Ida", "Tom")):
        co.join(window.serving.join_code, name, STUDENTS[i][1], None, f"screenshot-second-{i:02d}")
    combo = window.toolbar.session_combo
    combo.activated.emit(combo.findData(lesson))
    _wait(lambda: window.snapshot is not None and window.snapshot.session_id == lesson, 60, "the lesson to be shown")
    window.tabs.setCurrentWidget(window.dashboard)


def _photos():
    """(train features, train labels, test features, test labels, test images, test labels) of three classes."""
    from convergence import load_features
    from fashion_mnist import load_fashion_mnist

    _names, xtr, ytr, xte, yte, _art = load_features(CLASS_IDS, 60, 100)
    images, labels = load_fashion_mnist("test", classes=CLASS_IDS, per_class=20, seed=5)
    return xtr, ytr, xte, yte, images, labels


def _accuracy(parameters: np.ndarray, features: np.ndarray, labels: np.ndarray) -> tuple[int, int]:
    k = len(CLASS_IDS)
    w = parameters[: k * features.shape[1]].reshape(k, -1)
    b = parameters[k * features.shape[1] :]
    return int(((features @ w.T + b).argmax(1) == labels).sum()), len(labels)


def _lesson(window, co, data, tmp: Path, lang: str) -> None:
    """Six students join, send class statistics and two rounds of training; five test; the test set is scored."""
    from influx_desktop.class_stats import ClassStats
    from influx_desktop.errors import InfluxError
    from influx_desktop.models.local_training import train_head

    xtr, ytr, xte, yte, test_images, test_labels = data
    sid, k = window.session_id, len(CLASS_IDS)
    session = co.get_session(sid)
    config = co.config(sid)
    artifacts = co.models.head_artifacts(k, config.learning_rate)
    rng = np.random.default_rng(7)
    students = []
    for i, (name, device, held) in enumerate(STUDENTS):
        joined = co.join(session["join_code"], name, device, None, f"screenshot-device-{i:02d}")
        who = co.authenticate(joined["token"])
        mine = np.flatnonzero(np.isin(ytr, held))
        mine = rng.choice(mine, size=min(24, mine.size), replace=False)
        stats = ClassStats.of(xtr[mine], ytr[mine], k)
        co.submit_class_stats(who, stats.counts_header(), stats.to_body())
        students.append((who, mine, held))

    folder = tmp / "test-set"
    for n, (image, label) in enumerate(zip(test_images, test_labels)):
        target = folder / CLASSES[lang][int(label)]
        target.mkdir(parents=True, exist_ok=True)
        image.save(target / f"{n:03d}.png", format="PNG")
    window.controller.load_test_set(folder)

    for round_ in range(ROUNDS):  # everyone fetches the class model, then they send one after another
        fetched = [co.parameters(sid) for _ in students]
        for i, ((who, mine, _held), (version, parameters)) in enumerate(zip(students, fetched)):
            trained = train_head(
                artifacts,
                parameters,
                xtr[mine],
                ytr[mine],
                epochs=config.local_epochs,
                batch_size=config.batch_size,
                seed=100 * round_ + i,
            )
            co.submit_update(who, version, len(mine), trained.astype("<f4").tobytes())
        if round_ == 0:  # a prank: a wild update, refused for its size
            version, parameters = co.parameters(sid)
            wild = parameters + rng.normal(0, 50, parameters.shape).astype(np.float32)
            try:
                co.submit_update(students[3][0], version, 12, wild.astype("<f4").tobytes())
            except InfluxError:
                pass
    for i, (who, _mine, held) in enumerate(students[:5]):
        version, parameters = co.parameters(sid)
        own = rng.choice(np.flatnonzero(np.isin(yte, held)), size=8 + i, replace=False)
        correct, n = _accuracy(parameters, xte[own], yte[own])
        co.report_test_result(who, {"version": version, "accuracy": correct / n, "n": n})

    latest = co.current_version(sid)
    _wait(lambda: any(row["version"] == latest for row in co.accuracy_history(sid)), 600, "the test set's score")
    window.controller.request_refresh()
    _wait(
        lambda: (
            window.snapshot is not None
            and window.snapshot.version == latest
            and window.snapshot.accuracy_by_version()
            and window.snapshot.accuracy_by_version()[-1][0] == latest
        ),
        60,
        "the dashboard to show it",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("en", "de"), action="append", help="a language (repeatable); default: both")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    files = [f for lang in args.lang or ("en", "de") for f in teacher_screens(args.out, lang)]
    print(f"{len(files)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
