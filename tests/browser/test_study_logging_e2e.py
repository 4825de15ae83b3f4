"""Issue 8, done when: two participants in real Chromium go through join (accepting the study notice),
add photos, review the suggested labels (one accepts every suggestion, one corrects), train, send and
test; the facilitator's export then holds exactly the events each did, in order, from the browser and
the server, with no image bytes or file names, and a summary that counts what they did. The same run
with study logging off leaves only the records the FL core needs, and no page sends an event."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from harness import class_names, start_server, write_pngs
from page_checks import assert_accessible
from test_participants_e2e import RequestLog, train_and_send, wait_features

from influx_desktop.study_log import STUDY_SUMMARY_COLUMNS

CLASSES = class_names()
NOTICE = "Study on labelling habits (test run).\nWe record counts and timings of what you do here, never your photos."
SETTINGS = {
    "title": "Study: trousers, bags, sneakers",
    "classes": CLASSES,
    "local_epochs": 3,
    "batch_size": 4,
    "learning_rate": 0.01,
}
TRAIN_PER_CLASS = 2  # 6 training photos each; the corrector adds one more and deletes it, and 3 after training
EPOCHS = SETTINGS["local_epochs"]
#: Study events still on the device: webclient/src/lib/study_log.js keeps each in the profile's IndexedDB
#: store `studyQueue` until the server has it (storage.js databaseName: one database per profile).
UNSENT_STUDY_EVENTS = """async (profile) => {
  const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const db = await request(indexedDB.open('influx-participant-' + profile));
  try { return await request(db.transaction('studyQueue').objectStore('studyQueue').count()); } finally { db.close(); }
}"""


@pytest.fixture(scope="module")
def study_server(tmp_path_factory, webclient_dist, fashion_mnist):
    srv = start_server(tmp_path_factory.mktemp("study-on"), {**SETTINGS, "study_logging": True, "consent_notice": NOTICE})
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory, webclient_dist, fashion_mnist):
    srv = start_server(tmp_path_factory.mktemp("study-off"), SETTINGS)
    yield srv
    srv.stop()


@dataclass
class Participant:
    """One browser profile, and what the test made it do: the events its export must show."""

    profile: str
    page: object = None
    log: RequestLog = None
    errors: list = field(default_factory=list)
    expected: list = field(default_factory=list)  # (source, kind, data subset) in order
    files: list = field(default_factory=list)  # every photo path it added
    accepted: int = 0
    corrected: int = 0
    train_images: int = 0
    test_images: int = 0
    accuracy: float | None = None
    closed_at: float | None = None  # time.time() just before its page was closed

    def expect(self, source: str, kind: str, **data):
        self.expected.append((source, kind, data))


def open_and_join(chromium, server, p: Participant, study: bool):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    p.page = context.new_page()
    p.log = RequestLog(p.page)
    p.page.on("pageerror", lambda e: p.errors.append(str(e)))
    p.page.goto(server.join_url(p.profile))
    if study:
        p.page.wait_for_selector("fl-join-panel .consent:not([hidden])")
        assert p.page.inner_text("fl-join-panel .consent-notice") == NOTICE
        assert p.page.input_value("fl-join-panel input[name=nickname]") == p.profile, "the nickname defaults to the profile"
        assert not any(r.url.endswith("/api/v1/join") and r.method == "POST" for r in p.log.requests), "joined before consent"
        p.page.click("fl-join-panel button.accept-consent")
    p.page.wait_for_selector("#task-view:not([hidden])", timeout=30_000)
    p.expect("server", "participant_joined", study_consent=study)
    return context


def add_photos(p: Participant, selector: str, files: list[tuple[Path, str]], split: str):
    before = p.page.locator("fl-image-card").count()
    p.page.set_input_files(selector, [str(path) for path, _ in files])
    p.page.wait_for_function("n => document.querySelectorAll('fl-image-card').length == n", arg=before + len(files))
    p.files += [path for path, _ in files]
    p.expect("browser", "image_added", split=split, count=len(files), bytes=sum(path.stat().st_size for path, _ in files))


def card_numbers(page) -> dict[str, int]:
    return {
        c.get_attribute("data-name"): int(c.get_attribute("data-number")) for c in page.locator("#train-grid fl-image-card").all()
    }


def suggestion_of(card) -> str:
    suggested = card.get_attribute("data-suggestion")
    assert suggested, card.locator(".card-hint").inner_text()
    return suggested


def offered(p: Participant, files) -> list[str]:
    """The names of these photos whose card offers a suggestion to accept (lib/suggestions.js decides)."""
    names = {path.name for path, _ in files}
    return [
        c.get_attribute("data-name")
        for c in p.page.locator("#train-grid fl-image-card[data-suggestion]").all()
        if c.get_attribute("data-name") in names
    ]


def expect_suggestions_shown(p: Participant, files) -> list[str]:
    """Every suggestion offered on these photos is a suggestion_shown event; gives their names."""
    numbers = card_numbers(p.page)
    names = offered(p, files)
    for name in names:
        card = p.page.locator(f'#train-grid fl-image-card[data-name="{name}"]')
        p.expect("browser", "suggestion_shown", image=numbers[name], suggested=suggestion_of(card))
    return names


def assert_nothing_offered(p: Participant):
    """The untrained class model (version 0) offers no label to accept, and the page says why."""
    page = p.page
    assert page.locator("#train-grid fl-image-card[data-suggestion]").count() == 0
    assert page.locator("#train-grid fl-image-card button.accept:visible").count() == 0
    assert page.is_hidden("#accept-all")
    assert "hasn't learned anything yet" in page.inner_text("#suggestion-note")


def label_by_hand(p: Participant, truth: dict[str, str]):
    """Choose the true class on every card that offers no suggestion (no study event: nothing was suggested)."""
    cards = p.page.locator("#train-grid fl-image-card[data-confirmed=false]:not([data-suggestion])")
    while cards.count():
        card = cards.first
        name = card.get_attribute("data-name")
        card.locator("select").select_option(truth[name])
        p.page.wait_for_selector(f'fl-image-card[data-name="{name}"][data-confirmed=true]')


def review_suggestions(p: Participant, truth: dict[str, str], names: list[str], change_first: bool = False):
    """Accept each offered suggestion where it is right, pick the true class where it is not; with
    ``change_first`` the first is changed whatever it says (a child who disagrees), so a change is logged."""
    numbers = card_numbers(p.page)
    for i, name in enumerate(names):
        card = p.page.locator(f'#train-grid fl-image-card[data-name="{name}"]')
        suggested = suggestion_of(card)
        chosen = next(c for c in CLASSES if c != suggested) if change_first and i == 0 else truth[name]
        if suggested == chosen:
            card.locator("button.accept").click()
            p.accepted += 1
            p.expect("browser", "suggestion_accepted", image=numbers[name], label=suggested)
        else:
            card.locator("select").select_option(chosen)
            p.corrected += 1
            p.expect("browser", "suggestion_changed", image=numbers[name], **{"from": suggested, "to": chosen})
        p.page.wait_for_selector(f'fl-image-card[data-name="{name}"][data-confirmed=true]')


def accept_all(p: Participant, names: list[str]):
    numbers = card_numbers(p.page)
    for name in names:
        card = p.page.locator(f'#train-grid fl-image-card[data-name="{name}"]')
        p.expect("browser", "suggestion_accepted", image=numbers[name], label=suggestion_of(card))
        p.accepted += 1
    p.page.click("#accept-all")
    p.page.wait_for_function("() => !document.querySelector('#train-grid fl-image-card[data-confirmed=false][data-suggestion]')")


def simulate_tab_switch(p: Participant):
    """Headless Chromium keeps every page visible; this is what the browser does when the tab goes to the background and back."""
    for state in ("hidden", "visible"):
        p.page.evaluate(
            """s => { Object.defineProperty(document, 'visibilityState', {value: s, configurable: true});
                                  document.dispatchEvent(new Event('visibilitychange')); }""",
            state,
        )
        p.expect("browser", "visibility", state=state)


def train(p: Participant, base_version: int):
    """The first Train and send also sends the photos' class statistics, which make a version of their own:
    training starts from it (``base_version``)."""
    p.expect("server", "class_stats_received", counts=[p.train_images // len(CLASSES)] * len(CLASSES), version=base_version)
    p.expect(
        "browser",
        "training_started",
        base_version=base_version,
        epochs=EPOCHS,
        batch_size=SETTINGS["batch_size"],
        samples=p.train_images,
    )
    p.expect("browser", "training_finished", epochs=EPOCHS)
    p.expect("browser", "update_submitted", base_version=base_version, sample_count=p.train_images)
    p.expect("server", "update_accepted", base_version=base_version, sample_count=p.train_images)
    result = train_and_send(p.page)
    assert p.page.get_attribute("#train-result", "data-outcome") == "applied", result


def check_on_own_photos(p: Participant, folder: Path, seed: int):
    p.page.click("button[data-tab=test]")
    files = write_pngs(folder, "test", 1, seed=seed)
    for path, cls in files:
        p.page.select_option("#test-label", cls)
        add_photos(p, "#add-test-photos", [(path, cls)], "test")
    p.test_images = len(files)
    wait_features(p.page, p.train_images + len(files))
    with p.page.expect_response("**/api/v1/test-results") as answer:
        p.page.click("#evaluate-button")
    assert answer.value.status == 201
    p.accuracy = float(p.page.get_attribute("#test-accuracy", "data-accuracy"))
    p.expect("server", "test_result", accuracy=p.accuracy, n=len(files))


def wait_until_sent(p: Participant, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while p.page.evaluate(UNSENT_STUDY_EVENTS, p.profile):
        assert time.monotonic() < deadline, "the study log did not drain"
        time.sleep(0.2)


def run_session(chromium, server, tmp_path: Path, study: bool) -> tuple[Participant, Participant]:
    """The corrector contributes first (from the untrained model: nothing is suggested), then the accepter
    joins and accepts every suggestion, then the corrector adds photos and reviews the suggestions."""
    corrector, accepter = Participant("corrector"), Participant("accepter")
    contexts = []

    contexts.append(open_and_join(chromium, server, corrector, study))
    files = write_pngs(tmp_path / "corrector", "train", TRAIN_PER_CLASS, seed=21)
    extra = write_pngs(tmp_path / "extra", "train", 1, seed=99)[:1]
    add_photos(corrector, "#add-photos", files + extra, "train")
    wait_features(corrector.page, len(files) + 1)
    assert_nothing_offered(corrector)  # version 0: no suggestion, so none is shown (or logged)
    corrector.page.locator(f'fl-image-card[data-name="{extra[0][0].name}"] button.delete').click()
    corrector.page.locator(f'fl-image-card[data-name="{extra[0][0].name}"] button.confirm-delete').click()  # "Delete this photo?"
    corrector.page.wait_for_function("n => document.querySelectorAll('#train-grid fl-image-card').length == n", arg=len(files))
    corrector.expect("browser", "image_deleted", split="train", count=1)
    corrector.train_images = len(files)
    label_by_hand(corrector, {path.name: cls for path, cls in files})
    simulate_tab_switch(corrector)
    train(corrector, base_version=1)

    # the class model has learned every class now: the accepter is offered suggestions and takes them all
    contexts.append(open_and_join(chromium, server, accepter, study))
    files = write_pngs(tmp_path / "accepter", "train", TRAIN_PER_CLASS, seed=22)
    add_photos(accepter, "#add-photos", files, "train")
    wait_features(accepter.page, len(files))
    names = expect_suggestions_shown(accepter, files)
    assert len(names) >= len(files) // 2, "the trained class model was sure of too few photos"
    accepter.train_images = len(files)
    accept_all(accepter, names)
    label_by_hand(accepter, {path.name: cls for path, cls in files})
    train(accepter, base_version=3)

    # the corrector adds photos later and reviews the suggestions: accepts right ones, changes one
    # (first the page catches up with the newest class model, so its suggestions do not change under the test)
    newest = max(v["version"] for v in server.admin("GET", "/versions"))
    corrector.page.wait_for_function("v => document.querySelector('#newer-version').dataset.version === String(v)", arg=newest)
    corrector.page.click("button[data-tab=photos]")
    later = write_pngs(tmp_path / "corrector-later", "train", 1, seed=23)
    add_photos(corrector, "#add-photos", later, "train")
    corrector.train_images += len(later)
    wait_features(corrector.page, corrector.train_images)
    names = expect_suggestions_shown(corrector, later)
    assert len(names) >= 2, "the trained class model was sure of too few photos"
    review_suggestions(corrector, {path.name: cls for path, cls in later}, names, change_first=True)
    label_by_hand(corrector, {path.name: cls for path, cls in later})

    check_on_own_photos(corrector, tmp_path / "corrector-test", seed=31)
    check_on_own_photos(accepter, tmp_path / "accepter-test", seed=32)
    for p in (corrector, accepter):
        if study:
            wait_until_sent(p)
        assert not p.errors, p.errors
    for p in (corrector, accepter):
        p.closed_at = time.time()
    for context in contexts:
        context.close()
    return corrector, accepter


def scripted(rows: list[dict], p: Participant) -> list[dict]:
    """The rows of what the test made ``p`` do. A page that is closed turns hidden, and whether its last
    flush (keepalive) still reaches the server is up to the browser: an event stamped after the close must
    be that one, and it is left out of the timeline."""
    closing = [r for r in rows if r["source"] == "browser" and r["at"] >= p.closed_at]
    assert all(r["kind"] == "visibility" and r["data"].get("state") == "hidden" for r in closing), closing
    return [r for r in rows if r not in closing]


def export(server, name: str) -> tuple[bytes, list[dict]]:
    raw = server.admin_bytes("GET", f"/study/{name}.jsonl")
    return raw, [json.loads(line) for line in raw.decode().splitlines()]


def pseudonyms(server, *participants: Participant) -> dict[str, Participant]:
    by_nickname = {p["nickname"]: p["id"] for p in server.admin("GET", "/participants")}
    return {f"P{by_nickname[p.profile]}": p for p in participants}


#: The browser stamps its events with Date.now(): whole milliseconds. Across the two sources the export's time
#: order cannot be finer than that (docs/study-data.md).
BROWSER_CLOCK_RESOLUTION = 0.001


def assert_timeline(rows: list[dict], expected: list[tuple[str, str, dict]]):
    """Each source's events exactly as expected and in order; the rows in time order; and across the two sources
    the expected order wherever the clocks can tell it: a browser event and a server event less than the
    browser clock's resolution apart may be exported either way round."""
    placed = []  # (row, its place in ``expected``)
    for source in ("browser", "server"):
        mine = [r for r in rows if r["source"] == source]
        wanted = [(i, e) for i, e in enumerate(expected) if e[0] == source]
        got, want = [r["kind"] for r in mine], [e[1] for _, e in wanted]
        assert got == want, f"{source}:\n" + "\n".join(f"{g} | {w}" for g, w in zip(got + [None] * 99, want))
        for row, (i, (_, kind, data)) in zip(mine, wanted):
            placed.append((row, i))
            for key, value in data.items():
                actual = row["data"][key]
                assert actual == pytest.approx(value) if isinstance(value, float) else actual == value, (kind, key, actual, value)
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    for row, i in placed:
        for other, j in placed:
            if row["source"] != other["source"] and i < j:
                assert row["at"] <= other["at"] + BROWSER_CLOCK_RESOLUTION, (row["kind"], other["kind"], row["at"], other["at"])


def assert_no_image_content(blobs: list[bytes], participants: list[Participant]):
    """No file name (or its stem), no PNG signature raw or in base64, no image bytes."""
    needles = [b"\x89PNG", base64.b64encode(b"\x89PNG")[:6], b"data:image", b".png"]
    for p in participants:
        for path in p.files:
            needles += [path.name.encode(), path.stem.encode(), path.read_bytes()[100:132]]
    for blob in blobs:
        for needle in needles:
            assert needle not in blob, needle


def test_study_run_exports_each_participants_exact_timeline(chromium, study_server, tmp_path: Path):
    # declining is not joining: no join request, a clear message, and nothing recorded
    declined = chromium.new_context(viewport={"width": 360, "height": 740})
    page = declined.new_page()
    log = RequestLog(page)
    page.goto(study_server.join_url("decliner"))
    page.wait_for_selector("fl-join-panel .consent:not([hidden])")
    page.click("fl-join-panel button.decline-consent")
    page.wait_for_selector("fl-join-panel form .join:not([hidden])")
    message = page.inner_text("fl-join-panel .join-message")
    assert "declined" in message and "not joined" in message and "nothing about you was recorded" in message, message
    assert_accessible(page, "declined the study notice")
    assert page.is_hidden("#task-view")
    assert not [r for r in log.requests if r.method == "POST"]
    declined.close()

    corrector, accepter = run_session(chromium, study_server, tmp_path, study=True)
    participants = pseudonyms(study_server, corrector, accepter)
    assert "decliner" not in {p["nickname"] for p in study_server.admin("GET", "/participants")}

    raw_events, events = export(study_server, "events")
    raw_summary, summary = export(study_server, "summary")
    assert {r["participant"] for r in events} == set(participants)
    for pseudonym, p in participants.items():
        assert_timeline(scripted([r for r in events if r["participant"] == pseudonym], p), p.expected)
        finished = next(r for r in events if r["participant"] == pseudonym and r["kind"] == "training_finished")
        assert len(finished["data"]["loss_per_epoch"]) == EPOCHS and finished["data"]["duration_ms"] > 0
        seqs = [r["seq"] for r in events if r["participant"] == pseudonym and r["source"] == "browser"]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seqs

    # every byte the pages sent to /api/v1/events, and every export format
    posted = [body for p in (corrector, accepter) for r, body in p.log.bodies() if r.url.endswith("/api/v1/events")]
    assert posted, "no study events were sent"
    exports = [raw_events, raw_summary] + [study_server.admin_bytes("GET", f"/study/{n}.csv") for n in ("events", "summary")]
    assert_no_image_content(posted + exports, [corrector, accepter])
    for blob in exports:
        for nickname in (b"corrector", b"accepter"):
            assert nickname not in blob, "study exports name participants only by pseudonym"

    rows = {r["participant"]: r for r in summary}
    for pseudonym, p in participants.items():
        row = rows[pseudonym]
        assert set(row) == set(STUDY_SUMMARY_COLUMNS), row  # the columns the core declares
        counts = {
            "images": p.train_images,
            "test_images": p.test_images,
            "suggestions_shown": p.accepted + p.corrected,  # every suggestion offered was accepted or changed
            "suggestions_accepted": p.accepted,
            "corrections": p.corrected,
            "trainings": 1,
            "updates_accepted": 1,
            "updates_rejected": 0,
        }
        assert {k: row[k] for k in counts} == counts, (p.profile, row)
        assert row["best_test_accuracy"] == pytest.approx(p.accuracy)
        assert row["active_seconds"] > 0
    assert rows[next(k for k, v in participants.items() if v is accepter)]["corrections"] == 0


def test_logging_off_run_keeps_only_the_minimal_records(chromium, plain_server, tmp_path: Path):
    corrector, accepter = run_session(chromium, plain_server, tmp_path, study=False)
    for p in (corrector, accepter):
        assert not [r for r in p.log.requests if "/api/v1/events" in r.url], "a page sent study events with logging off"
    participants = pseudonyms(plain_server, corrector, accepter)
    _, events = export(plain_server, "events")
    assert {r["source"] for r in events} == {"server"}
    for pseudonym, p in participants.items():
        assert_timeline([r for r in events if r["participant"] == pseudonym], [e for e in p.expected if e[0] == "server"])
    _, summary = export(plain_server, "summary")
    for row in summary:
        assert (row["images"], row["suggestions_shown"], row["suggestions_accepted"], row["corrections"], row["trainings"]) == (
            0,
            0,
            0,
            0,
            0,
        )
        assert row["updates_accepted"] == 1
