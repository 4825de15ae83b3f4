"""Screenshots of the app's screens into docs/screenshots/, for the README and for looking at them.

Run by a person after changing what a screen shows, not by CI (it takes a few minutes):

    .venv/bin/python scripts/screenshots.py                  # every screen, English and German
    .venv/bin/python scripts/screenshots.py --only student --lang de

Each group of screens is one function taking (out folder, language) and giving the files it wrote;
``GROUPS`` lists them. The student's screens are the participant page in Debian Chromium at 360×740
(a phone), driven through a real lesson against ``influx-desktop serve`` on 127.0.0.1 with
Fashion-MNIST photos: join, the study notice, the first-run guide, photos being prepared, labelling
while the class model has not learned yet, "Delete this photo?", ready to train, the result after
sending, suggestions once the class model has learned, testing, "You and your data", leaving the
study, "Why?" on a photo and "Try it"; then (group ``sessions``) one student in two sessions: "Your
classes" and copying a photo to the other session. Files are named ``<group>-<nn>-<screen>-<language>.png``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from harness import class_names, ensure_bundle, launch_chromium, start_server, write_pngs  # noqa: E402

OUT = REPO / "docs" / "screenshots"
LANGUAGES = ("en", "de")
PHONE = {"width": 360, "height": 740}
#: trouser, bag, sneaker: the same three things the browser tests use
CLASSES = class_names([1, 8, 7])
NOTICE = {
    "en": "This lesson is part of a study on how children learn with AI. We record what you do in the app "
    "(no photos, no names). Your teacher can tell you more.",
    "de": "Diese Stunde ist Teil einer Studie darüber, wie Kinder mit KI lernen. Wir zeichnen auf, was du in der "
    "App machst (keine Fotos, keine Namen). Deine Lehrkraft erzählt dir gern mehr.",
}
TITLE = {"en": "Clothes and bags", "de": "Kleidung und Taschen"}


def scroll_to(page, selector: str, above: int = 120) -> None:
    """Scroll the page so ``selector`` starts ``above`` px below the top (under the sticky top bar and tabs)."""
    page.evaluate(
        "([s, above]) => { const e = document.querySelector(s); if (e) window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - above); }",
        [selector, above],
    )


class Shooter:
    """Writes numbered screenshots of one group and language."""

    def __init__(self, out: Path, group: str, lang: str):
        self.out, self.group, self.lang, self.files, self.n = out, group, lang, [], 0

    def __call__(self, page, screen: str, full_page: bool = False) -> None:
        self.n += 1
        path = self.out / f"{self.group}-{self.n:02d}-{screen}-{self.lang}.png"
        page.wait_for_timeout(150)  # let the last repaint land
        page.screenshot(path=str(path), full_page=full_page)
        self.files.append(path)
        print(f"  {path}")


def student_screens(out: Path, lang: str) -> list[Path]:
    """The participant page on a phone, through one lesson, in ``lang``."""
    from playwright.sync_api import sync_playwright

    ensure_bundle()
    shot = Shooter(out, "student", lang)
    with tempfile.TemporaryDirectory(prefix="influx-screens-") as tmp:
        tmp = Path(tmp)
        server = start_server(
            tmp / "server", {"title": TITLE[lang], "classes": CLASSES, "study_logging": True, "consent_notice": NOTICE[lang]}
        )
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=lang)
                page = context.new_page()
                _lesson(page, server, tmp, lang, shot)
                context.close()
                browser.close()
        finally:
            server.stop()
    return shot.files


def _lesson(page, server, tmp: Path, lang: str, shot: Shooter) -> None:
    page.goto(server.join_url() + f"&lang={lang}")
    page.wait_for_selector("fl-join-panel input[name=nickname]:visible")
    page.fill("fl-join-panel input[name=nickname]", "Mia")
    shot(page, "join")
    page.click("fl-join-panel button.join")
    page.wait_for_selector("fl-join-panel .consent:not([hidden])")
    shot(page, "study-notice")
    page.click("fl-join-panel button.accept-consent")
    page.wait_for_selector("#guide:not([hidden])")
    shot(page, "guide")
    page.click("#guide-done")

    photos = write_pngs(tmp / "photos", "train", 3, seed=11)
    # right after joining the image model is still loading: the photos are seen while they are prepared
    page.set_input_files("#add-photos", [str(p) for p, _ in photos])
    page.wait_for_selector("#feature-progress:not([hidden])")
    shot(page, "preparing")
    page.wait_for_function("() => document.querySelector('#task-view').dataset.extracting === 'false'", timeout=180_000)
    page.wait_for_selector("#suggestion-note:not([hidden])")
    scroll_to(page, "#review-status")
    shot(page, "not-learned-yet")
    for path, label in photos[:-1]:
        page.select_option(f'fl-image-card[data-name="{path.name}"] select', label)
    page.click(f'fl-image-card[data-name="{photos[-1][0].name}"] button.delete')
    scroll_to(page, f'fl-image-card[data-name="{photos[-1][0].name}"]', 300)
    shot(page, "delete-question")
    page.click(f'fl-image-card[data-name="{photos[-1][0].name}"] button.keep-photo')
    page.select_option(f'fl-image-card[data-name="{photos[-1][0].name}"] select', photos[-1][1])
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "labelled")

    page.click("button[data-tab=train]")
    page.wait_for_selector("#train-button:not([disabled])")
    shot(page, "train-ready")
    page.click("#train-button")
    page.wait_for_selector("#train-result[data-outcome]", timeout=180_000)
    shot(page, "train-result")

    page.click("button[data-tab=photos]")
    more = write_pngs(tmp / "more", "train", 2, seed=12)
    page.set_input_files("#add-photos", [str(p) for p, _ in more])
    page.wait_for_function("() => document.querySelector('#task-view').dataset.extracting === 'false'", timeout=180_000)
    page.wait_for_function(
        "n => document.querySelectorAll('#train-grid fl-image-card').length === n", arg=len(photos) + len(more)
    )
    page.wait_for_selector("#train-grid fl-image-card[data-suggestion]")
    scroll_to(page, "#train-grid fl-image-card[data-confirmed=false]", 300)
    shot(page, "suggestions")

    page.click("button[data-tab=test]")
    tests = write_pngs(tmp / "test", "test", 2, seed=13)
    for cls in CLASSES:
        page.select_option("#test-label", cls)
        page.set_input_files("#add-test-photos", [str(p) for p, c in tests if c == cls])
    page.wait_for_function(
        "() => !document.querySelector('#evaluate-button').disabled && document.querySelector('#task-view').dataset.extracting === 'false'",
        timeout=180_000,
    )
    page.click("#evaluate-button")
    page.wait_for_selector("#test-accuracy")
    scroll_to(page, "#evaluate-button")
    shot(page, "test-result")

    page.click("#profile-button")
    page.wait_for_selector("#about-dialog[open]")
    shot(page, "about-you")
    page.click("#withdraw-button")
    page.wait_for_selector("#withdraw-yes:visible")
    page.evaluate("() => document.querySelector('#withdraw-confirm').scrollIntoView({block: 'center'})")
    shot(page, "leave-the-study")
    page.click("#withdraw-yes")
    page.wait_for_function("() => document.querySelector('#withdraw-result').textContent.length > 0")
    shot(page, "left-the-study")
    page.click("#about-close")

    # issue 16: "Why?" on a photo — where the class model looked — and "Try it" on a photo that is not kept
    page.click("button[data-tab=photos]")
    why = f'fl-image-card[data-name="{photos[1][0].name}"] button.why'
    page.wait_for_selector(f"{why}:visible")
    page.click(why)
    page.wait_for_selector("#why-view[data-state=ready]", timeout=60_000)
    shot(page, "why")
    page.click("#why-close")
    page.click("button[data-tab=try]")
    page.wait_for_selector("#try-buttons:not([hidden])")
    page.set_input_files("#try-pick", str(write_pngs(tmp / "try", "test", 1, seed=14)[1][0]))
    page.wait_for_selector("#try-view[data-state=ready]", timeout=60_000)
    page.evaluate("() => window.scrollTo(0, 0)")  # what the tab says first: the photo is not kept
    shot(page, "try-it")


#: issue 18: a second session the same student joins, with other things to photograph
SECOND_TITLE = {"en": "Shoes and dresses", "de": "Schuhe und Kleider"}
SECOND_CLASSES = class_names([7, 3])


def sessions_screens(out: Path, lang: str) -> list[Path]:
    """One student in two sessions (issue 18), on a phone, in ``lang``: the title in the top bar that opens
    "Your classes", the list with the session shown and the other, a photo card's "Use in another class",
    and copying the photo there."""
    from playwright.sync_api import sync_playwright

    ensure_bundle()
    shot = Shooter(out, "sessions", lang)
    with tempfile.TemporaryDirectory(prefix="influx-screens-") as tmp:
        tmp = Path(tmp)
        server = start_server(tmp / "server", {"title": TITLE[lang], "classes": CLASSES})
        try:
            second = _second_session(server, lang)
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=lang)
                page = context.new_page()
                _two_sessions(page, server, second, tmp, lang, shot)
                context.close()
                browser.close()
        finally:
            server.stop()
    return shot.files


def _second_session(server, lang: str) -> str:
    """Make and start the second session through the facilitator API; gives its join code."""
    import json
    import urllib.request

    def admin(method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {server.admin_token}", **({"Content-Type": "application/json"} if data else {})}
        request = urllib.request.Request(f"{server.url}/api/v1/admin{path}", data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    made = admin("POST", "/sessions", {"title": SECOND_TITLE[lang], "classes": SECOND_CLASSES})
    admin("POST", f"/sessions/{made['id']}/start")
    return admin("GET", f"/sessions/{made['id']}")["join_code"]


def _join(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("fl-join-panel input[name=nickname]:visible")
    page.fill("fl-join-panel input[name=nickname]", "Mia")
    page.click("fl-join-panel button.join")
    page.wait_for_selector("#guide:not([hidden]), #task-view:not([hidden])")
    if page.is_visible("#guide-done"):
        page.click("#guide-done")


def _add(page, photos) -> None:
    page.set_input_files("#add-photos", [str(p) for p, _ in photos])
    page.wait_for_function(
        "n => document.querySelectorAll('#train-grid fl-image-card').length === n && "
        "document.querySelector('#task-view').dataset.extracting === 'false'",
        arg=len(photos),
        timeout=180_000,
    )


def _two_sessions(page, server, second_code: str, tmp: Path, lang: str, shot: Shooter) -> None:
    _join(page, server.join_url() + f"&lang={lang}")
    first = write_pngs(tmp / "first", "train", 1, seed=21)
    _add(page, first)
    for path, label in first[:2]:
        page.select_option(f'fl-image-card[data-name="{path.name}"] select', label)
    _join(page, server.join_url(code=second_code))
    _add(page, write_pngs(tmp / "second", "train", 1, seed=22, ids=[7, 3]))
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "top-bar")
    page.click("#sessions-button")
    page.wait_for_selector("#sessions-dialog[open] .go-session")
    shot(page, "your-classes")
    page.click("#sessions-list .go-session")
    page.wait_for_function("n => document.querySelectorAll('#train-grid fl-image-card').length === n", arg=len(first))
    card = f'fl-image-card[data-name="{first[0][0].name}"]'
    scroll_to(page, card, 180)
    shot(page, "use-in-another-class")
    page.click(f"{card} button.reuse")
    page.wait_for_selector("#reuse-dialog[open]")
    shot(page, "copy-question")
    page.click("#reuse-choices button")
    page.wait_for_selector("#reuse-result[data-copied]")
    shot(page, "copied")


def teacher_screens(out: Path, lang: str) -> list[Path]:
    """The facilitator's desktop app at 1440×900 (setup, Advanced, dashboard, projector): scripts/teacher_screens.py."""
    from teacher_screens import teacher_screens as shoot  # this script's folder, scripts/, is on sys.path

    return shoot(out, lang)


#: group name -> function(out folder, language) -> the files it wrote
GROUPS: dict[str, Callable[[Path, str], list[Path]]] = {
    "student": student_screens,
    "sessions": sessions_screens,
    "teacher": teacher_screens,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(GROUPS), action="append", help="a group of screens (repeatable); default: all")
    parser.add_argument("--lang", choices=LANGUAGES, action="append", help="a language (repeatable); default: all")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    for group in args.only or list(GROUPS):
        for lang in args.lang or LANGUAGES:
            print(f"{group} screens, {lang}:")
            written += GROUPS[group](args.out, lang)
    print(f"{len(written)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
