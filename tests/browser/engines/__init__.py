"""One Python interface over the three browser engines participants use, for end-to-end tests.

    from engines import ENGINES, launch, open_page

    browser = launch("firefox", workdir)           # "chromium" | "firefox" | "webkit"
    page = browser.open_page()                     # isolated context, 360×740 (see below)
    page.goto(url)
    page.wait_for("!document.querySelector('#task-view').hidden", timeout_s=30)
    page.set_input_files("#add-photos", [str(png)])
    page.wait_for("document.querySelectorAll('#train-grid fl-image-card').length === 1")
    assert page.evaluate("(n) => n + 1", 1) == 2
    page.close(); browser.close()

| engine     | browser                    | driven by                                           | viewport 360×740 means |
|------------|----------------------------|-----------------------------------------------------|------------------------|
| `chromium` | Debian /usr/bin/chromium   | Playwright (sync API), harness.CHROMIUM_ARGS + no DNS | 360×740, is_mobile, has_touch |
| `firefox`  | Debian /usr/bin/firefox-esr| npm puppeteer-core over WebDriver BiDi, via firefox_bridge.mjs (node) | 360×740 window content, no touch |
| `webkit`   | WebKitGTK MiniBrowser      | PyPI selenium + /usr/bin/WebKitWebDriver, on Xvfb   | window sized to it: ~447×740 (MiniBrowser's minimum width), no touch |

Pages from one Browser share nothing: a new browser context each (Chromium, Firefox) or a WebDriver
session of its own (WebKit, whose sessions are ephemeral). With ``user_data_dir`` a page gets a
browser profile in that folder (another browser process); Chromium and Firefox keep it across pages.
The web client's components use light DOM only (no shadowRoot in webclient/src/components), so
plain CSS selectors reach everything.

Page methods: goto, reload, evaluate, wait_for, click, fill, select, set_input_files (one change event
with all files, in every engine), press and type_text (real key presses to the focused element, for
keyboard-only runs: Playwright's keyboard, puppeteer's keyboard, WebDriver actions), text, count,
screenshot, console_messages ("<type>: <text>", page errors as "pageerror: ..."; WebKit sees only what
comes after the load event), close.

Waiting: ``wait_for(js_condition, timeout_s)`` is the only way to wait; it polls in the page and on
timeout raises WaitTimeout with the last value and the console. Every URL a test opens must be on
127.0.0.1; each engine is set up to send nothing anywhere else (checked with strace: the only other
connect() is Chromium's UDP probe of 2001:4860:4860::8888, which sends no packet).
A missing browser, driver or package raises EngineError (the fixtures turn it into a failure).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .base import DEFAULT_VIEWPORT, KEYS, Browser, EngineError, JSError, Page, WaitTimeout

ENGINES = ("chromium", "firefox", "webkit")

__all__ = [
    "ENGINES",
    "DEFAULT_VIEWPORT",
    "KEYS",
    "Browser",
    "Page",
    "EngineError",
    "JSError",
    "WaitTimeout",
    "launch",
    "open_page",
]


def launch(engine: str, workdir: str | Path | None = None) -> Browser:
    """Start one browser of ``engine``; ``workdir`` (created if missing) holds its profile and logs."""
    workdir = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix=f"{engine}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if engine == "chromium":
        from .chromium import ChromiumBrowser

        return ChromiumBrowser(workdir)
    if engine == "firefox":
        from .firefox import FirefoxBrowser

        return FirefoxBrowser(workdir)
    if engine == "webkit":
        from .webkit import WebKitBrowser

        return WebKitBrowser(workdir)
    raise ValueError(f"unknown engine {engine!r}: one of {ENGINES}")


def open_page(engine: str, viewport: tuple[int, int] = DEFAULT_VIEWPORT, user_data_dir: str | Path | None = None) -> Page:
    """A page in a browser of its own (closing the page stops that browser). Tests that open several
    pages should ``launch`` once and call ``Browser.open_page`` instead: it is much faster."""
    browser = launch(engine)
    try:
        page = browser.open_page(viewport, user_data_dir)
    except BaseException:
        browser.close()
        raise
    inner_close = page.close

    def close() -> None:
        try:
            inner_close()
        finally:
            browser.close()

    page.close = close  # type: ignore[method-assign]
    page.browser = browser  # type: ignore[attr-defined]
    return page
