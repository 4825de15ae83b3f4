"""Three participants in real Chromium join a real server, label Fashion-MNIST photos, train in the
browser with ONNX Runtime Web and contribute; the server's own test accuracy ends well above chance.
Along the way: a reload keeps everything, bad files get per-file messages, no photo byte leaves
the page, and join failures read as sentences with a retry."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from engines.chromium import ChromiumPage
from harness import FEATURE_ERRORS, FEATURES_READY, PHOTOS_PREPARED, TRAIN_OUTCOME, class_names, start_server, write_pngs
from page_checks import assert_accessible, assert_no_english, catalogues
from participant_sim import HttpClient

CLASSES = class_names()
PER_CLASS = 8  # 24 training photos per participant


@pytest.fixture(scope="module")
def server(tmp_path_factory, webclient_dist, fashion_mnist):
    srv = start_server(
        tmp_path_factory.mktemp("server"),
        {"title": "Trousers, bags, sneakers", "classes": CLASSES, "local_epochs": 10, "batch_size": 8, "learning_rate": 0.01},
    )
    yield srv
    srv.stop()


class RequestLog:
    """Every request a page makes, with its body, to prove what leaves the device."""

    def __init__(self, page):
        self.requests = []
        page.on("request", lambda request: self.requests.append(request))

    def bodies(self):
        for r in self.requests:
            yield r, (r.post_data_buffer or b"")


def requests_before_update(log: RequestLog, start: int, base_url: str) -> list[tuple[str, str]]:
    """(method, path) of the page's requests from ``start`` up to its next update."""
    made = [(r.method, r.url.split("?")[0].removeprefix(base_url)) for r in log.requests[start:]]
    assert ("POST", "/api/v1/updates") in made, made
    return made[: made.index(("POST", "/api/v1/updates"))]


def update_from_another_participant(server) -> int:
    """Someone else joins over HTTP and sends the class model back as their update: the class model moves on
    to a new version, which this returns."""
    other = HttpClient(server.url)
    other.token = other.call_json("POST", "/api/v1/join", {"join_code": server.join_code, "nickname": "other"}, token=None)[
        "token"
    ]
    model = other.call("GET", "/api/v1/model")
    headers = {"X-Base-Version": model.headers["X-Model-Version"], "X-Sample-Count": "8"}
    answer = other.call("POST", "/api/v1/updates", model.body, content_type="application/octet-stream", headers=headers).json()
    assert answer["applied"] is True, answer
    return answer["version"]


def open_participant(chromium, server, profile: str):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    log = RequestLog(page)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.join_url(profile))
    page.wait_for_selector("#task-view:not([hidden])", timeout=30_000)
    return context, page, log, errors


def wait_features(page, n: int, timeout=180_000):
    try:
        page.wait_for_function(FEATURES_READY, arg=n, timeout=timeout)
    except Exception:
        state = page.evaluate("""() => ({view: {...document.querySelector('#task-view').dataset},
            banner: document.querySelector('#banner').textContent, progress: document.querySelector('#feature-progress').textContent})""")
        state["errors"] = page.evaluate(FEATURE_ERRORS)
        raise AssertionError(f"features not ready for {n} photos: {state}") from None


def review_labels(page, truth: dict[str, str], only: int | None = None) -> dict[str, int]:
    """Accept the suggestion where it is right, pick the true class where it is not or where nothing is
    suggested — through the UI."""
    counts = {"accepted": 0, "corrected": 0, "picked": 0}
    cards = page.locator("#train-grid fl-image-card[data-confirmed=false]")
    todo = cards.count() if only is None else min(only, cards.count())
    for _ in range(todo):
        card = cards.first
        name = card.get_attribute("data-name")
        suggested = card.get_attribute("data-suggestion")
        if not suggested:
            assert card.locator("button.accept").is_hidden()
            card.locator("select").select_option(truth[name])
            counts["picked"] += 1
            page.wait_for_selector(f'fl-image-card[data-name="{name}"][data-confirmed=true]')
            continue
        assert card.locator(".card-hint").inner_text() == f"The class model thinks: {suggested}"
        if suggested == truth[name]:
            card.locator("button.accept").click()
            counts["accepted"] += 1
        else:
            card.locator("select").select_option(truth[name])
            counts["corrected"] += 1
        page.wait_for_selector(f'fl-image-card[data-name="{name}"][data-confirmed=true]')
    return counts


def assert_phone_layout(page):
    """At 360 px portrait: nothing wider than the screen, every visible control at least 44 px square, no
    picker's text cut off."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    small = page.evaluate("""() => [...document.querySelectorAll('button, select, label.button, input:not([type=file])')]
        .filter((e) => e.offsetParent !== null)
        .map((e) => { const r = e.getBoundingClientRect(); return [e.textContent.trim() || e.className, r.width, r.height]; })
        .filter(([, w, h]) => w < 44 || h < 44)""")
    assert not small, small
    # a picker's text is not cut off ("Choose label…" on every unlabelled card): it fits beside the arrow
    cut = page.evaluate("""() => {
      const ctx = document.createElement('canvas').getContext('2d');
      return [...document.querySelectorAll('select')].filter((e) => e.offsetParent !== null).map((e) => {
        const style = getComputedStyle(e);
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const text = e.options[e.selectedIndex].text;
        const room = e.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;  // 20: the arrow
        return [text, Math.round(ctx.measureText(text).width), room];
      }).filter(([, width, room]) => width > room);
    }""")
    assert not cut, cut


def train_and_send(page) -> str:
    page.click("button[data-tab=train]")
    page.wait_for_selector("#train-button:not([disabled])", timeout=30_000)
    page.click("#train-button")
    page.wait_for_function(TRAIN_OUTCOME, timeout=180_000)
    return page.inner_text("#train-result")


def test_join_failures_say_what_to_do(chromium, server):
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(server.join_url("lost", code="NOPE42"))
    page.wait_for_selector("fl-join-panel .join-message.error")
    assert 'The join code "NOPE42" is not known' in page.inner_text("fl-join-panel")
    assert page.is_visible("fl-join-panel input[name=code]")
    assert_accessible(page, "join code unknown")

    # the server stops answering: the page says so in one sentence, keeps trying, and joins once it answers
    page.route("**/api/v1/status", lambda route: route.abort("connectionrefused"))
    page.goto(server.join_url("offline"))
    page.wait_for_selector("fl-join-panel .join-message.error")
    assert "The class server can't be reached — is the teacher's app running? Retrying…" in page.inner_text("fl-join-panel")
    assert_accessible(page, "class server unreachable")
    page.unroute("**/api/v1/status")
    page.wait_for_selector("#task-view:not([hidden])")
    assert page.inner_text("#task-title") == "Trousers, bags, sneakers"
    context.close()


def test_a_german_browser_gets_german_and_lang_overrides_it(chromium, server):
    """navigator.language de-DE: German on every screen a participant sees before training, with not one
    English sentence of the catalogue left; ?lang=en switches to English and is remembered, ?lang=de back."""
    context = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="de-DE")
    page = ChromiumPage(context, (360, 740))
    exclude = [*CLASSES, "Trousers, bags, sneakers"]
    try:
        page.goto(server.url + "/?profile=deutsch")  # no code yet: the join form
        page.wait_for("() => !!document.querySelector('fl-join-panel input[name=code]')?.offsetParent", 30)
        assert page.text("fl-join-panel h2") == catalogues()["de"]["joinTitle"]
        assert_no_english(page, "join form")
        page.goto(server.join_url("deutsch"))
        page.wait_for("() => !document.querySelector('#task-view').hidden", 30)
        exclude.append("deutsch")
        assert_no_english(page, "first-run guide", exclude)
        assert page.text("#guide-title") == "So geht’s"
        page.click("#guide-done")
        for tab in ("train", "test", "photos"):
            page.click(f"button[data-tab={tab}]")
            assert_no_english(page, f"{tab} tab", exclude)
        page.click("#profile-button")
        assert_no_english(page, "you and your data", exclude)
        page.click("#about-close")

        page.goto(server.url + "/?profile=deutsch&lang=en")  # the override, remembered on this device
        page.wait_for("() => !document.querySelector('#task-view').hidden", 30)
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.text("button[data-tab=photos]") == "Photos"
        page.goto(server.url + "/?profile=deutsch")
        page.wait_for("() => !document.querySelector('#task-view').hidden", 30)
        assert page.text("button[data-tab=train]") == "Train", "?lang=en is remembered"
        page.goto(server.url + "/?profile=deutsch&lang=de")
        page.wait_for("() => !document.querySelector('#task-view').hidden", 30)
        assert page.text("button[data-tab=train]") == "Trainieren"
    finally:
        page.close()


def test_three_participants_label_train_and_contribute(chromium, server, tmp_path: Path):
    server.put_test_set(per_class=30, seed=123)
    participants = []
    for i in range(3):
        files = write_pngs(tmp_path / f"p{i}", "train", PER_CLASS, seed=10 + i)
        participants.append((f"p{i}", files))
    all_image_bytes = [path.read_bytes() for _, files in participants for path, _ in files]

    results, logs, contexts = [], [], []
    for i, (profile, files) in enumerate(participants):
        context, page, log, errors = open_participant(chromium, server, profile)
        logs.append(log)
        contexts.append(context)
        truth = {path.name: cls for path, cls in files}
        assert page.inner_text("#task-title") == "Trousers, bags, sneakers"
        page.wait_for_function("n => document.querySelectorAll('fl-class-counts .chip').length === n", arg=len(CLASSES))

        if i == 0:
            bad = tmp_path / "bad"
            bad.mkdir()
            (bad / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 50)
            (bad / "notes.txt").write_text("not a photo")
            page.set_input_files(
                "#add-photos", [str(p) for p, _ in files[:4]] + [str(bad / "broken.png"), str(bad / "notes.txt")]
            )
            page.wait_for_selector("#file-messages li.error >> nth=1")
            messages = page.inner_text("#file-messages")
            assert "4 photos added." in messages
            assert "broken.png" in messages and "damaged" in messages
            assert "notes.txt" in messages and "not an image" in messages
            page.set_input_files("#add-photos", [str(p) for p, _ in files[4:]])
        else:
            page.set_input_files("#add-photos", [str(p) for p, _ in files])
        page.wait_for_function("n => document.querySelectorAll('#train-grid fl-image-card').length == n", arg=len(files))
        wait_features(page, len(files))

        if i == 0:
            # version 0: the class model has learned nothing, so no label is offered to accept — and the page says so
            assert page.locator("#train-grid fl-image-card[data-suggestion]").count() == 0
            assert page.locator("#train-grid fl-image-card button.accept:visible").count() == 0
            assert page.is_hidden("#accept-all")
            assert "hasn't learned anything yet" in page.inner_text("#suggestion-note")
            # label half, then reload mid-way: photos, labels and features are all still there
            review_labels(page, truth, only=len(files) // 2)
            page.reload()
            page.wait_for_selector("#task-view:not([hidden])")
            page.wait_for_function("n => document.querySelectorAll('#train-grid fl-image-card').length == n", arg=len(files))
            assert page.locator("#train-grid fl-image-card[data-confirmed=true]").count() == len(files) // 2
            wait_features(page, len(files), timeout=10_000)
            assert page.evaluate(PHOTOS_PREPARED) == 0, "features were extracted again after the reload"

        if i == 0:
            assert_phone_layout(page)
        counts = review_labels(page, truth)
        if i > 0:  # the class model has learned all three things from p0: most of its guesses are offered
            assert counts["accepted"] + counts["corrected"] >= len(files) // 2, counts
        assert sum(page.evaluate("() => Object.values(document.querySelector('#class-counts').counts)")) == len(files)
        result = train_and_send(page)
        assert page.get_attribute("#train-result", "data-outcome") == "applied", result
        assert result.startswith("Thank you! The class model has learned from your photos."), result
        # timings are kept only with ?timings (the benchmark's flag), and no app object is exposed
        assert page.evaluate("() => [typeof window.influxTimings, typeof window.influxApp]") == ["undefined", "undefined"]
        results.append((counts, result))
        assert not errors, errors
        page.close()  # a page left in a background window can be frozen by Chromium; reopen later instead

    updates = server.admin("GET", "/updates")
    assert [u["status"] for u in updates] == ["applied"] * 3, updates
    assert sorted(u["sample_count"] for u in updates) == [3 * PER_CLASS] * 3

    # the server evaluates each new version on its own test set; the last one must be well above chance
    deadline = time.monotonic() + 120
    latest = max(u["applied_version"] for u in updates)
    while time.monotonic() < deadline:
        history = server.admin("GET", "/accuracy")
        if history and history[-1]["version"] >= latest:
            break
        time.sleep(1)
    assert history[-1]["version"] == latest, history
    assert history[-1]["accuracy"] >= 0.8, history

    # a participant's own test photos, kept apart from training, against the current global model
    # (a new page in the same browser profile: everything comes back from IndexedDB)
    page = contexts[0].new_page()
    logs.append(RequestLog(page))
    page.goto(server.url + "/?profile=p0")
    page.wait_for_selector("#task-view:not([hidden])")
    page.wait_for_function(
        "n => document.querySelectorAll('#train-grid fl-image-card[data-confirmed=true]').length == n", arg=3 * PER_CLASS
    )
    page.click("button[data-tab=test]")
    test_files = write_pngs(tmp_path / "own-test", "test", 4, seed=7)
    for cls in CLASSES:
        page.select_option("#test-label", cls)
        page.set_input_files("#add-test-photos", [str(p) for p, c in test_files if c == cls])
    page.wait_for_function("n => document.querySelectorAll('#test-grid fl-image-card').length == n", arg=len(test_files))
    assert page.locator("#train-grid fl-image-card").count() == 3 * PER_CLASS, "test photos must not join the training set"
    wait_features(page, 3 * PER_CLASS + len(test_files))
    with page.expect_response("**/api/v1/test-results") as answer:
        page.click("#evaluate-button")
    assert answer.value.status == 201
    accuracy = float(page.get_attribute("#test-accuracy", "data-accuracy"))
    assert accuracy >= 0.75, page.inner_text("#test-result")
    assert page.locator("#test-result table.results tbody tr").count() == len(CLASSES)
    assert page.locator("#test-grid fl-image-card[data-predicted]").count() == len(test_files)
    assert page.locator("#test-grid fl-image-card .card-hint", has_text="The class model said").count() == len(test_files)
    all_image_bytes += [p.read_bytes() for p, _ in test_files]

    # the global model moved on since p0 contributed (version 1): one tap retrains on the cached features
    page.click("button[data-tab=train]")
    page.wait_for_selector("#newer-version:not([hidden])")
    assert page.get_attribute("#newer-version", "data-version") == str(latest)
    assert "Your classmates have taught the class model more" in page.inner_text("#newer-version")
    clicked_at = len(logs[-1].requests)
    page.click("#retrain-button")
    page.wait_for_function(TRAIN_OUTCOME)
    assert page.get_attribute("#train-result", "data-outcome") == "applied", page.inner_text("#train-result")
    assert page.get_attribute("#train-result", "data-version") == str(latest + 1)
    # the page holds the latest class model (fetched when it opened): before training it asks for the
    # task alone, which names that version, and downloads no model
    before_training = requests_before_update(logs[-1], clicked_at, server.url)
    assert ("GET", "/api/v1/task") in before_training and ("GET", "/api/v1/model") not in before_training, before_training
    assert server.admin("GET", "/updates")[-1]["base_version"] == latest
    # the result in plain words: the class model on p0's own test photos before this round and now
    before, after = (int(page.get_attribute("#train-result", f"data-test-{k}")) for k in ("before", "after"))
    assert (
        f"On your {len(test_files)} test photos, the class model got {before} right before and gets {after} right now"
        in page.inner_text("#train-result")
    )
    assert after >= 0.75 * len(test_files), (before, after)
    assert page.is_hidden("#newer-version")

    # another participant's update lands just before the next tap: the task names a version this page does
    # not hold, so the model is downloaded before training (by the tap, or by the poll if it came first),
    # and the round trains on it
    moved = update_from_another_participant(server)
    clicked_at = len(logs[-1].requests)
    page.click("#train-button")
    page.wait_for_function(TRAIN_OUTCOME)
    assert page.get_attribute("#train-result", "data-version") == str(moved + 1), page.inner_text("#train-result")
    assert server.admin("GET", "/updates")[-1]["base_version"] == moved
    assert ("GET", "/api/v1/model") in requests_before_update(logs[-1], clicked_at, server.url)

    # privacy: only tokens, parameter vectors and metrics leave the page — never photo bytes
    posted = set()
    for log in logs:
        for request, body in log.bodies():
            if request.url.startswith(("blob:", "data:")):
                continue  # thumbnails read from IndexedDB in the page itself: no network involved
            assert request.url.startswith(server.url + "/"), request.url
            if request.method != "GET":
                posted.add(request.url.split("?")[0].removeprefix(server.url))
            assert b"\x89PNG" not in body
            for image in all_image_bytes:
                assert image[100:164] not in body, f"photo bytes in {request.method} {request.url}"
    assert posted <= {"/api/v1/join", "/api/v1/class-stats", "/api/v1/updates", "/api/v1/test-results"}, posted

    # a revoked participant is sent back to the join screen with a message
    participants_list = server.admin("GET", "/participants")
    p2 = next(p for p in participants_list if p.get("nickname") == "p2")
    server.admin("DELETE", f"/participants/{p2['id']}")
    page = contexts[2].new_page()
    page.goto(server.url + "/?profile=p2")
    page.wait_for_selector("fl-join-panel .join-message.error")
    assert "no longer part of the class" in page.inner_text("fl-join-panel")
    assert_accessible(page, "removed by the teacher")
    assert page.is_visible("fl-join-panel input[name=code]")
    for context in contexts:
        context.close()
