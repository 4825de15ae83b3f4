"""Gecko: Debian /usr/bin/firefox-esr driven by npm puppeteer-core over WebDriver BiDi, through
firefox_bridge.mjs (a node process that this module talks to in JSON lines on stdin/stdout).

Pages: a new BiDi user context each, in its own window (a background tab would be hidden and
throttled), viewport 360×740 CSS px; no touch or mobile emulation (BiDi has none). With a
user_data_dir, a Firefox of its own on that profile folder.
No traffic leaves 127.0.0.1: puppeteer's default prefs switch off updates, telemetry, safebrowsing
and remote settings, and NO_NETWORK_PREFS below sends anything else to a dead proxy on 127.0.0.1."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .base import DEFAULT_VIEWPORT, Browser, EngineError, JSError, Page, check_key

ENGINE = "firefox"
FIREFOX = Path("/usr/bin/firefox-esr")
BRIDGE = Path(__file__).with_name("firefox_bridge.mjs")
WEBCLIENT = Path(__file__).resolve().parents[3] / "webclient"
CALL_TIMEOUT_S = 180.0
NAVIGATION_TIMEOUT_MS = 60_000
LAUNCH_TIMEOUT_MS = 90_000

#: A port on 127.0.0.1 where nothing listens: every proxied request fails at once.
_DEAD = ("127.0.0.1", 9)
NO_NETWORK_PREFS = {
    # every non-loopback http(s)/ws request (and, through SOCKS, its DNS lookup) goes to a dead proxy;
    # 127.0.0.1 and localhost are never proxied (network.proxy.allow_hijacking_localhost is false)
    "network.proxy.type": 1,
    "network.proxy.http": _DEAD[0],
    "network.proxy.http_port": _DEAD[1],
    "network.proxy.ssl": _DEAD[0],
    "network.proxy.ssl_port": _DEAD[1],
    "network.proxy.socks": _DEAD[0],
    "network.proxy.socks_port": _DEAD[1],
    "network.proxy.socks_remote_dns": True,
    "network.proxy.no_proxies_on": "",
    "network.proxy.allow_hijacking_localhost": False,
    "network.trr.mode": 5,  # no DNS over HTTPS
    # Firefox still resolves some built-in host names itself (firefox.settings.services.mozilla.com):
    # every name now resolves to 127.0.0.1 without asking any DNS server
    "network.dns.forceResolve": "127.0.0.1",
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.predictor.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "captivedetect.canonicalURL": "",
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.archive.enabled": False,
    "toolkit.telemetry.server": "",
    "app.normandy.enabled": False,
    "app.shield.optoutstudies.enabled": False,
    "app.update.auto": False,
    "app.update.enabled": False,
    "browser.ping-centre.telemetry": False,
    "browser.newtabpage.enabled": False,
    "browser.newtabpage.activity-stream.feeds.telemetry": False,
    "browser.newtabpage.activity-stream.telemetry": False,
    "extensions.getAddons.showPane": False,
    "extensions.htmlaboutaddons.recommendations.enabled": False,
    "extensions.systemAddon.update.enabled": False,
    "media.gmp-gmpopenh264.enabled": False,
    "media.gmp-widevinecdm.enabled": False,
    "identity.fxaccounts.enabled": False,
    "security.OCSP.enabled": 0,
    "security.remote_settings.crlite_filters.enabled": False,
    "security.remote_settings.intermediates.enabled": False,
    "messaging-system.rsexperimentloader.enabled": False,
    "browser.region.network.url": "",
    "browser.region.update.enabled": False,
    "geo.provider.network.url": "",
    "datareporting.policy.firstRunURL": "",
}


class _Bridge:
    """The node process; ``call`` sends one command and waits for its answer."""

    def __init__(self, workdir: Path):
        node = shutil.which("node")
        if node is None:
            raise EngineError("node is missing: it runs firefox_bridge.mjs (Debian nodejs)")
        self._stderr_path = workdir / "firefox-bridge.stderr.log"
        self._stderr = open(self._stderr_path, "wb")
        env = {**os.environ, "INFLUX_WEBCLIENT_DIR": str(WEBCLIENT)}
        self._process = subprocess.Popen(
            [node, str(BRIDGE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env, cwd=workdir
        )
        self._answers: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, name="firefox-bridge-reader", daemon=True)
        self._reader.start()
        self._next = 0
        self._lock = threading.Lock()

    def _read(self) -> None:
        for line in self._process.stdout:
            try:
                self._answers.put(json.loads(line))
            except ValueError:
                self._answers.put({"id": None, "ok": False, "error": f"bridge wrote {line!r}"})
        self._answers.put(None)  # the bridge exited

    def _stderr_tail(self) -> str:
        self._stderr.flush()
        try:
            return self._stderr_path.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def call(self, cmd: str, timeout_s: float = CALL_TIMEOUT_S, **params) -> Any:
        with self._lock:
            self._next += 1
            request_id = self._next
            try:
                self._process.stdin.write((json.dumps({"id": request_id, "cmd": cmd, **params}) + "\n").encode())
                self._process.stdin.flush()
            except (BrokenPipeError, ValueError):
                raise EngineError(f"[{ENGINE}] the node bridge has exited: {self._stderr_tail()}") from None
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    answer = self._answers.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise EngineError(f"[{ENGINE}] no answer to {cmd} within {timeout_s:g} s") from None
                if answer is None:
                    self._answers.put(None)
                    raise EngineError(f"[{ENGINE}] the node bridge exited (code {self._process.poll()}): {self._stderr_tail()}")
                if answer.get("id") == request_id:
                    break
            if not answer["ok"]:
                raise JSError(f"[{ENGINE}] {cmd}: {answer['error']}")
            return answer["result"]

    def close(self) -> None:
        if self._process.poll() is None:
            try:
                self._process.stdin.close()  # the bridge closes its browsers and exits
            except OSError:
                pass
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._stderr.close()


class FirefoxPage(Page):
    engine = ENGINE

    def __init__(self, bridge: _Bridge, page_id: str, viewport: tuple[int, int]):
        self._bridge = bridge
        self._id = page_id
        self.viewport_note = f"{viewport[0]}×{viewport[1]} CSS px window content (no touch or mobile emulation over BiDi)"

    def _page_call(self, cmd: str, **params) -> Any:
        return self._bridge.call(cmd, pageId=self._id, **params)

    def _call(self, function_source: str, args: Sequence[Any]) -> str:
        return self._page_call("evaluate", fn=function_source, args=list(args))

    def goto(self, url: str) -> None:
        self._page_call("goto", url=url, timeoutMs=NAVIGATION_TIMEOUT_MS)

    def reload(self) -> None:
        self._page_call("reload", timeoutMs=NAVIGATION_TIMEOUT_MS)

    def click(self, css_selector: str) -> None:
        self._page_call("click", selector=css_selector)

    def fill(self, css_selector: str, text: str) -> None:
        self._page_call("fill", selector=css_selector, text=text)

    def select(self, css_selector: str, value: str) -> None:
        self._page_call("select", selector=css_selector, value=value)

    def set_input_files(self, css_selector: str, paths: list[str]) -> None:
        self._page_call("upload", selector=css_selector, paths=[str(Path(p).resolve()) for p in paths])

    def press(self, key: str) -> None:
        shift, name = check_key(key)
        self._page_call("press", key=" " if name == "Space" else name, shift=shift)  # puppeteer's name for it

    def type_text(self, text: str) -> None:
        self._page_call("type", text=text)

    def screenshot(self, path: str | Path) -> None:
        self._page_call("screenshot", path=str(Path(path).resolve()))

    def console_messages(self) -> list[str]:
        try:
            return self._page_call("console")
        except (JSError, EngineError) as e:
            return [f"(console not available: {e})"]

    def _close(self) -> None:
        self._page_call("closePage")


class FirefoxBrowser(Browser):
    engine = ENGINE

    def __init__(self, workdir: Path):
        if not FIREFOX.exists():
            raise EngineError(f"{FIREFOX} is missing: run scripts/setup.sh --tests (apt-get install firefox-esr)")
        self._workdir = workdir
        started = time.monotonic()
        self._bridge = _Bridge(workdir)
        try:
            result = self._bridge.call(
                "launch",
                executablePath=str(FIREFOX),
                userDataDir=str(workdir / "profile"),
                prefs=NO_NETWORK_PREFS,
                timeoutMs=LAUNCH_TIMEOUT_MS,
            )
        except Exception:
            self._bridge.close()
            raise
        self._browser_id = result["browserId"]
        self.version = result["version"]
        self.launch_seconds = time.monotonic() - started
        self._pages: list[FirefoxPage] = []

    def open_page(self, viewport: tuple[int, int] = DEFAULT_VIEWPORT, user_data_dir: str | Path | None = None) -> Page:
        params: dict[str, Any] = {"browserId": self._browser_id, "viewport": list(viewport)}
        if user_data_dir is not None:
            Path(user_data_dir).mkdir(parents=True, exist_ok=True)
            params.update(
                userDataDir=str(Path(user_data_dir).resolve()),
                executablePath=str(FIREFOX),
                prefs=NO_NETWORK_PREFS,
                timeoutMs=LAUNCH_TIMEOUT_MS,
            )
        result = self._bridge.call("newPage", **params)
        page = FirefoxPage(self._bridge, result["pageId"], viewport)
        self._pages.append(page)
        return page

    def _close_browser(self) -> None:
        self._bridge.call("closeBrowser", browserId=self._browser_id, timeout_s=60)

    def _release(self) -> None:
        self._bridge.close()
