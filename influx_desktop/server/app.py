"""The Flask application factory: it takes its dependencies and holds no global state."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request

from .errors import register_error_handlers
from .limits import RateLimits, SlidingWindow
from .facilitator_api import TEST_SET_BODY_LIMIT, make_facilitator_blueprint
from .participant_api import make_participant_blueprint

PACKAGED_WEBCLIENT = Path(__file__).resolve().parent.parent / "webclient_dist"


# The web app loads ORT's WebAssembly ('wasm-unsafe-eval') and nothing from anywhere else.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; "
    "img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


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


def create_app(
    coordinator,
    admin_token: str,
    webclient_dir: Path | None = PACKAGED_WEBCLIENT,
    limits: RateLimits = RateLimits(),
) -> Flask:
    app = Flask("influx_desktop.server")
    app.config["MAX_CONTENT_LENGTH"] = TEST_SET_BODY_LIMIT
    app.config["PRIVATE_PATHS"] = _private_paths(coordinator)
    app.json.sort_keys = False
    register_error_handlers(app)
    requests_per_ip = SlidingWindow(limits.requests_per_ip)

    @app.before_request
    def limit_each_address():
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
    return app
