"""Blink: Debian /usr/bin/chromium through Playwright's sync API, with the flags of harness.CHROMIUM_ARGS.

Pages: a new browser context each (``new_context``), 360×740 with ``is_mobile`` and ``has_touch``; with
a user_data_dir, a persistent context of its own (``launch_persistent_context``, another process)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness import CHROMIUM, CHROMIUM_ARGS

from .base import DEFAULT_VIEWPORT, Browser, EngineError, JSError, Page, check_key

ENGINE = "chromium"
#: With harness.CHROMIUM_ARGS alone Chromium still asks the system resolver for accounts.google.com:
#: every name but the loopback ones now fails inside Chromium, before any DNS query.
NO_DNS_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]
ARGS = CHROMIUM_ARGS + NO_DNS_ARGS
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 60_000


class _Playwright:
    """One sync Playwright per process, shared by every Chromium browser this package starts: while it
    is open the thread has a running asyncio loop, so a second ``sync_playwright()`` would refuse."""

    instance = None
    users = 0

    @classmethod
    def acquire(cls):
        if cls.instance is None:
            from playwright.sync_api import sync_playwright

            cls.instance = sync_playwright().start()
        cls.users += 1
        return cls.instance

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users == 0 and cls.instance is not None:
            cls.instance.stop()
            cls.instance = None


def _context_options(viewport: tuple[int, int]) -> dict:
    return {"viewport": {"width": viewport[0], "height": viewport[1]}, "is_mobile": True, "has_touch": True}


class ChromiumPage(Page):
    engine = ENGINE

    def __init__(self, context, viewport: tuple[int, int]):
        self._context = context
        self._page = context.pages[0] if context.pages else context.new_page()
        self._page.set_default_timeout(ACTION_TIMEOUT_MS)
        self._page.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        self._console: list[str] = []
        self._page.on("console", lambda m: self._console.append(f"{m.type}: {m.text}"))
        self._page.on("pageerror", lambda e: self._console.append(f"pageerror: {e}"))
        self.viewport_note = f"{viewport[0]}×{viewport[1]} CSS px, is_mobile, has_touch"

    @property
    def playwright_page(self):
        """The Playwright Page, for what only Chromium tests need (request interception, …)."""
        return self._page

    def _call(self, function_source: str, args: Sequence[Any]) -> str:
        from playwright.sync_api import Error

        try:
            return self._page.evaluate(f"async (__args) => await ({function_source})(...__args)", list(args))
        except Error as e:
            raise JSError(f"[{ENGINE}] {e.message}") from None

    def goto(self, url: str) -> None:
        self._page.goto(url)

    def reload(self) -> None:
        self._page.reload()

    def click(self, css_selector: str) -> None:
        self._page.click(css_selector)

    def fill(self, css_selector: str, text: str) -> None:
        self._page.fill(css_selector, text)

    def select(self, css_selector: str, value: str) -> None:
        self._page.select_option(css_selector, value)

    def set_input_files(self, css_selector: str, paths: list[str]) -> None:
        self._page.set_input_files(css_selector, [str(Path(p).resolve()) for p in paths])

    def press(self, key: str) -> None:
        check_key(key)
        self._page.keyboard.press(key)

    def type_text(self, text: str) -> None:
        self._page.keyboard.type(text)

    def screenshot(self, path: str | Path) -> None:
        self._page.screenshot(path=str(path))

    def console_messages(self) -> list[str]:
        return list(self._console)

    def _close(self) -> None:
        self._context.close()


class ChromiumBrowser(Browser):
    engine = ENGINE

    def __init__(self, workdir: Path):
        if not CHROMIUM.exists():
            raise EngineError(f"{CHROMIUM} is missing: run scripts/setup.sh --tests (apt-get install chromium)")
        self._workdir = workdir
        started = time.monotonic()
        self._playwright = _Playwright.acquire()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        except Exception:
            _Playwright.release()
            raise
        self.launch_seconds = time.monotonic() - started
        self.version = self._browser.version
        self._pages: list[ChromiumPage] = []

    def open_page(self, viewport: tuple[int, int] = DEFAULT_VIEWPORT, user_data_dir: str | Path | None = None) -> Page:
        if user_data_dir is None:
            page = ChromiumPage(self._browser.new_context(**_context_options(viewport)), viewport)
        else:
            Path(user_data_dir).mkdir(parents=True, exist_ok=True)
            context = self._playwright.chromium.launch_persistent_context(
                str(user_data_dir), executable_path=str(CHROMIUM), args=ARGS, headless=True, **_context_options(viewport)
            )
            page = ChromiumPage(context, viewport)
        self._pages.append(page)
        return page

    def _close_browser(self) -> None:
        self._browser.close()

    def _release(self) -> None:
        _Playwright.release()
