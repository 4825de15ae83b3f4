"""A lesson as a class runs it, in each of the three engines students' devices use (Blink, Gecko,
WebKit — engines/): two students open the QR code's link on a phone-sized screen, type their names,
accept the study notice, read the first-run guide, photograph different things (disjoint classes),
label them while the class model has not learned anything (so it offers no suggestion to accept), and
train and send three rounds in the same open page, one adding a photo between rounds 1 and 2. After
sending, the result says in plain words what happened. A reload brings back their photos, labels and
features without preparing any photo again; the server holds 6 applied updates from 2 participants,
and the class model recognises every class on the server's test set. Then each tests the class model
on photos of their own and opens "You and your data", which shows their study name; Ben leaves the
study there, and the study's export then holds nothing of his, while the model keeps what he taught it.

Ada goes through the whole flow once with the keyboard alone — join, notice, guide, adding photos,
labelling, "Delete this photo?", the first Train and send, testing, "Why?" on a test photo, "You and your
data" — (Tab, Shift+Tab, arrows, Enter, Escape; in Chromium Enter opens the file chooser, elsewhere the
operating system's dialog cannot be driven, so the files go to the focused input), in English, and axe-core
checks every screen she sees; rounds 2 and 3 she does by touch.
Ben uses the page in German (``?lang=de``), and on every screen he sees no English sentence of the
web client's catalogue is left (page_checks.py).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass

import pytest
from harness import FEATURES_READY, PARTICIPANT_ID, PHOTOS_PREPARED, TRAIN_OUTCOME, class_names, start_server, write_pngs
from page_checks import FOCUSED, assert_accessible, assert_no_english, catalogues, focused, tab_to

#: trouser, bag, sneaker, dress: each student photographs two of them and never the others'.
CLASS_IDS = [1, 8, 7, 3]
CLASSES = class_names(CLASS_IDS)
TITLE = "Clothes and bags"
NOTICE = "A study of how classes learn together (test run). We record what you do in the app, never your photos."
PER_CLASS = 4
ROUNDS = 3

RESULT = "() => document.querySelector('#train-result').innerText"
#: suggestions offered, visible Accept buttons and whether "Accept all suggestions" shows
NOTHING_OFFERED = """() => ({suggestions: document.querySelectorAll('#train-grid fl-image-card[data-suggestion]').length,
  accept_buttons: [...document.querySelectorAll('#train-grid fl-image-card button.accept')].filter((b) => b.offsetParent !== null).length,
  accept_all: !document.querySelector('#accept-all').hidden})"""
VISIBLE = "(s) => { const e = document.querySelector(s); return !!e && e.getClientRects().length > 0; }"


@dataclass
class Student:
    name: str
    class_ids: list[int]
    lang: str
    keyboard: bool  # everything by keyboard, with axe-core on every screen
    page: object = None

    def words(self, key: str, **params) -> str:
        """A catalogue entry in the student's language, filled in as the page fills it."""
        entry = catalogues()[self.lang][key]
        if isinstance(entry, dict):
            entry = entry["one" if params.get("n") == 1 else "other"]
        return re.sub(r"\{(\w+)\}", lambda m: str(params.get(m.group(1), m.group(0))), entry)

    def check(self, screen: str) -> None:
        """Every screen: axe-core finds nothing serious or critical; Ben's, in German, have no English left."""
        assert_accessible(self.page, screen)
        if self.lang == "de":
            assert_no_english(self.page, screen, exclude=[*CLASSES, TITLE, NOTICE, self.name])


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory, fashion_mnist):
    """The class server with a new session's defaults (nothing tuned for the test), study logging on
    (so each student sees the notice and their study name), and a test set."""
    srv = start_server(
        tmp_path_factory.mktemp("lesson-server"),
        {"title": TITLE, "classes": CLASSES, "study_logging": True, "consent_notice": NOTICE},
    )
    srv.put_test_set(per_class=25, seed=99, ids=CLASS_IDS)
    yield srv
    srv.stop()


def press_enter_on(s: Student, selector: str) -> None:
    tab_to(s.page, selector)
    s.page.press("Enter")


def choose_files(s: Student, selector: str, paths: list[str]) -> None:
    """Give files to the file input that has the focus. In Chromium, Enter on it opens the file chooser,
    which Playwright answers; elsewhere the operating system's dialog cannot be driven, so the files are
    handed to the focused input directly."""
    assert s.page.evaluate(f"() => document.activeElement === document.querySelector('{selector}')"), focused(s.page)
    if s.page.engine == "chromium":
        # waits for the chooser this key opens (fails after 10 s: Enter opened none)
        with s.page.playwright_page.expect_file_chooser(timeout=10_000) as chooser:
            s.page.press("Enter")
        chooser.value.set_files(paths)
    else:
        s.page.set_input_files(selector, paths)


def choose_option(s: Student, select: str, value: str, options: list[str]) -> None:
    """Arrow keys on a focused <select> (no dropdown opened), from the option it shows to ``value``."""
    tab_to(s.page, select)
    steps = options.index(value) - s.page.evaluate(f"() => document.querySelector('{select}').selectedIndex")
    for _ in range(abs(steps)):
        s.page.press("ArrowDown" if steps > 0 else "ArrowUp")
    s.page.wait_for(f"() => document.querySelector('{select}').value === '{value}'", 10)


def open_tab(s: Student, name: str) -> None:
    if not s.keyboard:
        s.page.click(f"button[data-tab={name}]")
        return
    # one Tab stop for the row of tabs (the selected one); arrows move between them
    tab_to(s.page, ".tabs [role=tab][aria-selected=true]")
    order = ["photos", "train", "test"]
    current = s.page.evaluate("() => document.querySelector('.tabs [aria-selected=true]').dataset.tab")
    step = "ArrowRight" if order.index(name) > order.index(current) else "ArrowLeft"
    for _ in range(abs(order.index(name) - order.index(current))):
        s.page.press(step)
    assert s.page.evaluate(
        f"() => document.activeElement.dataset.tab === '{name}' && !document.querySelector('#tab-{name}').hidden"
    )


def wait_focus(s: Student, expected: str, why: str = "") -> None:
    """The focus lands on ``expected`` (a FOCUSED description), soon after the key that moved it."""
    try:
        s.page.wait_for(f"() => ({FOCUSED})() === {expected!r}", 5)
    except AssertionError:
        raise AssertionError(f"[{s.page.engine}] the focus is on {focused(s.page)}, not {expected}: {why}") from None


def join(browser, server, s: Student) -> None:
    """Open the QR code's link, type a name, accept the study notice; the first-time guide shows."""
    s.page = page = browser.open_page((360, 740))
    if page.engine == "chromium":
        # listening from the start: Playwright intercepts file choosers only once someone listens, and
        # interception that starts at the key press can miss the chooser it opens (choose_files waits for it)
        page.playwright_page.on("filechooser", lambda chooser: None)
    page.goto(server.join_url() + ("&lang=de" if s.lang == "de" else ""))
    page.wait_for(VISIBLE, 60, args=["fl-join-panel input[name=nickname]"])
    s.check("join")
    if s.keyboard:
        tab_to(page, "fl-join-panel input[name=nickname]")
        page.type_text(s.name)
        page.press("Enter")
    else:
        page.fill("fl-join-panel input[name=nickname]", s.name)
        page.click("fl-join-panel button.join")
    page.wait_for(VISIBLE, 60, args=["fl-join-panel button.accept-consent"])
    s.check("study notice")
    if s.keyboard:
        press_enter_on(s, "fl-join-panel button.accept-consent")
    else:
        page.click("fl-join-panel button.accept-consent")
    page.wait_for("() => !document.querySelector('#task-view').hidden", 60)
    # a first-time participant sees the guide: what to do, what the tabs are for, that photos stay here
    page.wait_for(VISIBLE, 30, args=["#guide"])
    guide = page.text("#guide")
    assert s.words("guideAdd", n=5, classes="").split(":")[0] in guide, guide
    assert s.words("guidePrivacy") in guide
    s.check("first-run guide")
    if s.keyboard:
        press_enter_on(s, "#guide-done")
        wait_focus(s, "p#next-step.next-step", "after the guide, the focus goes to what to do now")
    else:
        page.click("#guide-done")


def add_photos(s: Student, photos, untrained: bool = False) -> None:
    """Add photos through the file input, then review each card: accept a right suggestion, else pick the
    class. ``untrained``: nobody has trained yet (version 0), so no label may be offered to accept."""
    page = s.page
    before = page.count("#train-grid fl-image-card")
    paths = [str(p) for p, _ in photos]
    if s.keyboard and untrained:
        tab_to(page, "#add-photos")
        choose_files(s, "#add-photos", paths)
    else:
        page.set_input_files("#add-photos", paths)
    page.wait_for(f"() => document.querySelectorAll('#train-grid fl-image-card').length === {before + len(photos)}", 60)
    page.wait_for(FEATURES_READY, 180, args=[before + len(photos)])
    if untrained:
        assert page.evaluate(NOTHING_OFFERED) == {"suggestions": 0, "accept_buttons": 0, "accept_all": False}
        assert page.text("#suggestion-note") == s.words("suggestNotLearned")
        s.check("photos before the class model has learned")
    elif page.count("#train-grid fl-image-card[data-suggestion]"):
        s.check("photos with suggestions to accept")
    if s.keyboard and untrained:
        # delete sits in the photo's corner and asks first: Keep leaves the photo, and the focus on ✕
        first = f'fl-image-card[data-name="{photos[0][0].name}"]'
        press_enter_on(s, f"{first} button.delete")
        wait_focus(s, "button.keep-photo", "the safe answer first")
        s.check("delete this photo?")
        page.press("Enter")
        wait_focus(s, "button.delete", "Keep gives the focus back to ✕")
        assert page.count("#train-grid fl-image-card") == before + len(photos)
    for path, label in photos:
        card = f'fl-image-card[data-name="{path.name}"]'
        suggested = page.evaluate(f"() => document.querySelector('{card}').dataset.suggestion")
        if s.keyboard and untrained:
            choose_option(s, f"{card} select", label, ["", *CLASSES])
        elif suggested == label:
            page.click(f"{card} button.accept")
        else:
            page.select(f"{card} select", label)
        page.wait_for(f"() => document.querySelector('{card}').dataset.confirmed === 'true'", 30)


def train_and_send(s: Student, contributors: int, first: bool = False) -> str:
    page = s.page
    open_tab(s, "train") if first else page.click("button[data-tab=train]")
    page.wait_for("() => !document.querySelector('#train-button').disabled", 120)
    if s.keyboard and first:
        press_enter_on(s, "#train-button")
    else:
        page.click("#train-button")
    outcome = page.wait_for(TRAIN_OUTCOME, 180)
    text = page.evaluate(RESULT)
    assert outcome == "applied", (outcome, text, page.console_messages()[-20:])
    # in plain words: what happened, and what to do next
    assert text.startswith(s.words("resultApplied")), text
    assert s.words("resultContributors", n=contributors) in text, text  # how many have taught the class model
    assert s.words("resultNoTestPhotos") in text, text
    # the researcher's numbers stay off the student's screen (the study log has them)
    assert not re.search(r"version|staleness|weight|Gewicht", page.evaluate("document.body.innerText"), re.I)
    if first:
        s.check("after sending")
    open_tab(s, "photos") if first else page.click("button[data-tab=photos]")
    return text


def check_own_photos(s: Student, photos) -> None:
    """The Test tab: the true label for the next photos, the photos, Test the class model."""
    page = s.page
    open_tab(s, "test")
    for cls in sorted({c for _, c in photos}, key=CLASSES.index):
        paths = [str(p) for p, c in photos if c == cls]
        if s.keyboard:
            choose_option(s, "#test-label", cls, ["", *CLASSES])
            tab_to(page, "#add-test-photos")
            choose_files(s, "#add-test-photos", paths)
        else:
            page.select("#test-label", cls)
            page.set_input_files("#add-test-photos", paths)
    page.wait_for(f"() => document.querySelectorAll('#test-grid fl-image-card').length === {len(photos)}", 60)
    page.wait_for("() => !document.querySelector('#evaluate-button').disabled", 120)
    if s.keyboard:
        press_enter_on(s, "#evaluate-button")
    else:
        page.click("#evaluate-button")
    page.wait_for(VISIBLE, 60, args=["#test-accuracy"])
    page.wait_for(f"() => document.querySelectorAll('#test-grid fl-image-card[data-predicted]').length === {len(photos)}", 30)
    s.check("test result")
    # "Why?" on a test photo (issue 16): where the class model looked, with the keyboard for Ada
    why = "#test-grid fl-image-card button.why"
    page.wait_for(f"() => !document.querySelector('{why}').hidden", 30)
    if s.keyboard:
        press_enter_on(s, why)
    else:
        page.click(why)
    page.wait_for("() => document.querySelector('#why-view').dataset.state === 'ready'", 60)
    s.check("why?")
    if s.keyboard:
        page.press("Escape")
        wait_focus(s, "button.why", "closing Why? gives the focus back to it")
    else:
        page.click("#why-close")
    page.wait_for("() => !document.querySelector('#why-dialog').open", 10)


def about_you(s: Student, server, withdraw: bool = False) -> None:
    """ "You and your data" behind the name in the top bar: who you are, the study name, photos stay here;
    with ``withdraw``, leave the study: what it recorded is deleted, what the model learned stays."""
    page = s.page
    if s.keyboard:
        press_enter_on(s, "#profile-button")
    else:
        page.click("#profile-button")
    page.wait_for("() => document.querySelector('#about-dialog').open", 10)
    assert s.words("aboutPhotos") in page.text("#about-dialog")
    pseudonym = f"P{page.evaluate(PARTICIPANT_ID)}"
    assert s.words("studyPseudonym", pseudonym=pseudonym) in page.text("#about-dialog")
    assert s.words("studyWithdrawExplain") in page.text("#about-dialog")  # what leaving deletes, and what stays
    s.check("you and your data")
    if withdraw:
        assert any(r["participant"] == pseudonym for r in study_export(server))
        page.click("#withdraw-button")
        page.wait_for(VISIBLE, 10, args=["#withdraw-yes"])
        s.check("leave the study?")
        page.click("#withdraw-yes")
        page.wait_for(f"() => document.querySelector('#withdraw-result').innerText === {s.words('withdrawDone')!r}", 30)
        s.check("left the study")
        assert not [r for r in study_export(server) if r["participant"] == pseudonym], "the study still has rows of theirs"
    if s.keyboard:
        page.press("Escape")
        page.wait_for("() => !document.querySelector('#about-dialog').open", 10)
        wait_focus(s, "button#profile-button.profile", "closing the dialog gives the focus back")
    else:
        page.click("#about-close")


def study_export(server) -> list[dict]:
    return [json.loads(line) for line in server.admin_bytes("GET", "/study/events.jsonl").decode().splitlines()]


def wait_for_server_accuracy(server, version: int, timeout_s: float = 120) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        scored = [row for row in server.admin("GET", "/accuracy") if row["version"] == version]
        if scored:
            return scored[-1]
        time.sleep(0.5)
    raise AssertionError(f"the server did not score version {version} within {timeout_s} s")


def test_two_students_three_rounds_in_one_page_then_reload(browser, server, tmp_path):
    students = [Student("Ada", [1, 8], "en", keyboard=True), Student("Ben", [7, 3], "de", keyboard=False)]
    photos = {
        s.name: write_pngs(tmp_path / s.name, "train", PER_CLASS, seed=10 + i, ids=s.class_ids) for i, s in enumerate(students)
    }
    extra = {
        s.name: write_pngs(tmp_path / f"{s.name}-later", "train", 1, seed=50 + i, ids=s.class_ids[:1])
        for i, s in enumerate(students)
    }
    for s in students:
        join(browser, server, s)
    for s in students:
        add_photos(s, photos[s.name], untrained=True)

    results = []
    for round_number in range(1, ROUNDS + 1):
        for i, s in enumerate(students):
            results.append(train_and_send(s, contributors=i + 1 if round_number == 1 else len(students), first=round_number == 1))
            if round_number == 1:  # a photo added between rounds: extraction after training must work
                add_photos(s, extra[s.name])
    assert len(results) == 2 * ROUNDS

    # a reload brings everything back from the device's storage: nothing is prepared again
    for s in students:
        page = s.page
        n = len(photos[s.name]) + 1
        page.reload()
        page.wait_for("() => !document.querySelector('#task-view').hidden", 60)
        page.wait_for(f"() => document.querySelectorAll('#train-grid fl-image-card[data-confirmed=true]').length === {n}", 60)
        page.wait_for(FEATURES_READY, 60, args=[n])
        assert page.evaluate(PHOTOS_PREPARED) == 0, "a reload must not prepare photos again"
        assert page.evaluate("() => document.querySelector('#guide').hidden"), "the guide, once dismissed, stays away"
        labels = page.evaluate("() => [...document.querySelectorAll('#train-grid fl-image-card')].map((c) => c.dataset.label)")
        assert sorted(labels) == sorted([c for _, c in photos[s.name] + extra[s.name]])

    participants = server.admin("GET", "/participants")
    assert sorted(p["nickname"] for p in participants) == sorted(s.name for s in students)
    updates = server.admin("GET", "/updates")
    assert [u["status"] for u in updates] == ["applied"] * 6, updates
    assert {u["participant_id"] for u in updates} == {p["id"] for p in participants}
    final = max(v["version"] for v in server.admin("GET", "/versions"))

    # learning together: every class is recognised, not just the last student's two
    scored = wait_for_server_accuracy(server, final)
    recall = {c: r["correct"] / r["total"] for c, r in scored["per_class"].items()}
    assert min(recall.values()) >= 0.5, recall

    for i, s in enumerate(students):
        check_own_photos(s, write_pngs(tmp_path / f"{s.name}-test", "test", 1, seed=70 + i, ids=s.class_ids))
        about_you(s, server, withdraw=not s.keyboard)
        errors = [m for m in s.page.console_messages() if m.startswith("pageerror:")]
        assert not errors, errors
    # Ben left the study: nothing of his is in it; Ada's record is whole, and the model kept what Ben taught it
    rows = study_export(server)
    assert {r["participant"] for r in rows} == {f"P{p['id']}" for p in participants if p["nickname"] == "Ada"}
    assert [u["status"] for u in server.admin("GET", "/updates")] == ["applied"] * 6
    assert max(v["version"] for v in server.admin("GET", "/versions")) == final
    for s in students:
        s.page.close()
