"""The real server of the tests and benchmarks: ``create_app`` under waitress on 127.0.0.1, over a Coordinator.

The fixtures in tests/conftest.py and the benchmarks (bench/common.py, which puts tests/ on sys.path)
both start it from here, in-process and on a free port.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from participant_sim import AdminClient


@dataclass
class RunningServer:
    coordinator: object
    thread: object
    admin_token: str

    @property
    def url(self) -> str:
        return self.thread.url

    def admin(self) -> AdminClient:
        return AdminClient(self.url, self.admin_token)

    def stop(self) -> None:
        self.thread.stop()
        self.coordinator.close()


def start_server(
    data_dir: Path, model_cache=None, threads: int = 8, limits=None, webclient_dir: Path | None = None, extra_blueprints=()
) -> RunningServer:
    """A Coordinator over ``data_dir`` served on 127.0.0.1 (a free port), with a fresh admin token.

    ``limits``: the server's RateLimits (default: the product's own). ``webclient_dir``: the participant
    app to serve (default: none). ``extra_blueprints``: registered after the product's own.
    """
    from influx_desktop.coordinator import Coordinator
    from influx_desktop.server.app import create_app
    from influx_desktop.server.runner import ServerThread

    coordinator = Coordinator(Path(data_dir), model_cache=model_cache)
    admin_token = secrets.token_urlsafe(16)
    extra = {} if limits is None else {"limits": limits}
    app = create_app(coordinator, admin_token, webclient_dir=webclient_dir, **extra)
    for blueprint in extra_blueprints:
        app.register_blueprint(blueprint)
    thread = ServerThread(app, "127.0.0.1", 0, threads=threads).start()
    return RunningServer(coordinator, thread, admin_token)
