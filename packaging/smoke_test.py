"""Smoke-test a built InFL-UX Desktop app folder; exit code 0 only if everything worked.

    python3 packaging/smoke_test.py packaging/dist/influx-desktop [--no-gui] [--no-strace]

Standard library only (runs with any Python 3.9+; the app itself needs none). On 127.0.0.1 only:

1. ``influx-desktop serve`` headless, with a fresh empty HOME and data folder: fetch ``/`` and the
   ORT-web runtime, join as a participant, fetch the task manifest and every artifact (checking their
   SHA-256), download the global model, post an update (the model plus a little noise, raw float32)
   like a browser participant, see the version move, export backbone+head through the admin API, then
   SIGINT: the process must exit 0. The first session must use the backbone shipped with the app
   (nothing exported into the data folder) and build the head artifacts without torch.
2. The desktop window offscreen (``QT_QPA_PLATFORM=offscreen``) on the same data folder: it must start,
   stay up, and quit with exit code 0 on SIGINT.
3. On Linux with strace installed, both runs are traced (``connect``/``bind``/``sendto``/``sendmsg``):
   any IPv4/IPv6 address other than loopback fails the test, i.e. nothing reaches for the internet or
   the LAN at start.
"""

from __future__ import annotations

import argparse
import array
import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ORT_WEB = "vendor/onnxruntime-web-1.19.2"
CLASSES = ["apple", "banana", "cherry"]
FEATURE_DIM = 1280
START_TIMEOUT = 180  # the first start builds the head artifacts (well under a second) and unpacks nothing
GUI_UP_SECONDS = 8


class SmokeFailure(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SmokeFailure(what)
    print(f"  ok: {what}", flush=True)


# ---------------------------------------------------------------- HTTP (loopback only)

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 60):
    if not url.startswith("http://127.0.0.1:"):
        raise SmokeFailure(f"refusing to contact {url}: loopback only")
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with _NO_PROXY.open(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def get_json(url: str, headers: dict | None = None) -> dict:
    status, _, body = http("GET", url, headers=headers)
    if status != 200:
        raise SmokeFailure(f"GET {url} -> {status}: {body[:300]!r}")
    return json.loads(body)


# ---------------------------------------------------------------- processes


def fresh_env(root: Path) -> dict:
    """The machine's environment with a new, empty HOME and XDG folders: no torch/pip/HF caches, no config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "TORCH", "XDG_", "QT_", "HF_", "PIP_"))}
    home = root / "home"
    for sub in ("", ".config", ".cache", ".local/share", "runtime"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    (home / "runtime").chmod(0o700)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
        USERPROFILE=str(home),
        APPDATA=str(home / "AppData"),
        LOCALAPPDATA=str(home / "AppData" / "Local"),
        no_proxy="*",
        NO_PROXY="*",
    )
    return env


class Traced:
    """Run a command, under ``strace -f`` when asked; ``pid`` is the app itself (not strace)."""

    def __init__(self, cmd: list[str], env: dict, trace_file: Path | None, stdout=subprocess.PIPE, stderr_file=None):
        self.trace_file = trace_file
        full = cmd
        if trace_file is not None:
            full = ["strace", "-f", "-qq", "-e", "trace=connect,bind,sendto,sendmsg", "-o", str(trace_file), *cmd]
        # Windows has no SIGINT for another process: a console's Ctrl+Break goes to a process group of its own.
        group = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if os.name == "nt" else {}
        self.proc = subprocess.Popen(
            full, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr_file, text=True, **group
        )
        self.pid = self.proc.pid
        if trace_file is not None:
            self.pid = self._traced_child(cmd[0])

    def _traced_child(self, program: str) -> int:
        """The child of strace that runs ``program``: strace also forks short-lived children of its own
        at start (to probe ptrace features), and taking one of those for the app failed under load."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            except OSError:
                children = []
            for child in children:
                try:
                    argv0 = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
                except OSError:
                    continue
                if argv0 == program:
                    return int(child)
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise SmokeFailure("strace did not start the app")

    def alive(self) -> bool:
        """The app itself (under strace, ``proc`` is strace, which outlives the app for a moment)."""
        if self.proc.poll() is not None:
            return False
        if self.pid == self.proc.pid or os.name == "nt":
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def interrupt(self) -> None:
        try:
            os.kill(self.pid, signal.CTRL_BREAK_EVENT if os.name == "nt" else signal.SIGINT)
        except ProcessLookupError:
            raise SmokeFailure("the app had already exited when it was to be stopped") from None

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise SmokeFailure(f"the app did not exit within {timeout:.0f} s of SIGINT") from None

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, getattr(signal, "SIGKILL", signal.SIGTERM))  # Windows: TerminateProcess
            except OSError:
                pass
            self.proc.kill()
            self.proc.wait()


_ADDR = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"')


@contextlib.contextmanager
def stopped_by_sigint(
    cmd: list[str], env: dict, trace_file: Path | None, stderr_path: Path, exit_note: str, stdout=subprocess.PIPE
) -> Iterator[Traced]:
    """Run ``cmd`` (stderr into ``stderr_path``) for the block; then SIGINT must end it with code 0 within
    60 s (``exit_note``: what that shows), and stderr must hold no traceback. Killed whatever happens."""
    with open(stderr_path, "w") as stderr:
        app = Traced(cmd, env, trace_file, stdout=stdout, stderr_file=stderr)
        try:
            yield app
            app.interrupt()
            rc = app.wait(60)
            check(rc == 0, f"SIGINT -> {exit_note} (code {rc})")
        finally:
            app.kill()
    check("Traceback" not in stderr_path.read_text(errors="replace"), "no traceback on stderr")


def network_report(trace_file: Path) -> tuple[list[str], list[str]]:
    """(calls that name a non-loopback IP address, the AF_UNIX paths/abstract names that were connected)."""
    outside, local = [], []
    for line in trace_file.read_text(errors="replace").splitlines():
        if "AF_UNIX" in line and "connect(" in line:
            m = re.search(r'sun_path=(@?"[^"]*")', line)
            local.append(m.group(1) if m else line.strip())
        for v4, v6 in _ADDR.findall(line):
            address = v4 or v6
            if address in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
                continue
            if address in ("0.0.0.0", "::") and "bind(" not in line:
                continue  # e.g. getsockname-style placeholders
            outside.append(line.strip())
    return outside, sorted(set(local))


def read_lines_until(proc: subprocess.Popen, prefix: str, timeout: float) -> dict[str, str]:
    """Read ``key: value`` lines from the app's stdout until one starts with ``prefix``."""
    found: dict[str, str] = {}
    done = threading.Event()
    lines: list[str] = []

    def reader():
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            key, sep, value = line.partition(": ")
            if sep:
                found[key.strip()] = value.strip()
            if line.startswith(prefix):
                done.set()
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not done.wait(0.2) and time.monotonic() < deadline and proc.poll() is None:
        pass
    if prefix.rstrip(": ") not in found:
        raise SmokeFailure(f"the app did not print {prefix!r} within {timeout:.0f} s; it printed: {lines[-20:]}")
    # keep draining stdout in the background so the app never blocks on a full pipe
    return found


# ---------------------------------------------------------------- the checks


def serve_checks(exe: Path, work: Path, trace: bool) -> Path:
    data_dir = work / "data"
    env = fresh_env(work)
    stderr_path = work / "serve.stderr"
    cmd = [
        str(exe),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--data-dir",
        str(data_dir),
        "--title",
        "Smoke test",
        "--classes",
        ",".join(CLASSES),
    ]
    print(f"serve: {' '.join(cmd)}", flush=True)
    t0 = time.monotonic()
    with stopped_by_sigint(cmd, env, work / "serve.strace" if trace else None, stderr_path, "clean exit") as app:
        info = read_lines_until(app.proc, "data dir:", START_TIMEOUT)
        print(f"  up in {time.monotonic() - t0:.1f} s: {info.get('url')}", flush=True)
        base = info["url"].split("/?", 1)[0]
        check(base.startswith("http://127.0.0.1:"), f"listening on loopback ({base})")
        admin = {"Authorization": f"Bearer {info['admin token']}"}
        session_id = int(info["session"])

        status, headers, body = http("GET", base + "/", headers={"Accept-Encoding": "identity"})
        check(
            status == 200 and b"<html" in body.lower() and headers.get("Content-Type", "").startswith("text/html"),
            "GET / serves the participant page",
        )
        status, _, body = http("GET", f"{base}/{ORT_WEB}/ort.training.wasm.min.mjs")
        check(status == 200 and len(body) > 10_000, "the ORT-web runtime module is served")
        status, headers, body = http(
            "GET", f"{base}/{ORT_WEB}/ort-training-wasm-simd-threaded.wasm", headers={"Accept-Encoding": "identity"}
        )
        check(
            status == 200 and body[:4] == b"\0asm" and headers.get("Content-Type") == "application/wasm",
            f"the ORT-web training wasm is served ({len(body) / 1e6:.1f} MB)",
        )

        status, _, body = http(
            "POST",
            f"{base}/api/v1/join",
            json.dumps({"join_code": info["join code"], "nickname": "smoke"}).encode(),
            {"Content-Type": "application/json"},
        )
        check(status == 200, f"join -> {status}")
        token = json.loads(body)["token"]
        auth = {"Authorization": f"Bearer {token}"}

        task = get_json(f"{base}/api/v1/task", auth)
        k = len(CLASSES)
        check(task["classes"] == CLASSES and task["state"] == "running", "the task manifest names the session")
        check(task["parameter_count"] == k * FEATURE_DIM + k, f"parameter count {task['parameter_count']}")
        check(
            set(task["artifacts"]) == {"feature_extractor", "training_model", "eval_model", "optimizer_model", "checkpoint"},
            "the manifest lists the five artifacts",
        )
        for role, art in sorted(task["artifacts"].items()):
            status, _, body = http("GET", base + art["url"], headers=auth)
            check(
                status == 200 and len(body) == art["bytes"] and hashlib.sha256(body).hexdigest() == art["sha256"],
                f"artifact {role}: {art['bytes']} bytes, sha256 matches",
            )

        index = json.loads((data_dir / "models" / "index.json").read_text())
        # Sessions serve the extractor with its feature map output (issue 16), made from the shipped file
        # without torch (graph surgery, ``models/feature_map.py``): the only extractor the data folder may hold.
        derived = list(index.get("feature_extractors", {}))
        check(
            all(key.endswith(":map") for key in derived),
            f"the backbone came with the app: nothing was exported into the data folder (derived: {derived})",
        )
        check(len(index.get("heads", {})) == 1, "the head artifacts were built (without torch) in the data folder")

        status, headers, body = http("GET", f"{base}/api/v1/model", headers=auth)
        version = int(headers["X-Model-Version"])
        check(status == 200 and len(body) == 4 * task["parameter_count"], f"global model v{version}: {len(body)} bytes")
        params = array.array("f")
        params.frombytes(body)
        if sys.byteorder == "big":
            params.byteswap()
        rng = random.Random(0)
        update = array.array("f", (p + rng.gauss(0.0, 0.01) for p in params))
        if sys.byteorder == "big":
            update.byteswap()
        status, _, body = http(
            "POST",
            f"{base}/api/v1/updates",
            update.tobytes(),
            {**auth, "Content-Type": "application/octet-stream", "X-Base-Version": str(version), "X-Sample-Count": "12"},
        )
        reply = json.loads(body)
        check(status == 200 and reply.get("accepted") is True, f"update accepted: {reply}")
        session = get_json(f"{base}/api/v1/admin/sessions/{session_id}", admin)
        check(session["version"] > version or not reply.get("applied"), f"global version now {session['version']}")

        status, headers, body = http("GET", f"{base}/api/v1/admin/sessions/{session_id}/model.onnx", headers=admin)
        extractor_bytes = task["artifacts"]["feature_extractor"]["bytes"]
        check(
            status == 200 and len(body) > extractor_bytes and body[:1] == b"\x08",
            f"model export via the admin API: {len(body) / 1e6:.1f} MB ONNX",
        )
    return data_dir


def gui_checks(exe: Path, work: Path, data_dir: Path, trace: bool) -> None:
    env = fresh_env(work / "gui")
    env["QT_QPA_PLATFORM"] = "offscreen"
    stderr_path = work / "gui.stderr"
    cmd = [str(exe), "--data-dir", str(data_dir)]
    print(f"gui: QT_QPA_PLATFORM=offscreen {' '.join(cmd)}", flush=True)
    with stopped_by_sigint(
        cmd, env, work / "gui.strace" if trace else None, stderr_path, "the window quits cleanly", stdout=subprocess.DEVNULL
    ) as app:
        deadline = time.monotonic() + GUI_UP_SECONDS
        while time.monotonic() < deadline:
            if not app.alive():
                app.proc.wait(10)
                raise SmokeFailure(
                    f"the window exited at once (code {app.proc.returncode}): {stderr_path.read_text(errors='replace')[-2000:]}"
                )
            time.sleep(0.2)
        check(True, f"the window is up offscreen after {GUI_UP_SECONDS} s")


def bundle_checks(app_dir: Path) -> None:
    names = [p.relative_to(app_dir).as_posix() for p in app_dir.rglob("*")]
    leaks = [
        n
        for n in names
        if re.search(r"(^|/)(torch|torchvision|triton|nvidia)(/|$)|libtorch|libcudnn|libcublas|libcudart|QtWebEngine", n)
    ]
    check(not leaks, f"no torch, CUDA or Qt WebEngine in the folder {leaks[:5]}")
    size = sum(p.stat().st_size for p in app_dir.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"  folder size: {size / 1e6:.0f} MB", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", type=Path, help="the built folder (packaging/dist/influx-desktop) or its executable")
    parser.add_argument("--no-gui", action="store_true", help="skip the offscreen window check")
    parser.add_argument("--no-strace", action="store_true", help="do not trace network calls")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, traces, data)")
    args = parser.parse_args(argv)

    exe = args.app
    if exe.is_dir():
        exe = exe / ("influx-desktop-cli.exe" if os.name == "nt" else "influx-desktop")
    if not exe.is_file():
        print(f"smoke: {exe} not found: build it first (packaging/build.sh)", file=sys.stderr)
        return 2
    trace = not args.no_strace and sys.platform.startswith("linux") and shutil.which("strace") is not None
    if not trace and not args.no_strace:
        print("smoke: strace not available: network calls are not traced", flush=True)

    work = Path(tempfile.mkdtemp(prefix="influx-smoke-"))
    t0 = time.monotonic()
    try:
        print("bundle:", flush=True)
        bundle_checks(exe.parent)
        data_dir = serve_checks(exe, work, trace)
        if not args.no_gui:
            gui_checks(exe, work, data_dir, trace)
        if trace:
            print("network:", flush=True)
            for name in ("serve", "gui"):
                trace_file = work / f"{name}.strace"
                if not trace_file.exists():
                    continue
                outside, local = network_report(trace_file)
                check(not outside, f"{name}: every connect/bind/send names 127.0.0.1 only {outside[:3]}")
                if local:
                    print(f"  note: {name} connected to local sockets: {', '.join(local)}", flush=True)
    except SmokeFailure as exc:
        print(f"SMOKE TEST FAILED: {exc}", file=sys.stderr, flush=True)
        print(f"smoke: logs kept in {work}", file=sys.stderr)
        return 1
    print(f"smoke test passed in {time.monotonic() - t0:.1f} s", flush=True)
    if args.keep:
        print(f"smoke: work folder {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
