"""The FL core must not depend on Qt or Flask, and must load without torch (the app starts fast)."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "influx_desktop"
CORE_FILES = [p for p in PACKAGE.rglob("*.py") if not {"gui", "server"} & set(p.relative_to(PACKAGE).parts)]


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_modules_never_import_qt_or_flask():
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(imported_roots(p) & {"PySide6", "flask", "werkzeug", "waitress"})
        for p in CORE_FILES
    }
    assert CORE_FILES and not {k: v for k, v in offenders.items() if v}


def test_core_and_server_load_without_torch_qt():
    code = (
        "import sys, influx_desktop.coordinator, influx_desktop.server.app; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'PySide6', 'torchvision'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
