"""What every engine's Page shares: how a script becomes a function call, JSON results, and polling.

A script given to ``evaluate``/``wait_for`` may be
- a function expression (``() => ...``, ``async (n) => {...}``, ``function (a) {...}``): called with the args;
- a function body with a ``return`` at its top level (Selenium style; ``arguments[0]`` works);
- an expression (``document.title``).
Whatever it gives is awaited and sent back through JSON (``undefined`` becomes ``None``; a Set or
Map becomes ``{}``: spread it into an array first). The script runs as the driver's own code, so
the app's Content-Security-Policy (no 'unsafe-eval') does not get in its way.
"""

from __future__ import annotations

import json
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_VIEWPORT = (360, 740)
#: The keys ``Page.press`` knows (Playwright's names; each engine maps them to its driver's).
KEYS = ("Tab", "Enter", "Space", "Escape", "ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight", "Home", "End")
#: How long one in-page poll of ``wait_for`` runs before the driver looks at its own deadline again.
POLL_CHUNK_S = 1.0


class EngineError(RuntimeError):
    """A browser or its driver is missing, did not start, or stopped answering."""


class JSError(RuntimeError):
    """A script threw in the page (or the driver could not run it there)."""


class WaitTimeout(AssertionError):
    """``wait_for`` ran out of time; the message has the condition, its last value and the console."""


def _top_level_return(src: str) -> bool:
    """True if ``return`` appears outside every brace, string, template and comment: a function body."""
    depth, i, n = 0, 0, len(src)
    while i < n:
        c = src[i]
        if c in "\"'`":
            i += 1
            while i < n and src[i] != c:
                i += 2 if src[i] == "\\" else 1
        elif src.startswith("//", i):
            i = src.find("\n", i)
            if i < 0:
                return False
        elif src.startswith("/*", i):
            i = src.find("*/", i + 2)
            if i < 0:
                return False
            i += 1
        elif c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif (
            depth == 0
            and src.startswith("return", i)
            and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] in "_$"))
            and (i + 6 == n or not (src[i + 6].isalnum() or src[i + 6] in "_$"))
        ):
            return True
        i += 1
    return False


def _is_function_expression(src: str) -> bool:
    return re.match(r"^(async\s+)?(function\b|\([^()]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)", src) is not None


def as_function(script: str) -> str:
    """JS source of an async function that takes the evaluate args and gives the script's value."""
    src = script.strip()
    if _top_level_return(src):
        return f"(async (...__a) => await (async function () {{\n{src}\n}}).apply(null, __a))"
    src = src.rstrip(";").rstrip()
    if _is_function_expression(src):
        return f"(async (...__a) => await ({src}\n)(...__a))"
    return f"(async (...__a) => await ({src}\n))"


def json_call(script: str) -> str:
    """An async function (source) whose result is ``JSON.stringify({v: <script's value>})``."""
    return f"async (...__a) => JSON.stringify({{v: await {as_function(script)}(...__a)}})"


def poller(script: str) -> str:
    """An async function (source) ``(chunkMs, ...args)`` that re-checks the condition until it is truthy
    or chunkMs have passed, and gives ``JSON.stringify({done, last})``."""
    return f"""async (__chunk, ...__a) => {{
  const __f = {as_function(script)};
  const __until = Date.now() + __chunk;
  let last;
  for (;;) {{
    let ok = false;
    try {{ last = await __f(...__a); ok = !!last; }} catch (e) {{ last = 'threw: ' + (e && e.message || e); }}
    if (ok) return JSON.stringify({{done: true, last}});
    if (Date.now() >= __until) return JSON.stringify({{done: false, last: last === undefined ? null : last}});
    await new Promise((r) => setTimeout(r, 25));
  }}
}}"""


TEXT_OF = (
    """(s) => { const e = document.querySelector(s); if (!e) throw new Error('no element matches ' + s); return e.innerText; }"""
)


def check_key(key: str) -> tuple[bool, str]:
    """``"Shift+Tab"`` -> ``(True, "Tab")``; a key outside KEYS is a ValueError."""
    shift, _, name = key.rpartition("+")
    if shift not in ("", "Shift") or name not in KEYS:
        raise ValueError(f"press() knows {KEYS} (optionally with 'Shift+'), not {key!r}")
    return shift == "Shift", name


class Page(ABC):
    """One tab in its own browser context (or profile). Every method blocks until done."""

    engine: str
    #: What the engine made of the requested viewport (the engines differ: see engines/__init__.py).
    viewport_note: str = ""

    # ---------------------------------------------------------------- engine-specific

    @abstractmethod
    def _call(self, function_source: str, args: Sequence[Any]) -> str:
        """Run an async JS function (source text) with JSON-able args; give the string it resolves to."""

    @abstractmethod
    def goto(self, url: str) -> None:
        """Navigate and wait for the load event."""

    @abstractmethod
    def reload(self) -> None:
        """Reload and wait for the load event."""

    @abstractmethod
    def click(self, css_selector: str) -> None:
        """A real click on the first match (it must exist and be visible: wait_for it first)."""

    @abstractmethod
    def fill(self, css_selector: str, text: str) -> None:
        """Replace the value of an input or textarea by typing ``text``."""

    @abstractmethod
    def select(self, css_selector: str, value: str) -> None:
        """Choose the option with this value in a <select> (fires input and change)."""

    @abstractmethod
    def set_input_files(self, css_selector: str, paths: list[str]) -> None:
        """Give files to an <input type=file> (hidden ones too): one change event with all of them."""

    @abstractmethod
    def press(self, key: str) -> None:
        """A real key press to whatever has the focus, as a keyboard-only user makes it: one of KEYS,
        or ``"Shift+Tab"``."""

    @abstractmethod
    def type_text(self, text: str) -> None:
        """Type ``text`` into whatever has the focus, key by key."""

    @abstractmethod
    def screenshot(self, path: str | Path) -> None:
        """A PNG of the viewport."""

    @abstractmethod
    def console_messages(self) -> list[str]:
        """``"<type>: <text>"`` for every console message and uncaught page error so far."""

    @abstractmethod
    def _close(self) -> None:
        """Close the page and its context (and its browser if the page owns one); called once."""

    # ---------------------------------------------------------------- shared

    _closed = False

    def close(self) -> None:
        """Close the page and its context (and its browser if the page owns one); again: nothing."""
        if self._closed:
            return
        self._closed = True
        self._close()

    def evaluate(self, script: str, *args: Any) -> Any:
        """The value of a JS expression, function or function body (see module doc), awaited, via JSON."""
        return json.loads(self._call(json_call(script), list(args))).get("v")

    def wait_for(self, condition: str, timeout_s: float = 30.0, *, args: Sequence[Any] = ()) -> Any:
        """Poll a JS condition (expression, function or body, as for evaluate) until it is truthy; give
        that value. On timeout raise WaitTimeout with the condition, its last value and the console."""
        deadline = time.monotonic() + timeout_s
        source = poller(condition)
        last: Any = None
        while True:
            remaining = deadline - time.monotonic()
            chunk_ms = int(max(0.05, min(POLL_CHUNK_S, remaining)) * 1000)
            try:
                result = json.loads(self._call(source, [chunk_ms, *args]))
                if result["done"]:
                    return result["last"]
                last = result["last"]
            except JSError as e:
                if "SyntaxError" in str(e) or "Unexpected token" in str(e):
                    raise
                # e.g. the page navigated while the condition ran: look again in a moment
                last = f"driver error: {e}"
                time.sleep(0.1)
            if time.monotonic() >= deadline:
                console = "\n  ".join(self.console_messages()[-20:]) or "(none)"
                raise WaitTimeout(
                    f"[{self.engine}] timed out after {timeout_s:g} s waiting for {condition.strip()!r}; "
                    f"last value: {last!r}\n console (last 20):\n  {console}"
                )

    def text(self, css_selector: str) -> str:
        """innerText of the first match (raises JSError if none matches)."""
        return self.evaluate(TEXT_OF, css_selector)

    def count(self, css_selector: str) -> int:
        return self.evaluate("(s) => document.querySelectorAll(s).length", css_selector)

    def __enter__(self) -> Page:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Browser(ABC):
    """One running engine; ``open_page`` gives pages that share nothing with each other."""

    engine: str
    version: str = ""
    #: Seconds from launch() to a browser ready for pages (WebKit: Xvfb plus a first session).
    launch_seconds: float = 0.0

    @abstractmethod
    def open_page(self, viewport: tuple[int, int] = DEFAULT_VIEWPORT, user_data_dir: str | Path | None = None) -> Page:
        """A page in a fresh, isolated browser context; with ``user_data_dir``, in a browser profile kept
        in that folder instead (a separate browser process; Chromium and Firefox reuse what a previous
        page left there)."""

    @abstractmethod
    def _release(self) -> None:
        """Stop what the browser runs on (its driver, bridge or display), even if closing it failed."""

    def _close_browser(self) -> None:  # noqa: B027 (a hook: most engines have nothing to do here)
        """Close the browser itself, once its pages are closed (where it outlives them)."""

    _closed = False
    _pages: list[Page]

    def close(self) -> None:
        """Close every page and stop the browser; again: nothing."""
        if self._closed:
            return
        self._closed = True
        try:
            for page in self._pages:
                try:
                    page.close()
                except Exception:
                    pass
            self._close_browser()
        finally:
            self._release()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
