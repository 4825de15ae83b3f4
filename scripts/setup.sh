#!/usr/bin/env bash
# Set up everything the app (and, with --tests, the test suite) needs, only where it is missing:
# Debian packages (chromium, firefox-esr, webkit2gtk-driver, xvfb, Fashion-MNIST) for tests, a
# Python venv in .venv with the project installed in editable mode, the webclient's npm packages
# and its bundle in the Python package.
set -euo pipefail
cd "$(dirname "$0")/.."
for_tests=false
[ "${1:-}" = "--tests" ] && for_tests=true

apt_install() {
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    echo "setup: installing Debian packages: $*"
    $SUDO apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

if $for_tests; then
    missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    # the other two engines of tests/browser/test_engines.py: Gecko (driven by webclient's npm
    # puppeteer-core) and WebKit (WebKitWebDriver + MiniBrowser, driven by selenium, on Xvfb)
    [ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
    [ -x /usr/bin/WebKitWebDriver ] || missing+=(webkit2gtk-driver)
    command -v Xvfb >/dev/null || missing+=(xvfb)
    [ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
    command -v strace >/dev/null || missing+=(strace)   # the installer smoke test traces connect() calls
    if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
fi

# Python 3.11 or 3.12: onnxruntime-training-cpu 1.19.2 has no wheels for newer ones.
if [ ! -x .venv/bin/python ]; then
    python=""
    for candidate in python3.11 python3.12 python3; do
        if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 12))'; then
            python=$candidate; break
        fi
    done
    [ -n "$python" ] || { echo "setup: Python 3.11 or 3.12 is needed (onnxruntime-training-cpu 1.19.2 stops at 3.12)" >&2; exit 1; }
    "$python" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
fi

extras=""
$for_tests && extras="[test]"
stamp=".venv/.installed$(echo "$extras" | tr -d '[]')-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "setup: installing Python packages (the first time takes a few minutes)"
    if ! .venv/bin/python -m pip install -q -e ".$extras" >.venv/pip-install.log 2>&1; then
        tail -n 30 .venv/pip-install.log >&2
        echo "setup: pip install failed; the whole log is in .venv/pip-install.log" >&2
        exit 1
    fi
    touch "$stamp"
fi

# Qt's X11 plugin loads libraries a fresh Debian/Ubuntu desktop may lack (libxcb-icccm4 and libxcb-keysyms1
# among them; Qt then blames xcb-cursor0 whatever is missing). Install the ones ldd cannot find, named by
# Debian's rule: libxcb-icccm.so.4 -> libxcb-icccm4, libxkbcommon-x11.so.0 -> libxkbcommon-x11-0.
qxcb=$(ls .venv/lib/python3.*/site-packages/PySide6/Qt/plugins/platforms/libqxcb.so 2>/dev/null | head -n 1 || true)
if [ -n "$qxcb" ] && command -v apt-get >/dev/null; then
    qt_missing=()
    for soname in $(ldd "$qxcb" "$(dirname "$qxcb")"/../../lib/libQt6XcbQpa.so.6 2>/dev/null | awk '/not found/ {print $1}' | sort -u); do
        name=${soname%%.so.*}; version=${soname##*.so.}
        case "$name" in *[0-9]) qt_missing+=("$name-$version") ;; *) qt_missing+=("$name$version") ;; esac
    done
    if [ ${#qt_missing[@]} -gt 0 ]; then apt_install "${qt_missing[@]}"; fi
fi

# The participant web app: onnxruntime-web from npm, bundled into the Python package.
lock_stamp="webclient/node_modules/.lock-$(sha256sum webclient/package-lock.json | cut -c1-16)"
if [ ! -f "$lock_stamp" ]; then
    echo "setup: installing the webclient's npm packages"
    (cd webclient && npm ci --include=dev --no-audit --no-fund --loglevel=error)   # dev: eslint, puppeteer-core (tests)
    touch "$lock_stamp"
fi
.venv/bin/python scripts/bundle_webclient.py >/dev/null
