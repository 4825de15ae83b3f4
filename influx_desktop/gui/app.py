"""``run_app(data_dir)``: the desktop app's entry point (``influx-desktop`` with no subcommand)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from .. import __version__
from ..errors import InfluxError
from .i18n import core_message


def run_app(data_dir: Path, argv: list[str] | None = None, host: str | None = None, lang: str | None = None) -> int:
    """Open the main window on ``data_dir``; the latest session is shown if there is one.

    ``host`` preselects the listening address; by default it is the default-route interface's. ``lang``: the
    window's language (``--lang``; default: ``$INFLUX_LANG``, else the system's, else English).
    """
    from ..coordinator import Coordinator
    from .language import choose_language, install_language
    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("InFL-UX Desktop")
    app.setApplicationVersion(__version__)
    install_language(choose_language(lang))  # before any widget: texts are translated when built
    try:
        coordinator = Coordinator(Path(data_dir))
    except InfluxError as exc:
        QMessageBox.critical(None, "InFL-UX Desktop", core_message(exc))
        return 2
    window = MainWindow(coordinator, host=host)
    window.show()
    # Ctrl+C in the terminal quits cleanly: Python only sees signals while the interpreter runs.
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    heartbeat = QTimer(interval=250, timeout=lambda: None)
    heartbeat.start()
    try:
        return app.exec()
    finally:
        window.shutdown()
        coordinator.close()
