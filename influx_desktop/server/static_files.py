"""Serving the built participant app (influx_desktop/webclient_dist/) to browsers.

Every servable file is indexed once at start-up: a client path is only ever looked up in that
index, never joined onto the file system, so nothing outside `dist_dir` can be reached.
Files with a `.gz` sibling (written by scripts/bundle_webclient.py) are sent compressed to
clients that accept gzip. The app's own files revalidate on every visit (`no-cache` + ETag →
304); the ONNX Runtime files live under a versioned folder (`vendor/<package>-<version>/`) and
are cached for a year.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, abort, request, send_file

MIME_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".onnx": "application/octet-stream",
    ".map": "application/json",
}
VERSIONED_PREFIX = "vendor/"
LONG_CACHE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@dataclass(frozen=True)
class StaticAsset:
    path: Path
    gzip_path: Path | None
    mimetype: str
    etag: str
    cache_control: str


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:32]


def index_dist(dist_dir: Path) -> dict[str, StaticAsset]:
    """Map each servable URL path (posix, relative) to its file, built once."""
    root = dist_dir.resolve()
    assets: dict[str, StaticAsset] = {}
    if not root.is_dir():
        return assets
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.endswith(".gz") or path.name.startswith("."):
            continue
        resolved = path.resolve()
        if not resolved.is_relative_to(root):  # a symlink leading out of dist_dir
            continue
        rel = path.relative_to(root).as_posix()
        gz = path.with_name(path.name + ".gz")
        assets[rel] = StaticAsset(
            path=resolved,
            gzip_path=gz.resolve() if gz.is_file() and gz.resolve().is_relative_to(root) else None,
            mimetype=MIME_TYPES.get(path.suffix.lower(), "application/octet-stream"),
            etag=_digest(resolved),
            cache_control=LONG_CACHE if rel.startswith(VERSIONED_PREFIX) else REVALIDATE,
        )
    return assets


def _accepts_gzip() -> bool:
    return request.accept_encodings.quality("gzip") > 0


def _serve(asset: StaticAsset) -> Response:
    use_gzip = asset.gzip_path is not None and _accepts_gzip()
    etag = f"{asset.etag}-gz" if use_gzip else asset.etag
    response = send_file(
        asset.gzip_path if use_gzip else asset.path,
        mimetype=asset.mimetype,
        etag=etag,
        conditional=True,
        last_modified=None,
        max_age=None,
    )
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    if asset.gzip_path is not None:
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = asset.cache_control
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>InFL-UX Desktop</title>
<p>The participant app has not been built. On the facilitator's computer run
<code>(cd webclient &amp;&amp; npm ci) &amp;&amp; python scripts/bundle_webclient.py</code>
and restart the server.</p>"""


def make_static_blueprint(dist_dir: Path) -> Blueprint:
    """A blueprint serving `/` (index.html) and every file of the built web app."""
    assets = index_dist(Path(dist_dir))
    blueprint = Blueprint("webclient", __name__)

    @blueprint.get("/")
    def index() -> Response:
        if "index.html" not in assets:
            return Response(NOT_BUILT, status=503, mimetype="text/html", headers={"Cache-Control": "no-store"})
        return _serve(assets["index.html"])

    @blueprint.get("/<path:filename>")
    def asset(filename: str) -> Response:
        found = assets.get(filename)
        if found is None:
            abort(404)
        return _serve(found)

    return blueprint
