"""What every screen of the participant page must be, checked the same way in each engine (engines/):

- accessible: axe-core (webclient's devDependency, pinned exactly in package.json) finds no serious or
  critical violation — ``assert_accessible(page, "join")``;
- in one language: with German chosen, no English sentence of the catalogue (webclient/src/lang/en.js)
  is left visible, in the text or in what assistive technology reads (alt, aria-label, title) —
  ``assert_no_english(page, exclude=[class names, title, name])``;
- usable by keyboard alone: ``tab_to(page, selector)`` presses Tab (or Shift+Tab) until the focus is there,
  and the focus must be visible where it lands (judged where the browser window is the active one: not
  WebKitGTK's under Xvfb, which has no window manager to activate it).
"""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WEBCLIENT = REPO / "webclient"
AXE = WEBCLIENT / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG impact levels a screen must have none of
BLOCKING = ("serious", "critical")

AXE_RUN = """async (blocking) => {
  const result = await window.axe.run(document, { resultTypes: ['violations'] });
  return result.violations.filter((v) => blocking.includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ')),
  }));
}"""


@functools.lru_cache(maxsize=1)
def _axe_injector() -> str:
    if not AXE.is_file():
        raise RuntimeError(f"{AXE} is missing: run `npm ci` in webclient/ (scripts/setup.sh --tests does)")
    # axe.min.js is a UMD bundle that sets window.axe; run as the body of a driver function, it is not
    # bound by the page's Content-Security-Policy (no inline or eval'd script allowed)
    return "() => {\nif (window.axe) return 'present';\n" + AXE.read_text(encoding="utf-8") + "\n;return typeof window.axe;\n}"


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now (axe is injected once per load)."""
    assert page.evaluate(_axe_injector()) in ("present", "object"), "axe-core did not load"
    return page.evaluate(AXE_RUN, list(BLOCKING))


def assert_accessible(page, screen: str) -> None:
    """No serious or critical axe-core violation. ``page``: an engines/ Page, or a Playwright page."""
    violations = axe_violations(page)
    engine = getattr(page, "engine", "chromium")
    assert not violations, f"[{engine}] {screen}: axe-core found " + json.dumps(violations, indent=1)


# ---------------------------------------------------------------------------------------- language


@functools.lru_cache(maxsize=1)
def catalogues() -> dict[str, dict]:
    """{'en': {...}, 'de': {...}}: the web client's catalogues as node reads them."""
    script = (
        "Promise.all(['en', 'de'].map((c) => import('./src/lang/' + c + '.js')))"
        ".then(([en, de]) => console.log(JSON.stringify({ en: en.default, de: de.default })))"
    )
    out = subprocess.run(["node", "--input-type=module", "-e", script], cwd=WEBCLIENT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _forms(entry) -> list[str]:
    return [entry] if isinstance(entry, str) else list(entry.values())


def english_fragments() -> list[str]:
    """The English catalogue's words between placeholders ("Photo", "labelled", "The class model thinks:"),
    minus what German uses too (e.g. "JPEG, PNG, WebP"); each at least three letters long."""
    import re

    cats = catalogues()
    german = "\n".join(form for entry in cats["de"].values() for form in _forms(entry))
    fragments = set()
    for entry in cats["en"].values():
        for form in _forms(entry):
            for piece in re.split(r"\{\w+\}", form):
                piece = piece.strip(" .,:;!?…—–-·#()“”\"'✓✗✕")
                if len(re.findall(r"[A-Za-z]", piece)) >= 3 and not re.search(
                    rf"(?<![A-Za-z]){re.escape(piece)}(?![A-Za-z])", german
                ):
                    fragments.add(piece)
    return sorted(fragments, key=len, reverse=True)


ENGLISH_LEFT = r"""(fragments, exclude) => {
  const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const parts = [document.body.innerText];
  for (const e of document.querySelectorAll('[alt], [aria-label], [title], [placeholder]')) {
    if (!shown(e)) continue;
    for (const a of ['alt', 'aria-label', 'title', 'placeholder']) if (e.hasAttribute(a)) parts.push(e.getAttribute(a));
  }
  for (const s of document.querySelectorAll('select')) if (shown(s)) parts.push(...[...s.options].map((o) => o.text));
  let text = parts.join('\n');
  for (const x of exclude) text = text.split(x).join(' ');
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return fragments.filter((f) => new RegExp('(^|[^\\p{L}])' + escape(f) + '($|[^\\p{L}])', 'u').test(text));
}"""


def assert_no_english(page, screen: str, exclude: list[str] = ()) -> None:
    """Nothing of the English catalogue is visible (``exclude``: the teacher's words — class names, title —
    and the participant's name, which stay as typed)."""
    assert page.evaluate("document.documentElement.lang") == "de"
    left = page.evaluate(ENGLISH_LEFT, english_fragments(), list(exclude))
    assert not left, f"[{page.engine}] {screen}: English left on a German page: {left}"


# ---------------------------------------------------------------------------------------- keyboard

FOCUS = """(selector) => {
  const e = document.activeElement;
  if (!e || !e.matches(selector)) return null;
  // WebKitGTK's window under Xvfb (no window manager) never becomes the active window: the page's
  // elements get the keys, but :focus and :focus-visible never match there, so nothing can be judged
  if (!document.hasFocus()) return {visible: null};
  // a visually hidden file input shows its focus on its label
  const shown = e.matches('input.visually-hidden') ? document.querySelector('label[for="' + e.id + '"]') : e;
  const style = getComputedStyle(shown);
  return {visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
}"""
FOCUSED = """() => { const e = document.activeElement;
  return e ? e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '') : null; }"""


#: whether the focus is after the element in the document (so Shift+Tab is the way there)
FOCUS_IS_AFTER = """(selector) => {
  const target = document.querySelector(selector);
  const active = document.activeElement;
  if (!target) throw new Error('no element matches ' + selector);
  if (!active || active === document.body) return false;
  return !!(target.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING);
}"""


def tab_to(page, selector: str, backwards: bool | None = None, max_presses: int = 80) -> int:
    """Press Tab (Shift+Tab when ``backwards``; by default, whichever way the element lies from the
    focus) until the focus is on ``selector``; the focus must show (an outline). Gives how many presses
    it took."""
    if backwards is None:
        backwards = page.evaluate(FOCUS_IS_AFTER, selector)
    path = []
    for presses in range(1, max_presses + 1):
        page.press("Shift+Tab" if backwards else "Tab")
        found = page.evaluate(FOCUS, selector)
        if found:
            assert found["visible"] is not False, f"[{page.engine}] the focus on {selector} does not show"
            return presses
        path.append(page.evaluate(FOCUSED))
    raise AssertionError(
        f"[{page.engine}] {max_presses} × {'Shift+' if backwards else ''}Tab never reached {selector}; the focus went {path[:40]}"
    )


def focused(page) -> str | None:
    return page.evaluate(FOCUSED)
