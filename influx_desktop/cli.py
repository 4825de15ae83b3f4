"""``influx-desktop``: the desktop app; ``influx-desktop serve``: the same server, headless."""

from __future__ import annotations

import argparse
import json
import secrets
import signal
import sys
import threading
from pathlib import Path

from . import __version__
from .errors import InfluxError
from .paths import DATA_DIR_ENV, default_data_dir


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="influx-desktop", description="Hands-on federated learning for a room.")
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("--data-dir", type=Path, help=f"where sessions are stored (default: ${DATA_DIR_ENV} or the user data dir)")
    parser.add_argument("--host", help="address the desktop app preselects for its server (default: the default-route one)")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the FL server without a window")
    serve.add_argument("--host", required=True, help="address to listen on, e.g. 127.0.0.1 or this machine's LAN address")
    serve.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    serve.add_argument("--data-dir", type=Path, dest="serve_data_dir", help="same as the global --data-dir")
    serve.add_argument("--session", type=int, help="resume this session id (default: the newest one)")
    serve.add_argument("--config", type=Path, help="create a new session from this JSON settings file")
    serve.add_argument("--title", help="create a new session with this title (with --classes)")
    serve.add_argument("--classes", help="comma-separated class names for a new session")
    serve.add_argument("--aggregator", help="aggregator of a new session (fedasync, fedbuff, …)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    data_dir = getattr(args, "serve_data_dir", None) or args.data_dir or default_data_dir()
    try:
        if args.command == "serve":
            return serve(args, data_dir)
        from .gui.app import run_app

        return run_app(data_dir, host=args.host)
    except InfluxError as exc:
        print(f"influx-desktop: {exc.message}", file=sys.stderr)
        return 2


def _session_for(coordinator, args) -> int:
    settings = None
    if args.config:
        try:
            settings = json.loads(args.config.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise InfluxError(f"Cannot read {args.config}: {exc}") from None
    elif args.title or args.classes:
        settings = {"title": args.title or "", "classes": [c for c in (args.classes or "").split(",")]}
        if args.aggregator:
            settings["aggregator"] = args.aggregator
    if settings is not None:
        return coordinator.create_session(settings)["id"]
    session_id = args.session or coordinator.latest_session_id()
    if session_id is None:
        raise InfluxError("There is no session yet: pass --title and --classes (or --config FILE) to create one.")
    return session_id


def serve(args, data_dir: Path) -> int:
    from .coordinator import Coordinator
    from .server.app import create_app
    from .server.runner import ServerThread

    coordinator = Coordinator(data_dir)
    try:
        session_id = _session_for(coordinator, args)
        if coordinator.get_session(session_id)["state"] != "running":
            if coordinator.get_session(session_id)["state"] == "paused":
                coordinator.resume_session(session_id)
            else:
                coordinator.start_session(session_id, progress=lambda text: print(text, flush=True))
        session = coordinator.get_session(session_id)
        admin_token = secrets.token_urlsafe(24)
        server = ServerThread(create_app(coordinator, admin_token), args.host, args.port).start()
        print(f"url: {server.url}/?join={session['join_code']}", flush=True)
        print(f"session: {session_id}", flush=True)
        print(f"join code: {session['join_code']}", flush=True)
        print(f"admin token: {admin_token}", flush=True)
        print(f"version: {session['version']}", flush=True)
        print(f"data dir: {data_dir}", flush=True)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
        print("stopping…", flush=True)
        server.stop()
        return 0
    finally:
        coordinator.close()


if __name__ == "__main__":
    sys.exit(main())
