"""Issue 16, the participant side, in each of the three engines students' devices use (engines/): "Why?" on
a photo card and "Try it" draw the class activation map of the right class over the photo, for the class
model and, after local training, for the participant's own model; a photo tried is neither stored nor sent;
both are study events without pixels. Ada does it by keyboard alone, in English, with axe-core on every new
screen; Ben sees the same views in German (``?lang=de``) with no English sentence of the catalogue left.
The map's numbers themselves are checked against onnxruntime and cam.py in test_cam_native.py."""

from __future__ import annotations

import json

import pytest
from harness import FEATURES_READY, TRAIN_OUTCOME, class_names, start_server, write_pngs
from page_checks import assert_accessible, assert_no_english, tab_to

CLASSES = class_names()
TITLE = "Where does it look?"
NOTICE = "A study of how classes learn (test run). We record what you do in the app, never your photos."
SETTINGS = {"title": TITLE, "classes": CLASSES, "study_logging": True, "consent_notice": NOTICE}

CANVAS = "(view) => { const v = document.querySelector(view); return v.dataset.state === 'ready' && {...v.querySelector('canvas').dataset}; }"
#: Is the map drawn over the photo, and for which class? The photos are grey, so a pixel's red minus blue
#: is the heat colour's alone: red where the map is highest, dark blue where it is lowest (lib/cam.js).
OVERLAY = """(view) => {
  const canvas = document.querySelector(view + ' canvas');
  const map = JSON.parse(canvas.dataset.cam);
  const side = Math.sqrt(map.length);
  const hot = map.indexOf(Math.max(...map)), cold = map.indexOf(Math.min(...map));
  const ctx = canvas.getContext('2d');
  const redness = (cell) => {
    const x = Math.floor(((cell % side) + 0.5) * canvas.width / side), y = Math.floor((Math.floor(cell / side) + 0.5) * canvas.height / side);
    const [r, , b] = ctx.getImageData(x, y, 1, 1).data;
    return r - b;
  };
  const all = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const colours = new Set();
  for (let i = 0; i < all.length; i += 4 * 97) colours.add(all[i] + ',' + all[i + 1] + ',' + all[i + 2]);
  return { hot: redness(hot), cold: redness(cold), colours: colours.size, size: canvas.width, pressed:
    [...document.querySelectorAll(view + ' .explain-scores button[aria-pressed=true]')].map((b) => Number(b.dataset.index)) };
}"""
#: What the profile's IndexedDB holds: each stored photo's size, and how many feature vectors
STORED = """async (profile) => {
  const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const db = await request(indexedDB.open('influx-participant-' + profile));
  try {
    const images = await request(db.transaction('images').objectStore('images').getAll());
    const features = await request(db.transaction('features').objectStore('features').count());
    return { sizes: images.map((r) => r.size), features };
  } finally { db.close(); }
}"""
ALL_SENT = """async (profile) => {
  const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const db = await request(indexedDB.open('influx-participant-' + profile));
  try { return (await request(db.transaction('studyQueue').objectStore('studyQueue').count())) === 0; } finally { db.close(); }
}"""
FOCUSED_DATA = "() => ({...document.activeElement.dataset, id: document.activeElement.id, cls: document.activeElement.className})"


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory, fashion_mnist):
    srv = start_server(tmp_path_factory.mktemp(f"explain-{browser.engine}"), SETTINGS)
    yield srv
    srv.stop()


def join(browser, server, profile: str, lang: str = "en"):
    page = browser.open_page((360, 740))
    page.goto(server.join_url(profile) + ("&lang=de" if lang == "de" else ""))
    page.wait_for(
        "(s) => { const e = document.querySelector(s); return e && e.getClientRects().length > 0; }",
        60,
        args=["fl-join-panel button.accept-consent"],
    )
    page.click("fl-join-panel button.accept-consent")
    page.wait_for("() => !document.querySelector('#task-view').hidden", 60)
    page.wait_for("() => !document.querySelector('#guide').hidden", 30)
    page.click("#guide-done")
    return page


def add_labelled(page, photos) -> None:
    before = page.count("#train-grid fl-image-card")
    page.set_input_files("#add-photos", [str(p) for p, _ in photos])
    page.wait_for(f"() => document.querySelectorAll('#train-grid fl-image-card').length === {before + len(photos)}", 60)
    page.wait_for(FEATURES_READY, 240, args=[before + len(photos)])
    for path, label in photos:
        card = f'fl-image-card[data-name="{path.name}"]'
        page.select(f"{card} select", label)
        page.wait_for(f"() => document.querySelector('{card}').dataset.confirmed === 'true'", 30)


def check_overlay(page, view: str, class_index: int) -> dict:
    """The map of ``class_index`` is drawn over the photo: not flat, red where it is highest, blue where lowest."""
    shown = page.wait_for(CANVAS, 60, args=[view])
    assert int(shown["classIndex"]) == class_index, shown
    assert float(shown["range"]) > 0 and len(json.loads(shown["cam"])) == 49, shown
    drawn = page.evaluate(OVERLAY, view)
    assert drawn["size"] == 320 and drawn["colours"] > 50, drawn
    assert drawn["hot"] > drawn["cold"] + 50, drawn  # red over the highest cell, dark blue over the lowest
    assert drawn["pressed"] == [class_index], drawn  # its score button says which class is shown
    return shown


def study_rows(server) -> list[dict]:
    return [json.loads(line) for line in server.admin_bytes("GET", "/study/events.jsonl").decode().splitlines()]


def test_why_and_try_it_by_keyboard_then_in_german(browser, server, tmp_path):
    photos = write_pngs(tmp_path / "train", "train", per_class=2, seed=31)
    ada = join(browser, server, "ada")
    try:
        add_labelled(ada, photos)
        # before anything was learned there is nothing to explain: no "Why?", and Try it says so
        assert ada.evaluate("() => [...document.querySelectorAll('fl-image-card button.why')].every((b) => b.hidden)")
        ada.click("button[data-tab=train]")
        ada.wait_for("() => !document.querySelector('#train-button').disabled", 120)
        ada.click("#train-button")
        assert ada.wait_for(TRAIN_OUTCOME, 240) == "applied"
        ada.click("button[data-tab=photos]")

        # "Why?" by keyboard on a labelled photo: it opens on the label chosen, with the class model
        path, label = photos[2]
        card = f'fl-image-card[data-name="{path.name}"]'
        ada.wait_for(f"() => !document.querySelector('{card} button.why').hidden", 60)
        tab_to(ada, f"{card} button.why")
        ada.press("Enter")
        ada.wait_for("() => document.querySelector('#why-dialog').open", 10)
        shown = check_overlay(ada, "#why-view", CLASSES.index(label))
        assert shown["model"] == "class" and shown["class"] == label
        assert label in ada.text("#why-view .explain-text") and "warm colours" in ada.text("#why-view .explain-text")
        assert_accessible(ada, "why")
        # another class, by keyboard: its map, and the focus stays on its button
        other = (CLASSES.index(label) + 1) % len(CLASSES)
        tab_to(ada, f'#why-view .explain-scores button[data-index="{other}"]')
        ada.press("Enter")
        check_overlay(ada, "#why-view", other)
        assert ada.evaluate(FOCUSED_DATA).get("index") == str(other)
        # after local training, the participant's own model explains too
        tab_to(ada, '#why-view .explain-models button[data-model="own"]')
        ada.press("Enter")
        ada.wait_for("() => document.querySelector('#why-view canvas').dataset.model === 'own'", 10)
        check_overlay(ada, "#why-view", other)
        assert "your own model" in ada.text("#why-view .explain-text")
        assert_accessible(ada, "why, own model")
        ada.press("Escape")
        ada.wait_for("() => !document.querySelector('#why-dialog').open", 10)
        ada.wait_for(f"() => document.activeElement === document.querySelector('{card} button.why')", 5)

        # Try it: a photo that is looked at, never stored
        stored = ada.evaluate(STORED, "ada")
        tab_to(ada, ".tabs [role=tab][aria-selected=true]")
        for _ in range(3):
            ada.press("ArrowRight")
        ada.wait_for("() => !document.querySelector('#tab-try').hidden && document.activeElement.dataset.tab === 'try'", 10)
        assert_accessible(ada, "try it, before a photo")
        tried, tried_label = write_pngs(tmp_path / "try", "test", per_class=1, seed=32)[1]
        tab_to(ada, "#try-pick")
        ada.set_input_files("#try-pick", [str(tried)])
        shown = ada.wait_for(CANVAS, 120, args=["#try-view"])
        assert shown["classIndex"] == shown["top"] and shown["model"] == "class", shown  # the top class's map
        check_overlay(ada, "#try-view", int(shown["top"]))
        scores = ada.evaluate("() => [...document.querySelectorAll('#try-view .explain-scores button')].map((b) => b.innerText)")
        assert len(scores) == len(CLASSES) and all("%" in s for s in scores), scores
        assert_accessible(ada, "try it")
        after = ada.evaluate(STORED, "ada")
        assert after == stored, "the photo tried was stored"
        assert tried.stat().st_size not in after["sizes"]
        assert ada.count("fl-image-card") == len(photos)
        # the participant picks another class
        other = (int(shown["top"]) + 1) % len(CLASSES)
        ada.click(f'#try-view .explain-scores button[data-index="{other}"]')
        check_overlay(ada, "#try-view", other)
        ada.wait_for(ALL_SENT, 60, args=["ada"])  # the study events reached the server
        errors = [m for m in ada.console_messages() if m.startswith("pageerror:")]
        assert not errors, errors
    finally:
        ada.close()

    # the study has what was looked at — and no pixels, no file, no features
    rows = [r for r in study_rows(server) if r["source"] == "browser" and r["kind"] in ("explanation_viewed", "photo_tried")]
    explained = [r["data"] for r in rows if r["kind"] == "explanation_viewed"]
    assert {"image": 3, "class": label, "model": "class"}.items() <= explained[0].items(), explained
    assert [(e["model"], e["image"] > 0) for e in explained[:3]] == [("class", True), ("class", True), ("own", True)]
    assert any(e["image"] == 0 for e in explained), "Try it's map is an explanation of no stored photo"
    tried_rows = [r["data"] for r in rows if r["kind"] == "photo_tried"]
    assert len(tried_rows) == 1 and set(tried_rows[0]) == {"top", "confidence", "model", "version"}
    assert tried_rows[0]["top"] == CLASSES[int(shown["top"])]
    assert tried.name not in json.dumps(rows)

    # Ben, in German: the class model explains (he has not trained: his own model is not there yet)
    ben = join(browser, server, "ben", lang="de")
    try:
        words = [*CLASSES, TITLE, NOTICE, "ben"]
        add_labelled(ben, write_pngs(tmp_path / "ben", "train", per_class=1, seed=33, ids=[1]))
        ben.wait_for("() => !document.querySelector('fl-image-card button.why').hidden", 60)
        ben.click("fl-image-card button.why")
        shown = check_overlay(ben, "#why-view", 0)
        assert shown["model"] == "class"
        assert ben.evaluate("() => document.querySelector('#why-view .explain-models').hidden"), "no own model before training"
        assert_accessible(ben, "warum")
        assert_no_english(ben, "warum", exclude=words)
        ben.click("#why-close")
        ben.click("button[data-tab=try]")
        ben.set_input_files("#try-take", [str(tried)])
        shown = ben.wait_for(CANVAS, 120, args=["#try-view"])
        check_overlay(ben, "#try-view", int(shown["top"]))
        assert_accessible(ben, "ausprobieren")
        assert_no_english(ben, "ausprobieren", exclude=words)
        assert ben.evaluate(STORED, "ben")["sizes"] == [p.stat().st_size for p in (tmp_path / "ben").iterdir()]
    finally:
        ben.close()
