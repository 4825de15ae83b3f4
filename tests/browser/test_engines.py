"""The participant page in the three engines participants use — Blink (Debian Chromium, Playwright),
Gecko (Debian firefox-esr, puppeteer-core over WebDriver BiDi) and WebKit (WebKitGTK through
WebKitWebDriver and selenium, on Xvfb) — against a real `influx-desktop serve` on 127.0.0.1, all
through the one interface in engines/. Each browser starts once for the module; every test opens
fresh contexts. A missing browser or driver fails the test (scripts/setup.sh --tests installs them).
"""

from __future__ import annotations

import time

import pytest
from engines import JSError, WaitTimeout
from harness import FEATURE_ERRORS, FEATURES_READY, PARTICIPANT_ID, PHOTOS_PREPARED, class_names, start_server, write_pngs

TITLE = "Engines check"
CLASSES = class_names()

TASK_OR_FORM = """() => {
  if (!document.querySelector('#task-view').hidden) return 'task';
  const panel = document.querySelector('fl-join-panel');
  const error = panel && panel.querySelector('.join-message.error');
  if (error) return 'error: ' + error.textContent;
  const form = panel && panel.querySelector('form');
  const join = panel && panel.querySelector('button.join');
  if (form && !form.hidden && !panel.querySelector('.code-field').hidden && join && !join.disabled) return 'form';
  return false;
}"""
CARDS = "document.querySelectorAll('#train-grid fl-image-card').length"


@pytest.fixture(scope="module")
def server_dir(tmp_path_factory, webclient_dist):
    return tmp_path_factory.mktemp("engines-server")


@pytest.fixture(scope="module")
def server(browser, server_dir):
    """A server of each engine's own, so that each engine's joins stay under the server's limit of 20
    joins per address and minute; they share one data dir, where the first exports the model (~8 s)
    and the others start in under a second with a new session."""
    srv = start_server(server_dir, {"title": TITLE, "classes": CLASSES})
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def photo(tmp_path_factory, fashion_mnist) -> str:
    path, _ = write_pngs(tmp_path_factory.mktemp("engine-photos"), "train", per_class=1, seed=5)[0]
    return str(path)


def joined_page(browser, url: str, viewport=(360, 740)):
    page = browser.open_page(viewport)
    page.goto(url)
    state = page.wait_for(TASK_OR_FORM, 60)
    assert state == "task", (state, page.console_messages())
    return page


def assert_no_page_errors(page) -> None:
    errors = [m for m in page.console_messages() if m.startswith("pageerror:")]
    assert not errors, errors


def test_launch_time(browser, record_property):
    """How long starting the engine takes (also printed: run with -s, or see the JUnit properties)."""
    record_property(f"{browser.engine}_launch_seconds", round(browser.launch_seconds, 2))
    print(f"\n{browser.engine} {browser.version}: launched in {browser.launch_seconds:.2f} s")
    assert browser.launch_seconds < 60


def test_the_interface_behaves_alike(browser, server):
    """evaluate's three forms, awaiting, JSON results, errors and wait_for's timeout, on the app's page
    (whose Content-Security-Policy forbids eval: driver scripts are not bound by it)."""
    page = browser.open_page()
    try:
        page.goto(server.url + "/?profile=probe")
        assert page.evaluate("1 + 1") == 2
        assert page.evaluate("(a, b) => a + b", 2, 3) == 5
        assert page.evaluate("const x = arguments[0]; return x * 2;", 21) == 42
        slow = "async (n) => { await new Promise((r) => setTimeout(r, 10)); return {n, list: [n, 'x']}; }"
        assert page.evaluate(slow, 7) == {"n": 7, "list": [7, "x"]}
        assert page.evaluate("undefined") is None
        assert page.evaluate("location.origin") == server.url
        with pytest.raises(JSError, match="boom"):
            page.evaluate("() => { throw new Error('boom'); }")
        with pytest.raises(WaitTimeout, match="last value: 0"):
            page.wait_for("document.querySelectorAll('.no-such-thing').length", 0.5)
        assert page.wait_for("(s) => document.querySelector(s) && 'found'", 30, args=["fl-join-panel"]) == "found"
        page.evaluate("console.error('probe message')")
        assert "error: probe message" in page.console_messages()
    finally:
        page.close()


def test_join_add_a_photo_and_reload(browser, server, photo, tmp_path):
    started = time.monotonic()
    page = joined_page(browser, server.join_url("x"))
    joined_after = time.monotonic() - started
    try:
        assert page.text("#task-title") == TITLE
        page.wait_for(f"document.querySelectorAll('fl-class-counts .chip').length === {len(CLASSES)}", 30)
        width, height = page.evaluate("[innerWidth, innerHeight]")
        assert height == 740 and 360 <= width <= 460, (width, height, page.viewport_note)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen

        upload_started = time.monotonic()
        page.set_input_files("#add-photos", [photo])
        page.wait_for(f"{CARDS} === 1", 30)  # stored in IndexedDB (WebKit too: as bytes, not a Blob)
        # the feature extractor (ONNX Runtime Web, wasm) runs on the photo in this engine
        page.wait_for(FEATURES_READY, 180, args=[1])
        extract_seconds = time.monotonic() - upload_started
        assert page.evaluate(FEATURE_ERRORS) == []

        page.reload()
        assert page.wait_for(TASK_OR_FORM, 60) == "task"  # the join came back from IndexedDB
        page.wait_for(f"{CARDS} === 1", 30)  # and so did the photo
        page.wait_for(FEATURES_READY, 30, args=[1])
        assert page.evaluate(PHOTOS_PREPARED) == 0, "features were extracted again after the reload"
        assert_no_page_errors(page)
        print(
            f"\n{browser.engine}: joined in {joined_after:.1f} s, "
            f"one photo stored and its features extracted in {extract_seconds:.1f} s"
        )
    except AssertionError:
        page.screenshot(tmp_path / f"{browser.engine}-failure.png")
        raise
    finally:
        page.close()


def test_two_participants_at_once(browser, server):
    """Two pages of one engine share nothing: the same profile name joins twice as two participants,
    and the second goes through the join form (fill + click)."""
    before = len(server.admin("GET", "/participants"))
    first = joined_page(browser, server.join_url("same"))
    second = browser.open_page()
    try:
        second.goto(server.url + "/?profile=same")  # no join code: this context has no stored join
        assert second.wait_for(TASK_OR_FORM, 60) == "form"
        second.fill("fl-join-panel input[name=code]", server.join_code)
        second.fill("fl-join-panel input[name=nickname]", "second")
        second.click("fl-join-panel button.join")
        assert second.wait_for(TASK_OR_FORM, 60) == "task"
        assert second.text("#task-title") == TITLE
        ids = {first.evaluate(PARTICIPANT_ID), second.evaluate(PARTICIPANT_ID)}
        assert len(ids) == 2, ids
        participants = server.admin("GET", "/participants")
        assert len(participants) == before + 2
        assert "second" in {p.get("nickname") for p in participants}
        # both still live side by side
        assert first.evaluate("document.visibilityState") == second.evaluate("document.visibilityState") == "visible"
        assert_no_page_errors(first)
        assert_no_page_errors(second)
    finally:
        first.close()
        second.close()


def test_profile_folder(browser, server, tmp_path):
    """A page on a profile folder: Chromium and Firefox keep the join for the next page on that folder;
    WebKit's WebDriver sessions are ephemeral, so the next page there asks for the code again."""
    folder = tmp_path / "profile"
    page = browser.open_page(user_data_dir=folder)
    try:
        page.goto(server.join_url("kept"))
        assert page.wait_for(TASK_OR_FORM, 60) == "task"
        participant = page.evaluate(PARTICIPANT_ID)
    finally:
        page.close()
    again = browser.open_page(user_data_dir=folder)
    try:
        again.goto(server.url + "/?profile=kept")
        state = again.wait_for(TASK_OR_FORM, 60)
        if browser.engine == "webkit":
            assert state == "form"
        else:
            assert state == "task"
            assert again.evaluate(PARTICIPANT_ID) == participant
    finally:
        again.close()
