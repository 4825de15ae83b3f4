"""One participant in two sessions at once (issue 18), in each of the three engines (engines/): one
browser profile joins two sessions of one class server with different classes (two join links), adds
different photos to each, labels them, and trains and sends in both. The server then has exactly one
update per session from that participant (the facilitator API), and nothing crosses between them: the
profile's IndexedDB holds each session's photos, labels, features and token under that session's keys
only, and each session's page shows only its own photos and classes. "Your classes" (the switcher in
the top bar) goes from one to the other by keyboard, axe-clean; "Use this photo in <other class> too"
copies exactly the one chosen photo, with no label (its features come along: same backbone); a reload
keeps both sessions, and opening the app without a link resumes the last one used. The teacher removing
the participant from one session leaves the other working.

A profile stored before sessions existed (IndexedDB version 2: one join, photos of no session) is
upgraded when the page opens it: every photo, label and feature is then under the session its join
named, and the page shows them there.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from dataclasses import replace

import pytest
from harness import FEATURES_READY, PARTICIPANT_ID, PHOTOS_PREPARED, TRAIN_OUTCOME, class_names, start_server, write_pngs
from page_checks import FOCUSED, assert_accessible, focused, tab_to

A_IDS, B_IDS = [1, 8], [7, 3]  # trouser and bag; sneaker and dress
A_TITLE, B_TITLE = "Trousers and bags", "Shoes and dresses"
PER_CLASS = 3
PROFILE = "mia"
CARDS = "#train-grid fl-image-card"
TASK_SHOWN = (
    "(title) => !document.querySelector('#task-view').hidden && document.querySelector('#task-title').textContent === title"
)

#: the profile's database as it is: every session's photos (key, id, name, label), feature keys and meta keys
DATABASE = """async (name) => {
  const db = await new Promise((res, rej) => { const r = indexedDB.open(name); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const all = (store) => new Promise((res, rej) => {
    const tx = db.transaction(store); const s = tx.objectStore(store); const k = s.getAllKeys(); const v = s.getAll();
    tx.oncomplete = () => res(k.result.map((key, i) => [key, v.result[i]])); tx.onerror = () => rej(tx.error);
  });
  const images = (await all('images')).map(([key, v]) => ({key, id: v.id, name: v.name, label: v.label, confirmed: v.labelConfirmed, role: v.role}));
  const features = (await all('features')).map(([key]) => key);
  const meta = await all('meta');
  const join = Object.fromEntries(meta.filter(([k]) => String(k).endsWith('/join')).map(([k, v]) => [k.split('/')[0], v]));
  const sessions = (meta.find(([k]) => k === 'sessions') || [null, []])[1];
  const version = db.version;
  db.close();
  return {images, features, join, sessions, version, metaKeys: meta.map(([k]) => k)};
}"""


def request(server, method: str, path: str, body: dict | None = None, token: str | None = None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data else {}
    headers["Authorization"] = f"Bearer {token or server.admin_token}"
    req = urllib.request.Request(server.url + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def servers(browser, tmp_path_factory, fashion_mnist):
    """One class server running two sessions: A (the one `serve` starts) and B (made and started through
    the facilitator API), with different classes. Gives (A, B) as harness Servers (B's admin() is B's)."""
    a = start_server(tmp_path_factory.mktemp("multi-session"), {"title": A_TITLE, "classes": class_names(A_IDS)})
    try:
        made = request(a, "POST", "/api/v1/admin/sessions", {"title": B_TITLE, "classes": class_names(B_IDS)})
        request(a, "POST", f"/api/v1/admin/sessions/{made['id']}/start")
        b = replace(a, session_id=made["id"], join_code=request(a, "GET", f"/api/v1/admin/sessions/{made['id']}")["join_code"])
        yield a, b
    finally:
        a.stop()


def images_shown(page) -> list[dict]:
    return page.evaluate(
        f"() => [...document.querySelectorAll('{CARDS}')].map((c) => ({{name: c.dataset.name, label: c.dataset.label, confirmed: c.dataset.confirmed}}))"
    )


def add_label_train(page, photos) -> None:
    page.set_input_files("#add-photos", [str(p) for p, _ in photos])
    page.wait_for(FEATURES_READY, 180, args=[len(photos)])
    for path, cls in photos:
        page.select(f'{CARDS}[data-name="{path.name}"] select', cls)
    page.wait_for(f"document.querySelectorAll('{CARDS}[data-confirmed=true]').length === {len(photos)}", 30)
    page.click("button[data-tab=train]")
    page.wait_for("!document.querySelector('#train-button').disabled", 30)
    page.click("#train-button")
    assert page.wait_for(TRAIN_OUTCOME, 180) == "applied"
    page.click("button[data-tab=photos]")


def keyboard_to(page, selector: str) -> None:
    """The focus on ``selector``: where it is already (a dialog opening puts it on its first button), else
    Tab to it. (Tabbing round past the page's end and back breaks Enter's click in Firefox under BiDi.)"""
    if not page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
        tab_to(page, selector)


def open_switcher_by_keyboard(page) -> None:
    keyboard_to(page, "#sessions-button")
    page.press("Enter")
    page.wait_for("document.querySelector('#sessions-dialog').open", 10)
    page.wait_for("document.querySelectorAll('#sessions-list li').length === 2", 10)


def test_one_profile_two_sessions(browser, servers, tmp_path):
    a, b = servers
    photos_a = write_pngs(tmp_path / "a", "train", PER_CLASS, seed=31, ids=A_IDS)
    photos_b = write_pngs(tmp_path / "b", "train", PER_CLASS, seed=32, ids=B_IDS)
    page = browser.open_page()
    try:
        # --- session A through its link, then B through its link: B is added, A untouched
        page.goto(a.join_url(PROFILE))
        page.wait_for(TASK_SHOWN, 60, args=[A_TITLE])
        add_label_train(page, photos_a)
        me_a = page.evaluate(PARTICIPANT_ID)
        page.goto(b.join_url(PROFILE))
        page.wait_for(TASK_SHOWN, 60, args=[B_TITLE])
        assert page.count(CARDS) == 0, "session A's photos showed in session B"
        chips = "() => [...document.querySelectorAll('fl-class-counts .chip')].map((c) => c.textContent).join(' ')"
        page.wait_for(f"() => ({chips})().includes({json.dumps(class_names(B_IDS)[1])})", 30)
        assert not any(c in page.evaluate(chips) for c in class_names(A_IDS)), "session A's classes showed in session B"
        add_label_train(page, photos_b)
        me_b = page.evaluate(PARTICIPANT_ID)
        assert page.evaluate("() => document.querySelector('#sessions-button').dataset.sessions") == "2"

        # --- the server: exactly one update per session, each from this participant
        for server, me in ((a, me_a), (b, me_b)):
            updates = server.admin("GET", "/updates")
            assert [(u["participant_id"], u["status"]) for u in updates] == [(me, "applied")], updates
            assert [p["id"] for p in server.admin("GET", "/participants")] == [me]

        # --- IndexedDB: each session's photos, labels, features and token under its own keys only
        db = page.evaluate(DATABASE, f"influx-participant-{PROFILE}")
        keys = {s["sessionId"]: s["key"] for s in db["sessions"]}
        assert set(keys) == {a.session_id, b.session_id}, db["sessions"]
        for server, photos, ids in ((a, photos_a, A_IDS), (b, photos_b, B_IDS)):
            key = keys[server.session_id]
            mine = [i for i in db["images"] if i["key"].startswith(f"{key}/")]
            assert sorted(i["name"] for i in mine) == sorted(p.name for p, _ in photos)
            assert {i["label"] for i in mine} == set(class_names(ids)) and all(i["confirmed"] for i in mine)
            assert all(i["key"] == f"{key}/{i['id']}" for i in mine)
            assert sorted(f.split("|")[0] for f in db["features"] if f.startswith(f"{key}/")) == sorted(i["key"] for i in mine)
            assert db["join"][key]["sessionId"] == server.session_id
        assert len(db["images"]) == len(photos_a) + len(photos_b) and len(db["features"]) == len(db["images"])
        assert db["join"][keys[a.session_id]]["token"] != db["join"][keys[b.session_id]]["token"]
        assert db["version"] == 3

        # --- "Your classes" by keyboard from the top of the page (no link: the last used, B), axe-clean;
        # Escape gives the focus back; going to A shows A's photos
        page.goto(f"{a.url}/?profile={PROFILE}")
        page.wait_for(TASK_SHOWN, 60, args=[B_TITLE])
        open_switcher_by_keyboard(page)
        here = page.evaluate("() => document.querySelector('#sessions-list li[aria-current=true] .session-name').textContent")
        assert here == B_TITLE
        assert_accessible(page, "switcher")
        page.press("Escape")
        page.wait_for(f"() => ({FOCUSED})() === 'button#sessions-button.sessions'", 5)
        open_switcher_by_keyboard(page)
        keyboard_to(page, "#sessions-list .go-session")
        assert A_TITLE in page.evaluate("() => document.activeElement.textContent"), focused(page)
        page.press("Enter")
        page.wait_for(TASK_SHOWN, 60, args=[A_TITLE])
        page.wait_for(f"document.querySelectorAll('{CARDS}').length === {len(photos_a)}", 30)
        assert sorted(c["name"] for c in images_shown(page)) == sorted(p.name for p, _ in photos_a)
        assert page.evaluate(PHOTOS_PREPARED) == 0

        # --- "Use this photo in B too": exactly the one chosen photo, with no label, its features along
        chosen = photos_a[0][0].name
        page.click(f'{CARDS}[data-name="{chosen}"] button.reuse')
        page.wait_for("document.querySelector('#reuse-dialog').open", 10)
        assert page.count("#reuse-choices button") == 1
        assert_accessible(page, "reuse")
        page.click("#reuse-choices button")
        page.wait_for("document.querySelector('#reuse-result').dataset.copied === '1'", 10)
        page.press("Escape")
        assert page.count(CARDS) == len(photos_a)
        db_after = page.evaluate(DATABASE, f"influx-participant-{PROFILE}")
        new = [i for i in db_after["images"] if i not in db["images"]]
        assert [(i["key"].split("/")[0], i["name"], i["label"], i["confirmed"]) for i in new] == [
            (keys[b.session_id], chosen, None, False)
        ]
        assert len(db_after["features"]) == len(db["features"]) + 1

        # --- B now has its photos plus the copy (unlabelled, ready without preparing); a reload keeps both
        page.goto(f"{a.url}/?profile={PROFILE}")  # no link: the last used (A)
        page.wait_for(TASK_SHOWN, 60, args=[A_TITLE])
        page.click("#sessions-button")
        page.wait_for("document.querySelector('#sessions-dialog').open", 10)
        page.click("#sessions-list .go-session")
        page.wait_for(TASK_SHOWN, 60, args=[B_TITLE])
        page.wait_for(f"document.querySelectorAll('{CARDS}').length === {len(photos_b) + 1}", 30)
        page.wait_for(FEATURES_READY, 30, args=[len(photos_b) + 1])
        assert page.evaluate(PHOTOS_PREPARED) == 0, "the copy's features came along (same backbone)"
        copy = [c for c in images_shown(page) if c["name"] == chosen]
        assert copy == [{"name": chosen, "label": "", "confirmed": "false"}]
        page.reload()
        page.wait_for(TASK_SHOWN, 60, args=[B_TITLE])
        page.wait_for(f"document.querySelectorAll('{CARDS}').length === {len(photos_b) + 1}", 30)
        assert {c["label"] for c in images_shown(page)} == {"", *class_names(B_IDS)}

        # --- the teacher removes this participant from A: B is unaffected, A asks to join again
        a.admin("DELETE", f"/participants/{me_a}")
        page.goto(f"{a.url}/?profile={PROFILE}")
        page.wait_for(TASK_SHOWN, 60, args=[B_TITLE])
        page.click("#sessions-button")
        page.wait_for("document.querySelector('#sessions-dialog').open", 10)
        page.click("#sessions-list .go-session")
        page.wait_for(
            "!document.querySelector('#join-view').hidden && document.querySelector('.join-message').classList.contains('error')",
            60,
        )
        assert not page.evaluate("document.querySelector('#sessions-button').hidden"), "the switcher must stay reachable"
        page.click("#sessions-button")
        page.wait_for("document.querySelector('#sessions-dialog').open", 10)
        page.click("#sessions-list .go-session")
        page.wait_for(TASK_SHOWN, 60, args=[B_TITLE])
        page.wait_for(f"document.querySelectorAll('{CARDS}').length === {len(photos_b) + 1}", 30)
        assert page.evaluate(PARTICIPANT_ID) == me_b
        final = page.evaluate(DATABASE, f"influx-participant-{PROFILE}")
        assert len([i for i in final["images"] if i["key"].startswith(f"{keys[a.session_id]}/")]) == len(photos_a)
        assert keys[a.session_id] not in final["join"] and keys[b.session_id] in final["join"]
        errors = [m for m in page.console_messages() if m.startswith("pageerror:")]
        assert not errors, errors
    except AssertionError:
        page.screenshot(tmp_path / f"{browser.engine}-failure.png")
        raise
    finally:
        page.close()


#: A profile as the web client stored it before sessions: IndexedDB version 2, one join, photos of no session.
SEED_OLD = """async ([name, join, photos, sha]) => {
  const db = await new Promise((res, rej) => {
    const r = indexedDB.open(name, 2);
    r.onupgradeneeded = () => { for (const s of ['images', 'features', 'meta', 'studyQueue']) r.result.createObjectStore(s); };
    r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error);
  });
  const tx = db.transaction(['images', 'features', 'meta'], 'readwrite');
  photos.forEach((p, i) => {
    const bytes = Uint8Array.from(atob(p.b64), (c) => c.charCodeAt(0)).buffer;
    const id = `img-old-${i}`;
    tx.objectStore('images').put({id, number: i + 1, name: p.name, type: 'image/png', size: bytes.byteLength, bytes, role: 'train',
      label: p.label, labelConfirmed: p.label !== null, addedAt: 1000 + i}, id);
    if (i < photos.length - 1) tx.objectStore('features').put(new Float32Array(1280).fill(i / 10), `${id}|${sha}`);
  });
  tx.objectStore('meta').put(join, 'join');
  tx.objectStore('meta').put(photos.length, 'imageCounter');
  tx.objectStore('meta').put('old-device-key-123456', 'deviceKey');
  await new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); });
  db.close();
  return true;
}"""


def test_an_old_profile_keeps_every_photo_under_its_session(browser, servers, tmp_path):
    a, _ = servers
    photos = write_pngs(tmp_path / "old", "train", 2, seed=33, ids=A_IDS)
    joined = request(
        a, "POST", "/api/v1/join", {"join_code": a.join_code, "nickname": "Old", "device_key": "old-device-key-123456"}
    )
    task = request(a, "GET", "/api/v1/task", token=joined["token"])
    join = {
        "token": joined["token"],
        "joinCode": a.join_code,
        "participantId": joined["participant_id"],
        "sessionId": joined["session_id"],
        "study": False,
    }
    seeded = [
        {"name": p.name, "b64": base64.b64encode(p.read_bytes()).decode(), "label": cls if i % 2 == 0 else None}
        for i, (p, cls) in enumerate(photos)
    ]
    page = browser.open_page()
    try:
        page.goto(f"{a.url}/?profile=somebody-else")  # a page of the server's origin, which leaves "old" alone
        page.wait_for("!document.querySelector('#join-view').hidden", 30)
        assert page.evaluate(SEED_OLD, ["influx-participant-old", join, seeded, task["backbone"]["sha256"]])
        page.goto(f"{a.url}/?profile=old")
        page.wait_for(TASK_SHOWN, 60, args=[A_TITLE])
        page.wait_for(f"document.querySelectorAll('{CARDS}').length === {len(photos)}", 30)
        page.wait_for(FEATURES_READY, 120, args=[len(photos)])
        assert page.evaluate(PHOTOS_PREPARED) == 1, "the stored features moved along: only the photo without them is prepared"
        assert page.evaluate(PARTICIPANT_ID) == joined["participant_id"], "the stored token still works"
        shown = {c["name"]: c["label"] for c in images_shown(page)}
        assert shown == {s["name"]: s["label"] or "" for s in seeded}
        db = page.evaluate(DATABASE, "influx-participant-old")
        assert db["version"] == 3
        assert [(s["key"], s["sessionId"]) for s in db["sessions"]] == [("s1", a.session_id)]
        assert sorted(i["key"] for i in db["images"]) == [f"s1/img-old-{i}" for i in range(len(photos))]
        assert all(f.startswith("s1/img-old-") for f in db["features"]) and len(db["features"]) == len(photos)
        assert "join" not in db["metaKeys"] and db["join"]["s1"]["token"] == joined["token"]
        assert "deviceKey" in db["metaKeys"]
    except AssertionError:
        page.screenshot(tmp_path / f"{browser.engine}-failure.png")
        raise
    finally:
        page.close()
