"""The static blueprint serves the built web app: compression, MIME types, caching, no escape."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from flask import Flask

from influx_desktop.server.static_files import make_static_blueprint

INDEX = b"<!doctype html><title>app</title>" + b" " * 400
APP_JS = b"export const answer = 42;\n" * 40
WASM = b"\x00asm\x01\x00\x00\x00" + bytes(range(256)) * 20


@pytest.fixture()
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "src").mkdir(parents=True)
    (root / "vendor" / "onnxruntime-web-1.19.2").mkdir(parents=True)
    files = {
        "index.html": INDEX,
        "src/main.js": APP_JS,
        "app.css": b"body { margin: 0 }\n" * 30,
        "vendor/onnxruntime-web-1.19.2/ort.training.wasm.min.mjs": APP_JS,
        "vendor/onnxruntime-web-1.19.2/ort-training-wasm-simd-threaded.wasm": WASM,
    }
    for rel, data in files.items():
        (root / rel).write_bytes(data)
        (root / (rel + ".gz")).write_bytes(gzip.compress(data, mtime=0))
    (root / "plain.json").write_bytes(b'{"a": 1}')  # no .gz sibling
    (tmp_path / "secret.txt").write_text("outside dist")
    return root


@pytest.fixture()
def client(dist: Path):
    app = Flask(__name__)
    app.register_blueprint(make_static_blueprint(dist))
    return app.test_client()


def test_root_serves_index_uncached_but_revalidatable(client):
    r = client.get("/", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert r.data == INDEX
    assert r.mimetype == "text/html"
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.headers["ETag"]
    assert "Content-Encoding" not in r.headers


def test_join_link_query_string_still_serves_index(client):
    r = client.get("/?join=ABC123&profile=alice", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200 and r.data == INDEX


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/src/main.js", "text/javascript"),
        ("/vendor/onnxruntime-web-1.19.2/ort.training.wasm.min.mjs", "text/javascript"),
        ("/vendor/onnxruntime-web-1.19.2/ort-training-wasm-simd-threaded.wasm", "application/wasm"),
        ("/app.css", "text/css"),
        ("/plain.json", "application/json"),
    ],
)
def test_mime_types(client, path, mimetype):
    r = client.get(path)
    assert r.status_code == 200
    assert r.mimetype == mimetype


def test_gzip_sibling_when_the_client_accepts_gzip(client):
    r = client.get("/vendor/onnxruntime-web-1.19.2/ort-training-wasm-simd-threaded.wasm",
                   headers={"Accept-Encoding": "gzip, deflate, br"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in r.headers["Vary"]
    assert r.mimetype == "application/wasm"
    assert gzip.decompress(r.data) == WASM
    assert int(r.headers["Content-Length"]) == len(r.data) < len(WASM)


def test_identity_when_gzip_is_not_accepted(client):
    for accept in ("identity", "gzip;q=0", ""):
        r = client.get("/src/main.js", headers={"Accept-Encoding": accept})
        assert "Content-Encoding" not in r.headers, accept
        assert r.data == APP_JS
        assert "Accept-Encoding" in r.headers["Vary"]


def test_file_without_gz_sibling_is_sent_as_is(client):
    r = client.get("/plain.json", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in r.headers
    assert r.data == b'{"a": 1}'


def test_etag_differs_per_encoding_and_conditional_get_gives_304(client):
    plain = client.get("/src/main.js", headers={"Accept-Encoding": "identity"})
    packed = client.get("/src/main.js", headers={"Accept-Encoding": "gzip"})
    assert plain.headers["ETag"] != packed.headers["ETag"]
    again = client.get("/src/main.js", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == packed.headers["ETag"]
    stale = client.get("/src/main.js", headers={"Accept-Encoding": "gzip", "If-None-Match": '"something-else"'})
    assert stale.status_code == 200


def test_versioned_runtime_is_cached_for_a_year_app_files_revalidate(client):
    runtime = client.get("/vendor/onnxruntime-web-1.19.2/ort.training.wasm.min.mjs")
    assert runtime.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/src/main.js").headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    ["/../secret.txt", "/src/../../secret.txt", "/%2e%2e/secret.txt", "/src/%2e%2e/%2e%2e/secret.txt",
     "/..%2fsecret.txt", "/missing.js", "/src/main.js.gz", "/src", "//etc/passwd"],
)
def test_nothing_outside_the_index_is_served(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert b"outside dist" not in r.data


def test_symlink_out_of_dist_is_not_served(dist: Path):
    (dist / "escape.txt").symlink_to(dist.parent / "secret.txt")
    app = Flask(__name__)
    app.register_blueprint(make_static_blueprint(dist))
    assert app.test_client().get("/escape.txt").status_code == 404


def test_head_request(client):
    r = client.head("/src/main.js", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert int(r.headers["Content-Length"]) == len(APP_JS)


def test_missing_build_explains_how_to_build(tmp_path: Path):
    app = Flask(__name__)
    app.register_blueprint(make_static_blueprint(tmp_path / "nothing-here"))
    r = app.test_client().get("/")
    assert r.status_code == 503
    assert b"bundle_webclient.py" in r.data
