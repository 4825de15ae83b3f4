"""``influx-desktop``: the desktop app; ``influx-desktop serve``: the same server, headless."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import threading
from pathlib import Path

from . import __version__
from .errors import InfluxError
from .paths import DATA_DIR_ENV, default_data_dir


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0 to 65535; 0: any free port)")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="influx-desktop", description="Hands-on federated learning for a room.")
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument(
        "--data-dir", type=Path, help=f"where sessions are stored (default: ${DATA_DIR_ENV} or the user data dir)"
    )
    parser.add_argument("--host", help="address the desktop app preselects for its server (default: the default-route one)")
    parser.add_argument("--lang", help="language of the desktop app: en, de (default: $INFLUX_LANG, else the system's)")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the FL server without a window")
    serve.add_argument("--host", required=True, help="address to listen on, e.g. 127.0.0.1 or this machine's LAN address")
    serve.add_argument(
        "--port",
        type=_port,
        default=None,
        help="port (0: any free port). Default: the port the session was served on last time, so participants' "
        "join links (and the photos their browsers keep for them) stay the same; any free port the first time",
    )
    serve.add_argument("--data-dir", type=Path, dest="serve_data_dir", help="same as the global --data-dir")
    serve.add_argument("--session", type=int, help="resume this session id (default: the newest one)")
    serve.add_argument("--config", type=Path, help="create a new session from this JSON settings file")
    serve.add_argument("--title", help="create a new session with this title (with --classes)")
    serve.add_argument("--classes", help="comma-separated class names for a new session")
    serve.add_argument("--aggregator", help="aggregator of a new session (fedasync, fedbuff, …)")
    return parser


def private_umask() -> None:
    """Files and folders this process creates are the user's alone (0600 / 0700): the database, the
    model cache, test sets, and the exports the facilitator saves (event logs and study data name
    participants). POSIX only; Windows profile folders are private by their ACLs."""
    if os.name == "posix":
        os.umask(0o077)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    private_umask()
    data_dir = getattr(args, "serve_data_dir", None) or args.data_dir or default_data_dir()
    try:
        if args.command == "serve":
            return serve(args, data_dir)
        from .gui.app import run_app

        return run_app(data_dir, host=args.host, lang=args.lang)
    except InfluxError as exc:
        print(f"influx-desktop: {exc.message}", file=sys.stderr)
        return 2


def _new_session_settings(args) -> dict | None:
    """The settings of the session ``--config`` or ``--title``/``--classes`` ask to create, else None."""
    if args.config:
        try:
            return json.loads(args.config.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise InfluxError(f"Cannot read {args.config}: {exc}") from None
    if args.title or args.classes:
        settings = {"title": args.title or "", "classes": [c for c in (args.classes or "").split(",")]}
        if args.aggregator:
            settings["aggregator"] = args.aggregator
        return settings
    return None


def _existing_session_id(coordinator, args) -> int:
    session_id = args.session or coordinator.latest_session_id()
    if session_id is None:
        raise InfluxError("There is no session yet: pass --title and --classes (or --config FILE) to create one.")
    coordinator.get_session(session_id)  # an unknown --session is NotFound before anything binds
    return session_id


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _interface_name(host: str) -> str | None:
    """The adapter ``host`` belongs to, for display (None when unknown, e.g. 0.0.0.0)."""
    from .server.network import list_ipv4_interfaces

    try:
        return next((i.name for i in list_ipv4_interfaces() if i.address == host), None)
    except Exception:  # listing adapters is a nicety here; serving does not depend on it
        return None


def _port_in_use_message(exc, keeps_link: bool) -> str:
    """One line: what is wrong, that nothing changed, and how to serve anyway."""
    other = f"--port {exc.free_port}" if exc.free_port else "--port 0"
    if keeps_link:
        return (
            f"{exc.message} Participants' join links of this session use port {exc.port}; nothing was changed. "
            f"Close that program and run serve again to keep their links, or pass another port (e.g. {other}; "
            "--port 0: any free port), which changes their links."
        )
    return f"{exc.message} Nothing was changed. Pass another port with --port (e.g. {other}; --port 0: any free port)."


def serve(args, data_dir: Path) -> int:
    """Bind first, so a taken port exits (2) before anything in the data dir changes; then create, start or
    resume the session and remember where it is served: the next start without --port keeps its join link."""
    from .coordinator import Coordinator
    from .server.app import create_app
    from .server.runner import PortInUse, ServerThread

    coordinator = Coordinator(data_dir)
    try:
        settings = _new_session_settings(args)
        session_id = None if settings is not None else _existing_session_id(coordinator, args)
        remembered = coordinator.network_choice(session_id) if session_id is not None else None
        port = args.port if args.port is not None else (remembered["port"] if remembered else 0)
        admin_token = secrets.token_urlsafe(24)
        try:
            server = ServerThread(create_app(coordinator, admin_token), args.host, port).start()
        except PortInUse as exc:
            keeps_link = remembered is not None and (remembered["host"], remembered["port"]) == (args.host, port)
            raise InfluxError(_port_in_use_message(exc, keeps_link)) from None
        try:
            if session_id is None:
                session_id = coordinator.create_session(settings)["id"]
            coordinator.start_or_resume(session_id, progress=lambda text: print(text, flush=True))
            coordinator.remember_network_choice(session_id, args.host, server.port, _interface_name(args.host))
        except BaseException:
            server.stop()
            raise
        session = coordinator.get_session(session_id)
        # Before the lines below: whoever reads them may send SIGTERM at once, and must get a clean stop.
        stop = threading.Event()
        # SIGBREAK: Ctrl+Break in a Windows console (the only signal another process can send there)
        for sig in (signal.SIGINT, signal.SIGTERM, *([signal.SIGBREAK] if hasattr(signal, "SIGBREAK") else [])):
            signal.signal(sig, lambda *_: stop.set())
        print(f"url: {server.url}/?join={session['join_code']}", flush=True)
        if remembered is not None and (remembered["host"], remembered["port"]) != (args.host, server.port):
            print(
                f"note: this session was served at {_url(remembered['host'], remembered['port'])} before: "
                "participants' join links changed to the url above",
                flush=True,
            )
        print(f"session: {session_id}", flush=True)
        print(f"join code: {session['join_code']}", flush=True)
        print(f"admin token: {admin_token}", flush=True)
        print(f"version: {session['version']}", flush=True)
        print(f"data dir: {data_dir}", flush=True)
        # Timed: a signal delivered to a server thread (any thread may take a process-directed signal) only
        # runs its Python handler once the main thread wakes; an untimed wait could sleep through it forever.
        while not stop.wait(0.5):
            pass
        print("stopping…", flush=True)
        server.stop()
        return 0
    finally:
        coordinator.close()


if __name__ == "__main__":
    sys.exit(main())
