"""Issue 16: the class activation map a participant's page draws is the desktop's. In Debian Chromium
against a real server, a participant labels Fashion-MNIST photos and trains; "Why?" on a photo draws the
map of a class, which must be the map onnxruntime and influx_desktop/models/cam.py compute natively for the
same photo, class and head, within 1e-4 of the map's range. The pooled features of that same run of the
extractor (both outputs fetched) must be today's: those of a run fetching the features alone, those the
page cached in IndexedDB when it prepared the photo, and, within 1e-5, onnxruntime's. A photo tried in
"Try it" sends nothing of itself."""

from __future__ import annotations

import base64
import json
import urllib.request

import numpy as np
import pytest
from harness import FEATURES_READY, TRAIN_OUTCOME, class_names, start_server, write_pngs

CLASSES = class_names()
#: the page's own modules, run beside the app: its stored photo, the cached features, and two runs of the
#: session's extractor on the same input, one fetching the features alone, one with the map
PAGE_RUNS = """async ({ id, profile, url, token }) => {
  const { IndexedDBBackend } = await import('/src/lib/idb_backend.js');
  const { databaseName, imageBlob } = await import('/src/lib/storage.js');
  const { SessionList } = await import('/src/lib/sessions.js');
  const { FeatureExtractor } = await import('/src/ort_runtime.js');
  const { preprocessBlob } = await import('/src/image_decode.js');
  const sessions = new SessionList(await IndexedDBBackend.open(databaseName(profile)));
  const store = sessions.storeFor((await sessions.current()).key);  // the session the page shows
  const task = await (await fetch('/api/v1/task', { headers: { Authorization: 'Bearer ' + token } })).json();
  const bytes = new Uint8Array(await (await fetch(url, { headers: { Authorization: 'Bearer ' + token } })).arrayBuffer());
  const extractor = await FeatureExtractor.create(bytes);
  const chw = await preprocessBlob(imageBlob(await store.getImage(id)), task.backbone);
  const plain = await extractor.extract(chw, task.backbone.input_size);
  const both = await extractor.extractWithMap(chw, task.backbone.input_size);
  await extractor.release();
  const b64 = (a) => { const u8 = new Uint8Array(a.buffer, a.byteOffset, a.byteLength); let s = '';
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000)); return btoa(s); };
  return { chw: b64(chw), plain: b64(plain), pooled: b64(both.features), map: b64(both.featureMap), mapDims: both.mapDims,
           cached: b64(await store.getFeatures(id, task.backbone.sha256)), hasMap: extractor.hasFeatureMap };
}"""
WHY_CANVAS = "() => { const c = document.querySelector('#why-view canvas'); return {...c.dataset}; }"


def floats(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype="<f4")


def api_get(server, path: str, token: str) -> tuple[bytes, dict]:
    request = urllib.request.Request(f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read(), dict(response.headers)


@pytest.fixture(scope="module")
def server(tmp_path_factory, webclient_dist, fashion_mnist):
    srv = start_server(tmp_path_factory.mktemp("cam-server"), {"title": "Where it looks", "classes": CLASSES})
    yield srv
    srv.stop()


def test_the_map_why_draws_is_the_native_one_and_the_features_stay_todays(chromium, server, tmp_path):
    from influx_desktop.models import cam
    from influx_desktop.models.backbones import get_backbone
    from influx_desktop.models.features import FeatureExtractor
    from influx_desktop.models.images import preprocess

    context = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors, bodies = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: bodies.append((r.url, r.post_data_buffer or b"")))
    profile = "cam"
    page.goto(server.join_url(profile))
    page.wait_for_selector("#task-view:not([hidden])", timeout=60_000)
    page.click("#guide-done")
    photos = write_pngs(tmp_path / "photos", "train", per_class=2, seed=21)
    page.set_input_files("#add-photos", [str(p) for p, _ in photos])
    page.wait_for_function(FEATURES_READY, arg=len(photos), timeout=180_000)
    for path, label in photos:
        page.select_option(f'fl-image-card[data-name="{path.name}"] select', label)
    page.click("button[data-tab=train]")
    page.wait_for_selector("#train-button:not([disabled])", timeout=60_000)
    page.click("#train-button")
    assert page.wait_for_function(TRAIN_OUTCOME, timeout=180_000).json_value() == "applied"
    page.click("button[data-tab=photos]")

    path, label = photos[1]
    card = f'fl-image-card[data-name="{path.name}"]'
    page.wait_for_selector(f"{card} button.why:visible", timeout=60_000)
    page.click(f"{card} button.why")
    page.wait_for_selector("#why-view[data-state=ready]", timeout=60_000)
    first = page.evaluate(WHY_CANVAS)
    assert first["class"] == label and first["model"] == "class", first  # opens on the label chosen
    # another class: its button redraws the map for that class
    other = (CLASSES.index(label) + 1) % len(CLASSES)
    page.click(f'#why-view .explain-scores button[data-index="{other}"]')
    page.wait_for_function(f"() => document.querySelector('#why-view canvas').dataset.classIndex === '{other}'")
    second = page.evaluate(WHY_CANVAS)

    join = page.evaluate(
        """async (profile) => { const { IndexedDBBackend } = await import('/src/lib/idb_backend.js');
        const { databaseName } = await import('/src/lib/storage.js');
        const { SessionList } = await import('/src/lib/sessions.js');
        const sessions = new SessionList(await IndexedDBBackend.open(databaseName(profile)));
        return sessions.storeFor((await sessions.current()).key).getJoin(); }""",
        profile,
    )
    token = join["token"]
    task = json.loads(api_get(server, "/api/v1/task", token)[0])
    body, headers = api_get(server, "/api/v1/model", token)
    params = np.frombuffer(body, dtype="<f4")
    extractor_bytes = api_get(server, task["artifacts"]["feature_extractor"]["url"], token)[0]
    page_id = page.get_attribute(card, "data-id")
    runs = page.evaluate(
        PAGE_RUNS, {"id": page_id, "profile": profile, "url": task["artifacts"]["feature_extractor"]["url"], "token": token}
    )
    assert runs["hasMap"] and runs["mapDims"] == [1, 1280, 7, 7]

    # natively: the same file, the same photo (the server's preprocessing gives the browser's input bit for bit)
    model_file = tmp_path / "feature_extractor.onnx"
    model_file.write_bytes(extractor_bytes)
    x = preprocess(path.read_bytes(), get_backbone(task["backbone"]["name"]))
    chw = floats(runs["chw"]).reshape(3, 224, 224)
    assert np.array_equal(x.reshape(3, 224, 224), chw), "preprocessing differs from the server's"
    native_features, native_maps = FeatureExtractor(model_file).extract_with_maps(chw[None])

    # the pooled features: one run with the map, one without, the page's cache and onnxruntime
    pooled = floats(runs["pooled"])
    assert np.array_equal(pooled, floats(runs["plain"])), "fetching the map changed the features"
    assert np.array_equal(pooled, floats(runs["cached"])), "the features cached when the photo was prepared differ"
    pooled_diff = float(np.abs(pooled - native_features[0]).max())
    assert pooled_diff <= 1e-5, pooled_diff
    # and the page's map run gives the native feature map
    assert np.abs(floats(runs["map"]).reshape(1280, 7, 7) - native_maps[0]).max() <= 1e-4 * np.ptp(native_maps[0])

    version = int(headers.get("X-Model-Version") or headers.get("x-model-version"))
    assert version >= 1
    native = cam.class_activation_maps(native_maps[0], params, len(CLASSES))
    report = {}
    for shown in (first, second):
        k = int(shown["classIndex"])
        browser_map = np.asarray(json.loads(shown["cam"]), dtype=np.float64).reshape(7, 7)
        span = float(np.ptp(native[k]))
        assert span > 0 and abs(float(shown["range"]) - span) <= 1e-4 * span
        diff = float(np.abs(browser_map - native[k]).max())
        report[CLASSES[k]] = {"max_abs_diff": diff, "range": span, "relative": diff / span}
        assert diff <= 1e-4 * span, report
    print(f"\nnative vs Chromium, pooled features max |diff| {pooled_diff:.2e}; maps: {json.dumps(report)}")

    # "Try it" on a photo of its own: scored and explained on the device, never sent
    page.keyboard.press("Escape")
    page.click("button[data-tab=try]")
    tried = write_pngs(tmp_path / "try", "test", per_class=1, seed=22)[0][0]
    sent_before = len(bodies)
    page.set_input_files("#try-pick", str(tried))
    page.wait_for_selector("#try-view[data-state=ready]", timeout=60_000)
    png = tried.read_bytes()
    for url, body in bodies[sent_before:]:
        assert b"\x89PNG" not in body and png[-64:] not in body and tried.name.encode() not in body, url
    assert not errors, errors
    context.close()
