"""A lesson as a class runs it, in each of the three engines students' devices use (Blink, Gecko,
WebKit — engines/): two students open the QR code's link on a phone-sized screen, type their names,
photograph different things (disjoint classes), review the suggested labels, and train and send
three rounds in the same open page, one adding a photo between rounds 1 and 2. A reload brings back
their photos, labels and features without preparing any photo again; the server holds 6 applied
updates from 2 participants, and the class model recognises every class on the server's test set.
"""
from __future__ import annotations

import re
import time

import pytest

from harness import FEATURES_READY, PHOTOS_PREPARED, TRAIN_OUTCOME, class_names, start_server, write_pngs, zip_of_test_images

#: trouser, bag, sneaker, dress: each student photographs two of them and never the others'.
CLASS_IDS = [1, 8, 7, 3]
CLASSES = class_names(CLASS_IDS)
STUDENTS = {"Ada": [1, 8], "Ben": [7, 3]}
PER_CLASS = 4
ROUNDS = 3

RESULT = "() => document.querySelector('#train-result').innerText"
#: suggestions offered, visible Accept buttons and whether "Accept all suggestions" shows
NOTHING_OFFERED = """() => ({suggestions: document.querySelectorAll('#train-grid fl-image-card[data-suggestion]').length,
  accept_buttons: [...document.querySelectorAll('#train-grid fl-image-card button.accept')].filter((b) => b.offsetParent !== null).length,
  accept_all: !document.querySelector('#accept-all').hidden})"""
#: the note that says why nothing is suggested, as a person reads it (the page keeps it until every photo has a label)
NOT_LEARNED_NOTE = "() => document.querySelector('#suggestion-note').innerText"


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory, fashion_mnist):
    """The class server with a new session's defaults (nothing tuned for the test) and a test set."""
    srv = start_server(tmp_path_factory.mktemp("lesson-server"), {"title": "Clothes and bags", "classes": CLASSES})
    srv.admin("PUT", "/testset", zip_of_test_images(per_class=25, seed=99, ids=CLASS_IDS), "application/zip")
    yield srv
    srv.stop()


def join_with_name(browser, url: str, name: str):
    page = browser.open_page((360, 740))
    page.goto(url)
    page.wait_for("() => { const i = document.querySelector('fl-join-panel input[name=nickname]'); return !!i && i.offsetParent !== null; }", 60)
    page.fill("fl-join-panel input[name=nickname]", name)
    page.click("fl-join-panel button.join")
    page.wait_for("() => !document.querySelector('#task-view').hidden", 60)
    return page


def add_photos(page, photos, untrained: bool = False) -> None:
    """Add photos through the file input, then review each card: accept a right suggestion, else pick the
    class. ``untrained``: nobody has trained yet (version 0), so no label may be offered to accept."""
    before = page.count("#train-grid fl-image-card")
    page.set_input_files("#add-photos", [str(p) for p, _ in photos])
    page.wait_for(f"() => document.querySelectorAll('#train-grid fl-image-card').length === {before + len(photos)}", 60)
    if untrained:
        page.wait_for(FEATURES_READY, 180, args=[before + len(photos)])
        assert page.evaluate(NOTHING_OFFERED) == {"suggestions": 0, "accept_buttons": 0, "accept_all": False}
        assert "hasn't learned anything yet" in page.evaluate(NOT_LEARNED_NOTE)
    for path, label in photos:
        card = f'fl-image-card[data-name="{path.name}"]'
        # prepared: the card offers the class model's suggestion, or asks for the label
        page.wait_for(f"() => document.querySelector('{card}').dataset.suggestion !== undefined"
                      f" || / Choose the label\\.$/.test(document.querySelector('{card} .card-hint').textContent)", 120)
        if page.evaluate(f"() => document.querySelector('{card}').dataset.suggestion") == label:
            page.click(f"{card} button.accept")
        else:
            page.select(f"{card} select", label)
        page.wait_for(f"() => document.querySelector('{card}').dataset.confirmed === 'true'", 30)


def train_and_send(page) -> str:
    page.click("button[data-tab=train]")
    page.wait_for("() => !document.querySelector('#train-button').disabled", 120)
    page.click("#train-button")
    outcome = page.wait_for(TRAIN_OUTCOME, 180)
    text = page.evaluate(RESULT)
    assert outcome == "applied", (outcome, text, page.console_messages()[-20:])
    assert text.startswith("Thank you! The class model has learned from your photos."), text
    assert "Tip: add a few test photos in Test" in text, text  # what to do next
    # the researcher's numbers stay off the student's screen (the study log has them)
    assert not re.search(r"version|staleness|weight", page.evaluate("document.body.innerText"), re.I)
    page.click("button[data-tab=photos]")
    return text


def wait_for_server_accuracy(server, version: int, timeout_s: float = 120) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        scored = [row for row in server.admin("GET", "/accuracy") if row["version"] == version]
        if scored:
            return scored[-1]
        time.sleep(0.5)
    raise AssertionError(f"the server did not score version {version} within {timeout_s} s")


def test_two_students_three_rounds_in_one_page_then_reload(browser, server, tmp_path):
    photos = {name: write_pngs(tmp_path / name, "train", PER_CLASS, seed=10 + i, ids=ids)
              for i, (name, ids) in enumerate(STUDENTS.items())}
    extra = {name: write_pngs(tmp_path / f"{name}-later", "train", 1, seed=50 + i, ids=ids[:1])
             for i, (name, ids) in enumerate(STUDENTS.items())}
    pages = {name: join_with_name(browser, server.join_url(), name) for name in STUDENTS}
    for name, page in pages.items():
        add_photos(page, photos[name], untrained=True)
        page.wait_for(FEATURES_READY, 180, args=[len(photos[name])])

    results = []
    for round_number in range(1, ROUNDS + 1):
        for name, page in pages.items():
            results.append(train_and_send(page))
            if round_number == 1:  # a photo added between rounds: extraction after training must work
                add_photos(page, extra[name])
                page.wait_for(FEATURES_READY, 180, args=[len(photos[name]) + 1])
    assert len(results) == 2 * ROUNDS

    # a reload brings everything back from the device's storage: nothing is prepared again
    for name, page in pages.items():
        n = len(photos[name]) + 1
        page.reload()
        page.wait_for("() => !document.querySelector('#task-view').hidden", 60)
        page.wait_for(f"() => document.querySelectorAll('#train-grid fl-image-card[data-confirmed=true]').length === {n}", 60)
        page.wait_for(FEATURES_READY, 60, args=[n])
        assert page.evaluate(PHOTOS_PREPARED) == 0, "a reload must not prepare photos again"
        labels = page.evaluate("() => [...document.querySelectorAll('#train-grid fl-image-card')].map((c) => c.dataset.label)")
        assert sorted(labels) == sorted([c for _, c in photos[name] + extra[name]])

    participants = server.admin("GET", "/participants")
    assert sorted(p["nickname"] for p in participants) == sorted(STUDENTS)
    updates = server.admin("GET", "/updates")
    assert [u["status"] for u in updates] == ["applied"] * 6, updates
    assert {u["participant_id"] for u in updates} == {p["id"] for p in participants}
    final = max(v["version"] for v in server.admin("GET", "/versions"))

    # learning together: every class is recognised, not just the last student's two
    scored = wait_for_server_accuracy(server, final)
    recall = {c: r["correct"] / r["total"] for c, r in scored["per_class"].items()}
    assert min(recall.values()) >= 0.5, recall
    for page in pages.values():
        page.close()
