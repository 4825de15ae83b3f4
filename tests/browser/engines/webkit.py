"""WebKit: Debian webkit2gtk-driver (/usr/bin/WebKitWebDriver, which runs WebKitGTK's MiniBrowser)
driven by PyPI selenium, on an Xvfb display that the Browser starts on a free display number.

Pages: one WebDriver session each — its own WebKitWebDriver and MiniBrowser processes, with HOME and
the XDG folders in its own folder, so nothing is shared. WebDriver sessions of WebKitGTK are
ephemeral (like Safari's Private Browsing): a reload keeps IndexedDB, closing the page loses it, and a
user_data_dir only holds the session's HOME/XDG folders. The viewport is set through the window size:
MiniBrowser's toolbar makes its window at least ~447 px wide, so a 360 px request gives the narrowest
viewport it can (see ``viewport_note``), with the requested height. No touch emulation.
Console messages: caught by a hook installed after each goto/reload (see CONSOLE_HOOK). Non-loopback
traffic goes to a dead proxy on 127.0.0.1 (MiniBrowser's --proxy; 127.0.0.1 and localhost bypass it)."""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .base import DEFAULT_VIEWPORT, Browser, EngineError, JSError, Page, check_key

ENGINE = "webkit"
WEBKIT_DRIVER = Path("/usr/bin/WebKitWebDriver")
MINIBROWSER_GLOB = "/usr/lib/*/webkit2gtk-4.1/MiniBrowser"
XVFB = "Xvfb"
SCRIPT_TIMEOUT_S = 300
PAGE_LOAD_TIMEOUT_S = 60
BROWSER_ARGS = [
    "--automation",  # WebKitWebDriver refuses a browser binary whose args lack it
    "--proxy=http://127.0.0.1:9",
    "--ignore-host=127.0.0.1",
    "--ignore-host=localhost",
    "--ignore-host=::1",  # one host per option
    "--enable-dns-prefetching=false",
]
#: WebDriver classic has no console events, and MiniBrowser in automation mode ignores
#: --enable-write-console-messages-to-stdout: after each goto/reload the page's console and its error
#: events are wrapped (what a page logs before its load event is not seen).
CONSOLE_HOOK = """
if (!window.__engineConsole) {
  const out = window.__engineConsole = [];
  const text = (a) => { try { return typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a); } catch (e) { return String(a); } };
  for (const [name, type] of [['log', 'log'], ['info', 'info'], ['warn', 'warning'], ['error', 'error'], ['debug', 'debug']]) {
    const original = console[name].bind(console);
    console[name] = (...args) => { out.push(type + ': ' + args.map(text).join(' ')); return original(...args); };
  }
  addEventListener('error', (e) => out.push('pageerror: ' + (e.message || e.error)));
  addEventListener('unhandledrejection', (e) => out.push('pageerror: ' + (e.reason && e.reason.message || e.reason)));
}
"""
CONSOLE_TAKE = "return window.__engineConsole ? window.__engineConsole.splice(0) : []"


class _Xvfb:
    """An X server on a display number it picks itself (``-displayfd``), for this process only."""

    def __init__(self, workdir: Path):
        if shutil.which(XVFB) is None:
            raise EngineError("Xvfb is missing: run scripts/setup.sh --tests (apt-get install xvfb)")
        read_end, write_end = os.pipe()
        self._log = open(workdir / "xvfb.log", "wb")
        self.process = subprocess.Popen(
            [XVFB, "-displayfd", str(write_end), "-screen", "0", "1280x1024x24", "-nolisten", "tcp", "-noreset"],
            pass_fds=[write_end],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        os.close(write_end)
        number = b""
        try:
            while not number.endswith(b"\n"):
                chunk = os.read(read_end, 16)  # Xvfb writes the number once it accepts clients
                if not chunk:
                    raise EngineError(f"Xvfb exited before it had a display (code {self.process.poll()})")
                number += chunk
        finally:
            os.close(read_end)
        self.display = f":{number.decode().strip()}"
        atexit.register(self.stop)  # should the caller never get to close the browser

    def stop(self) -> None:
        atexit.unregister(self.stop)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _minibrowser() -> str:
    found = sorted(glob.glob(MINIBROWSER_GLOB))
    if not found:
        raise EngineError(f"WebKitGTK's MiniBrowser ({MINIBROWSER_GLOB}) is missing: apt-get install webkit2gtk-driver")
    return found[0]


class WebKitPage(Page):
    engine = ENGINE

    def __init__(self, display: str, home: Path, viewport: tuple[int, int]):
        from selenium import webdriver

        home.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DISPLAY": display,
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_RUNTIME_DIR": str(home / "runtime"),
            "NO_AT_BRIDGE": "1",
            "GTK_A11Y": "none",
        }
        (home / "runtime").mkdir(mode=0o700, exist_ok=True)
        self._log_path = home / "webkit-driver.log"
        options = webdriver.WebKitGTKOptions()
        options.binary_location = _minibrowser()
        for arg in BROWSER_ARGS:
            options.add_argument(arg)
        # a file object of ours: selenium would close an int log_output in Service.stop *and* again in
        # Service.__del__, by which time the number may belong to another page's file
        self._log = open(self._log_path, "wb")
        self._console: list[str] = []
        service = webdriver.WebKitGTKService(executable_path=str(WEBKIT_DRIVER), log_output=self._log, env=env)
        try:
            with warnings.catch_warnings():  # selenium's own WebKitGTK constructor uses a deprecated argument
                warnings.simplefilter("ignore", DeprecationWarning)
                self._driver = webdriver.WebKitGTK(service=service, options=options)
        except Exception:
            self._log.close()
            raise
        atexit.register(self.close)  # WebKitWebDriver and MiniBrowser outlive a Python that never closed them
        try:
            self._driver.set_script_timeout(SCRIPT_TIMEOUT_S)
            self._driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT_S)
            self._size_viewport(viewport)
        except Exception:
            self.close()
            raise

    def _size_viewport(self, viewport: tuple[int, int]) -> None:
        """Window size minus its toolbar = the viewport; MiniBrowser has a minimum width."""
        width, height = viewport
        self._driver.set_window_size(width, height)
        outer_w, outer_h, inner_w, inner_h = self._driver.execute_script(
            "return [outerWidth, outerHeight, innerWidth, innerHeight]"
        )
        self._driver.set_window_size(width + (outer_w - inner_w), height + (outer_h - inner_h))
        inner_w, inner_h = self._driver.execute_script("return [innerWidth, innerHeight]")
        self.viewport = (inner_w, inner_h)
        self.viewport_note = (
            f"window sized for {width}×{height}: viewport {inner_w}×{inner_h} CSS px"
            + (" (MiniBrowser's minimum window width)" if inner_w > width else "")
            + ", no touch"
        )

    @property
    def selenium_driver(self):
        """The selenium WebDriver, for what only WebKit tests need."""
        return self._driver

    def _call(self, function_source: str, args: Sequence[Any]) -> str:
        from selenium.common.exceptions import WebDriverException

        script = (
            "const __done = arguments[arguments.length - 1];"
            "const __args = Array.prototype.slice.call(arguments, 0, arguments.length - 1);"
            f"Promise.resolve().then(() => ({function_source})(...__args)).then("
            "(v) => __done({ok: v}),"
            "(e) => __done({error: String(e && e.message ? e.message : e)}));"
        )
        try:
            result = self._driver.execute_async_script(script, *args)
        except WebDriverException as e:
            raise JSError(f"[{ENGINE}] {e.msg or e}") from None
        if not isinstance(result, dict) or "ok" not in result:
            message = result.get("error") if isinstance(result, dict) else repr(result)
            raise JSError(f"[{ENGINE}] {message}")
        return result["ok"]

    def _harvest_console(self) -> None:
        try:
            self._console.extend(self._driver.execute_script(CONSOLE_TAKE) or [])
        except Exception:
            pass  # no page, or one without the hook

    def _hook_console(self) -> None:
        self._driver.execute_script(CONSOLE_HOOK)

    def goto(self, url: str) -> None:
        self._harvest_console()
        self._driver.get(url)
        self._hook_console()

    def reload(self) -> None:
        self._harvest_console()
        self._driver.refresh()
        self._hook_console()

    def _element(self, css_selector: str):
        from selenium.common.exceptions import NoSuchElementException
        from selenium.webdriver.common.by import By

        try:
            return self._driver.find_element(By.CSS_SELECTOR, css_selector)
        except NoSuchElementException:
            raise JSError(f"[{ENGINE}] no element matches {css_selector}") from None

    def click(self, css_selector: str) -> None:
        self._element(css_selector).click()

    def fill(self, css_selector: str, text: str) -> None:
        element = self._element(css_selector)
        element.clear()
        element.send_keys(text)

    def select(self, css_selector: str, value: str) -> None:
        from selenium.webdriver.support.select import Select

        Select(self._element(css_selector)).select_by_value(value)

    def set_input_files(self, css_selector: str, paths: list[str]) -> None:
        """All files in one send_keys, newline-separated as WebDriver specifies: one change event with
        every file, as in the other engines (WebKitWebDriver 2.50 takes it). Should a driver refuse
        that, one send_keys per file — and then a ``multiple`` input that the page does not clear
        accumulates: the change events carry [a], [a, b], …"""
        from selenium.common.exceptions import WebDriverException

        element = self._element(css_selector)
        files = [str(Path(p).resolve()) for p in paths]
        try:
            element.send_keys("\n".join(files))
        except WebDriverException:
            if len(files) == 1:
                raise
            for path in files:
                element.send_keys(path)

    def press(self, key: str) -> None:
        """Through WebDriver actions (keys go to the focused element, as a keyboard's do)."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        shift, name = check_key(key)
        selenium_key = {
            "Tab": Keys.TAB,
            "Enter": Keys.ENTER,
            "Space": Keys.SPACE,
            "Escape": Keys.ESCAPE,
            "ArrowDown": Keys.ARROW_DOWN,
            "ArrowUp": Keys.ARROW_UP,
            "ArrowLeft": Keys.ARROW_LEFT,
            "ArrowRight": Keys.ARROW_RIGHT,
            "Home": Keys.HOME,
            "End": Keys.END,
        }[name]
        actions = ActionChains(self._driver)
        if shift:
            actions.key_down(Keys.SHIFT).send_keys(selenium_key).key_up(Keys.SHIFT)
        else:
            actions.send_keys(selenium_key)
        actions.perform()

    def type_text(self, text: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains

        ActionChains(self._driver).send_keys(text).perform()

    def screenshot(self, path: str | Path) -> None:
        if not self._driver.save_screenshot(str(path)):
            raise EngineError(f"[{ENGINE}] could not write a screenshot to {path}")

    def console_messages(self) -> list[str]:
        self._harvest_console()
        return list(self._console)

    def _close(self) -> None:
        atexit.unregister(self.close)
        try:
            self._harvest_console()
            self._driver.quit()
        finally:
            self._log.close()


class WebKitBrowser(Browser):
    engine = ENGINE

    def __init__(self, workdir: Path):
        if not WEBKIT_DRIVER.exists():
            raise EngineError(f"{WEBKIT_DRIVER} is missing: run scripts/setup.sh --tests (apt-get install webkit2gtk-driver)")
        _minibrowser()
        try:
            import selenium  # noqa: F401
        except ImportError:
            raise EngineError("selenium is missing: pip install -e '.[test]' (scripts/setup.sh --tests)") from None
        self._workdir = workdir
        started = time.monotonic()
        self._xvfb = _Xvfb(workdir)
        self._pages: list[WebKitPage] = []
        try:
            # a throwaway session proves the driver starts and warms the disk cache for the pages
            first = self._new_page(DEFAULT_VIEWPORT, None)
            self.version = first.selenium_driver.capabilities.get("browserVersion", "")
            first.close()
            self._pages.remove(first)
        except Exception:
            self._xvfb.stop()
            raise
        self.launch_seconds = time.monotonic() - started

    @property
    def display(self) -> str:
        return self._xvfb.display

    def _new_page(self, viewport, user_data_dir) -> WebKitPage:
        home = (
            Path(user_data_dir) if user_data_dir is not None else Path(tempfile.mkdtemp(prefix="webkit-page-", dir=self._workdir))
        )
        page = WebKitPage(self._xvfb.display, home, viewport)
        self._pages.append(page)
        return page

    def open_page(self, viewport: tuple[int, int] = DEFAULT_VIEWPORT, user_data_dir: str | Path | None = None) -> Page:
        return self._new_page(viewport, user_data_dir)

    def _release(self) -> None:
        self._xvfb.stop()
