#!/usr/bin/env bash
# Build the one-folder app into packaging/dist/influx-desktop/ (Linux, macOS; Windows: see README.md).
#
#   packaging/build.sh                               # uses .venv (created by scripts/setup.sh if missing)
#   PYTHON=/path/to/venv/bin/python packaging/build.sh   # an existing dev install of the project
#   packaging/build.sh --smoke                       # then run packaging/smoke_test.py on the result
#
# Steps: the webclient bundle (with ORT-web) -> the default backbone exported to ONNX in the build venv
# (the only step that needs torch) -> PyInstaller with packaging/influx_desktop.spec.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=false
[ "${1:-}" = "--smoke" ] && smoke=true
start=$(date +%s)

if [ -n "${PYTHON:-}" ]; then
    py=$PYTHON
    lock_stamp="webclient/node_modules/.lock-$(sha256sum webclient/package-lock.json | cut -c1-16)"
    if [ ! -f "$lock_stamp" ]; then
        (cd webclient && npm ci --no-audit --no-fund --loglevel=error)
        touch "$lock_stamp"
    fi
    "$py" scripts/bundle_webclient.py >/dev/null
else
    scripts/setup.sh   # .venv with the project (torch included: needed to export the backbone) + webclient bundle
    py=.venv/bin/python
fi

want=$(sed -n 's/.*"pyinstaller==\([0-9.]*\)".*/\1/p' pyproject.toml)
have=$("$py" -c 'import PyInstaller; print(PyInstaller.__version__)' 2>/dev/null || true)
if [ "$have" != "$want" ]; then
    echo "build: installing pyinstaller $want"
    "$py" -m pip install -q "pyinstaller==$want"
fi

echo "build: exporting the bundled backbone(s)"
"$py" packaging/prebuild.py packaging/build/prebuilt

echo "build: PyInstaller"
"$py" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath packaging/dist --workpath packaging/build/pyinstaller packaging/influx_desktop.spec

app=packaging/dist/influx-desktop
echo "build: done in $(( $(date +%s) - start )) s: $app ($(du -sh "$app" | cut -f1))"
if $smoke; then
    exec "$py" packaging/smoke_test.py "$app"
fi
