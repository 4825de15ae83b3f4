"""What a real lesson does to the participant page, in Chromium against a real `serve`: an update's
answer lost on the way back (the client retries with the same Idempotency-Key; the server applies it
once), and the teacher's app stopped and started again mid-lesson (one clear message, automatic
recovery, the same join link, photos and participant kept)."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import FEATURES_READY, PARTICIPANT_ID, TRAIN_OUTCOME, class_names, start_server, write_pngs
from page_checks import assert_accessible

CLASSES = class_names()
NAME = "Mia"


@pytest.fixture
def server(tmp_path, webclient_dist, fashion_mnist):
    srv = start_server(tmp_path / "data", {"title": "Lost and found", "classes": CLASSES})
    yield srv
    srv.stop()


def join_by_qr(context, url: str, name: str):
    """Open the QR code's link, type a name as the page asks, join."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("fl-join-panel input[name=nickname]:visible")
    assert "first name or a nickname" in page.inner_text("fl-join-panel")
    assert page.is_hidden("fl-join-panel input[name=code]"), "the code came with the link: only the name is asked"
    page.fill("fl-join-panel input[name=nickname]", name)
    page.click("fl-join-panel button.join")
    page.wait_for_selector("#task-view:not([hidden])")
    return page


def add_and_label(page, photos: list[tuple[Path, str]]) -> None:
    before = page.locator("#train-grid fl-image-card").count()
    page.set_input_files("#add-photos", [str(p) for p, _ in photos])
    page.wait_for_function("n => document.querySelectorAll('#train-grid fl-image-card').length === n", arg=before + len(photos))
    for path, label in photos:
        page.select_option(f'fl-image-card[data-name="{path.name}"] select', label)
        page.wait_for_selector(f'fl-image-card[data-name="{path.name}"][data-confirmed=true]')


def features_ready(page, n: int) -> None:
    page.wait_for_function(FEATURES_READY, arg=n, timeout=120_000)


def test_a_lost_answer_is_retried_with_its_key_and_applied_once(chromium, server, tmp_path):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = join_by_qr(context, server.join_url(), NAME)
    photos = write_pngs(tmp_path / "photos", "train", 2, seed=3)
    add_and_label(page, photos)
    features_ready(page, len(photos))

    attempts = []

    def lose_the_first_answer(route):
        attempts.append(route.request.headers.get("idempotency-key"))
        if len(attempts) == 1:
            committed = route.fetch()  # the server stores the update and answers ...
            attempts.append(committed.status)
            route.abort("connectionreset")  # ... but the answer never reaches the page
        else:
            route.continue_()

    page.route("**/api/v1/updates", lose_the_first_answer)
    page.click("button[data-tab=train]")
    page.click("#train-button")
    assert page.wait_for_function(TRAIN_OUTCOME).json_value() == "applied", page.inner_text("#train-result")

    key, first_status, retry_key = attempts[:3]
    assert first_status == 200, "the first attempt was committed by the server"
    assert key and retry_key == key, "the retry carries the same Idempotency-Key"
    updates = server.admin("GET", "/updates")
    assert len(updates) == 1, updates
    # one version from the update (besides v0 and the class statistics' start), and the page shows it
    versions = [v["version"] for v in server.admin("GET", "/versions")]
    assert versions == list(range(len(versions))) and updates[0]["applied_version"] == versions[-1], (versions, updates)
    assert page.get_attribute("#train-result", "data-version") == str(versions[-1]), page.inner_text("#train-result")
    context.close()


def test_the_teachers_app_restarts_mid_lesson_and_nothing_is_lost(chromium, server, tmp_path):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = join_by_qr(context, server.join_url(), NAME)
    photos = write_pngs(tmp_path / "photos", "train", 2, seed=5)
    add_and_label(page, photos[:4])
    features_ready(page, 4)
    participant_id = page.evaluate(PARTICIPANT_ID)

    server.stop()  # the teacher closes the app
    page.wait_for_function("() => !document.querySelector('#banner').hidden", timeout=30_000)
    assert page.inner_text("#banner") == "The class server can't be reached — is the teacher's app running? Retrying…"
    assert_accessible(page, "class server gone mid-lesson")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    # a photo added while the server is away is stored and prepared on the device (the runtime was loaded up front)
    add_and_label(page, photos[4:5])
    features_ready(page, 5)
    assert page.locator("fl-image-card .card-hint", has_text="Getting ready").count() == 0

    restarted = start_server(server.data_dir, None, port=None)  # the same session, its remembered port
    try:
        assert restarted.url == server.url, "the join link survives the restart"
        page.wait_for_function("() => document.querySelector('#banner').hidden", timeout=60_000)

        page.reload()
        page.wait_for_selector("#task-view:not([hidden])")
        page.wait_for_function(
            "n => document.querySelectorAll('#train-grid fl-image-card[data-confirmed=true]').length === n", arg=5
        )
        features_ready(page, 5)
        assert page.evaluate(PARTICIPANT_ID) == participant_id
        page.click("button[data-tab=train]")
        page.click("#train-button")
        assert page.wait_for_function(TRAIN_OUTCOME).json_value() == "applied", page.inner_text("#train-result")
        participants = restarted.admin("GET", "/participants")
        assert [p["nickname"] for p in participants] == [NAME], participants
    finally:
        restarted.stop()
    context.close()
