"""The Flask application factory: it takes its dependencies and holds no global state."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from .errors import register_error_handlers
from .facilitator_api import TEST_SET_BODY_LIMIT, make_facilitator_blueprint
from .participant_api import make_participant_blueprint

PACKAGED_WEBCLIENT = Path(__file__).resolve().parent.parent / "webclient_dist"


def create_app(coordinator, admin_token: str, webclient_dir: Path | None = PACKAGED_WEBCLIENT) -> Flask:
    app = Flask("influx_desktop.server")
    app.config["MAX_CONTENT_LENGTH"] = TEST_SET_BODY_LIMIT
    app.json.sort_keys = False
    register_error_handlers(app)
    app.register_blueprint(make_participant_blueprint(coordinator))
    app.register_blueprint(make_facilitator_blueprint(coordinator, admin_token))
    if webclient_dir is not None and (Path(webclient_dir) / "index.html").exists():
        from .static_files import make_static_blueprint

        app.register_blueprint(make_static_blueprint(Path(webclient_dir)))
    return app
