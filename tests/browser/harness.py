"""Shared by the browser tests and the benchmark: a real `influx-desktop serve` on 127.0.0.1, Debian
Chromium driven by Playwright (never `playwright install`), and Fashion-MNIST photos as PNG files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "scripts"))

from fashion_mnist import CLASS_NAMES, load_fashion_mnist  # noqa: E402
from image_zip import class_folders_zip  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # no name lookups beyond loopback: even with the flags above Chromium resolves accounts.google.com
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
DIST = REPO / "influx_desktop" / "webclient_dist"
#: What the participant page shows tests (README "What tests read"): #task-view's data attributes,
#: set by webclient/src/app/photo_board.js (publish) and participant_app.js. Each is a JS function.
#: n photos have features and none is being prepared:
FEATURES_READY = "(n) => { const v = document.querySelector('#task-view').dataset; return Number(v.features) >= n && v.extracting !== 'true'; }"
#: how many photos this page prepared itself (0 after a reload that found every photo's features stored)
PHOTOS_PREPARED = "() => Number(document.querySelector('#task-view').dataset.prepared || 0)"
#: the participant's id, as the facilitator's dashboard shows it next to the name
PARTICIPANT_ID = "() => Number(document.querySelector('#task-view').dataset.participant)"
#: what the cards of photos that cannot be used say
FEATURE_ERRORS = "() => [...document.querySelectorAll('fl-image-card[data-unusable] .card-hint')].map((h) => h.textContent)"
#: how a Train and send ended, once it has: 'applied', 'waiting' (buffered by the server) or 'error'
#: (#train-result's data-outcome; data-version holds the class model's version the answer named)
TRAIN_OUTCOME = (
    "() => !document.querySelector('#train-button').disabled && document.querySelector('#train-result').dataset.outcome"
)

#: Three Fashion-MNIST classes a frozen ImageNet backbone separates well: trouser, bag, sneaker.
CLASS_IDS = [1, 8, 7]


def class_names(ids=CLASS_IDS) -> list[str]:
    return [CLASS_NAMES[i] for i in ids]


def file_stem(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def ensure_bundle() -> Path:
    """Build influx_desktop/webclient_dist from webclient/ (needs `npm ci` done); reuse a built one otherwise."""
    if (REPO / "webclient" / "node_modules" / "onnxruntime-web").is_dir():
        import bundle_webclient

        bundle_webclient.main([])
    if not (DIST / "index.html").is_file():
        raise RuntimeError("the web client is not built: run `(cd webclient && npm ci) && python scripts/bundle_webclient.py`")
    return DIST


def write_pngs(folder: Path, split: str, per_class: int, seed: int, ids=CLASS_IDS) -> list[tuple[Path, str]]:
    """PNG files named `<class>-<n>.png` (the file name carries the true label for the test to read)."""
    folder.mkdir(parents=True, exist_ok=True)
    images, labels = load_fashion_mnist(split, classes=ids, per_class=per_class, seed=seed)
    names = class_names(ids)
    out = []
    for n, (image, label) in enumerate(zip(images, labels)):
        cls = names[int(label)]
        path = folder / f"{file_stem(cls)}-{seed}-{n:03d}.png"
        image.save(path, format="PNG")
        out.append((path, cls))
    return out


def zip_of_test_images(per_class: int, seed: int, ids=CLASS_IDS) -> bytes:
    images, labels = load_fashion_mnist("test", classes=ids, per_class=per_class, seed=seed)
    names = class_names(ids)
    return class_folders_zip((names[int(label)], image) for image, label in zip(images, labels))


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    join_code: str
    admin_token: str
    session_id: int
    log: list[str] = field(default_factory=list)
    data_dir: Path | None = None

    def join_url(self, profile: str | None = None, code: str | None = None) -> str:
        url = f"{self.url}/?join={code or self.join_code}"
        return url + (f"&profile={profile}" if profile else "")

    def admin(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
        data = self.admin_bytes(method, path, body, content_type)
        return json.loads(data) if data else None

    def admin_bytes(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None) -> bytes:
        """A facilitator API answer as it came (exports: CSV, JSON Lines)."""
        request = urllib.request.Request(
            f"{self.url}/api/v1/admin/sessions/{self.session_id}{path}",
            data=body,
            method=method,
            headers={"Authorization": f"Bearer {self.admin_token}", **({"Content-Type": content_type} if content_type else {})},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read()

    def put_test_set(self, per_class: int, seed: int, ids=CLASS_IDS) -> None:
        """The session's test set: ``per_class`` Fashion-MNIST test photos of each class of ``ids``."""
        self.admin("PUT", "/testset", zip_of_test_images(per_class, seed, ids), "application/zip")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(data_dir: Path, settings: dict | None, timeout: float = 300, port: int | None = 0) -> Server:
    """`influx-desktop serve` on 127.0.0.1 with a new session (or, with `settings=None`, the data dir's
    newest one); `port=None` lets serve pick the session's remembered port. Waits until it prints its URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "influx_desktop", "serve", "--host", "127.0.0.1", "--data-dir", str(data_dir)]
    if port is not None:
        command += ["--port", str(port)]
    if settings is not None:
        config = data_dir / "session.json"
        config.write_text(json.dumps(settings))
        command += ["--config", str(config)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO)
    fields: dict[str, str] = {}
    log: list[str] = []
    deadline = time.monotonic() + timeout
    while "data dir" not in fields:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("influx-desktop serve exited early:\n" + "".join(log))
        log.append(line)
        if ": " in line:
            key, value = line.rstrip("\n").split(": ", 1)
            fields[key] = value
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("influx-desktop serve did not start in time:\n" + "".join(log))
    url = fields["url"].split("/?", 1)[0]
    assert url.startswith("http://127.0.0.1:"), url
    return Server(process, url, fields["join code"], fields["admin token"], int(fields["session"]), log, data_dir)


def launch_chromium(playwright, user_data_dir: Path | None = None):
    """Debian Chromium, headless, with a fresh profile (Playwright's own temporary one)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
