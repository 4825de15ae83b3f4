"""The Flask application factory: it takes its dependencies and holds no global state."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request

from .errors import register_error_handlers
from .facilitator_api import TEST_SET_BODY_LIMIT, _is_loopback, make_facilitator_blueprint
from .limits import RateLimits, SlidingWindow
from .participant_api import STUDY_BODY_LIMIT, UPDATE_BODY_LIMIT, make_participant_blueprint
from .requests import JSON_BODY_LIMIT

PACKAGED_WEBCLIENT = Path(__file__).resolve().parent.parent / "webclient_dist"


# The web app loads ORT's WebAssembly ('wasm-unsafe-eval') and nothing from anywhere else.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; "
    "img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


#: The most each route reads of a body, by endpoint: the server refuses a larger one before reading it
#: (server/connections.py). Routes that read a JSON body take JSON_BODY_LIMIT; a body-taking route missing
#: here gets UNLISTED_BODY_LIMIT (test_connections.py::test_every_body_taking_route_has_a_body_limit asks
#: for its entry).
BODY_LIMITS = {
    "participant.join": JSON_BODY_LIMIT,
    "participant.updates": UPDATE_BODY_LIMIT,
    "participant.study_events": STUDY_BODY_LIMIT,
    "participant.test_results": JSON_BODY_LIMIT,
    "participant.withdraw": JSON_BODY_LIMIT,  # reads no body
    "participant.class_stats": 1024 * 1024,  # participant_api.CLASS_STATS_BODY_LIMIT (K×1280×2 float32 ≤ 512,000 B)
    "facilitator.create_session": JSON_BODY_LIMIT,
    "facilitator.update_session": JSON_BODY_LIMIT,
    "facilitator.change_state": JSON_BODY_LIMIT,  # start/stop/pause/resume read no body
    "facilitator.create_group": JSON_BODY_LIMIT,
    "facilitator.rename_group": JSON_BODY_LIMIT,
    "facilitator.testset": TEST_SET_BODY_LIMIT,
}
UNLISTED_BODY_LIMIT = UPDATE_BODY_LIMIT
BODY_METHODS = {"POST", "PUT", "PATCH"}


def _body_limit(app: Flask):
    """``limit(method, path, peer)``: the body cap of the route a request goes to (JSON_BODY_LIMIT for
    anything that matches no body-taking route, and for facilitator routes asked from another machine,
    which are refused anyway)."""
    adapter = app.url_map.bind("localhost")

    def limit(method: str, path: str, peer: str) -> int:
        try:
            endpoint, _ = adapter.match(path, method=method)
        except Exception:  # 404, 405, a redirect: no route will read this body
            return JSON_BODY_LIMIT
        if endpoint.startswith("facilitator.") and not _is_loopback(peer):
            return JSON_BODY_LIMIT
        if endpoint in BODY_LIMITS:
            return BODY_LIMITS[endpoint]
        return UNLISTED_BODY_LIMIT if method in BODY_METHODS else JSON_BODY_LIMIT

    return limit


def _private_paths(coordinator) -> list[str]:
    """Folders no error answer may name: the data dir, the model cache, the home folder (longest first, so
    a data dir inside the home folder is cut whole)."""
    folders = [getattr(coordinator, "data_dir", None), getattr(getattr(coordinator, "models", None), "root", None)]
    try:
        folders.append(Path.home())
    except RuntimeError:  # no home folder can be determined
        pass
    paths = {str(p) for f in folders if f is not None for p in (Path(f), Path(f).resolve())}
    return sorted(paths, key=len, reverse=True)


#: Not counted against ``requests_per_ip``: the web app's own files and the content-addressed model files,
#: immutable and read from the static index or the model cache without touching the database. A first
#: visit is ~48 requests, ~40 of them these; counted, a class of 40 behind one NAT address (1,900 requests
#: in its first minute) would be refused. Their cost is bounded by the connection guard instead
#: (server/connections.py: open connections per address, minimum body and header rates).
UNCOUNTED_ENDPOINTS = frozenset({"webclient.index", "webclient.asset", "participant.artifact"})


def create_app(
    coordinator, admin_token: str, webclient_dir: Path | None = PACKAGED_WEBCLIENT, limits: RateLimits = RateLimits()
) -> Flask:
    app = Flask("influx_desktop.server")
    app.config["MAX_CONTENT_LENGTH"] = TEST_SET_BODY_LIMIT
    app.config["PRIVATE_PATHS"] = _private_paths(coordinator)
    app.json.sort_keys = False
    register_error_handlers(app)
    requests_per_ip = SlidingWindow(limits.requests_per_ip)

    @app.before_request
    def limit_each_address():
        if request.endpoint in UNCOUNTED_ENDPOINTS:
            return
        requests_per_ip.hit(request.remote_addr or "?", "requests from this address")

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    app.register_blueprint(make_participant_blueprint(coordinator, limits))
    app.register_blueprint(make_facilitator_blueprint(coordinator, admin_token))
    if webclient_dir is not None and (Path(webclient_dir) / "index.html").exists():
        from .static_files import make_static_blueprint

        app.register_blueprint(make_static_blueprint(Path(webclient_dir)))
    app.extensions["influx_body_limits"] = dict(BODY_LIMITS)
    app.extensions["influx_body_limit"] = _body_limit(app)  # read by server/runner.py
    return app
