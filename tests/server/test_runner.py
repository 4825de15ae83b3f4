"""The waitress runner stops promptly and cleanly, on 127.0.0.1."""

from __future__ import annotations

import logging
import socket
import threading
import time
import urllib.request

from flask import Flask

from influx_desktop.server.runner import ServerThread


def _app() -> Flask:
    app = Flask(__name__)

    @app.get("/slow")
    def slow():
        time.sleep(0.3)
        return "done"

    @app.get("/fast")
    def fast():
        return "ok"

    return app


def _get(url: str) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        return response.read().decode()


def test_stop_finishes_the_request_in_progress_closes_the_port_and_logs_no_error(caplog):
    server = ServerThread(_app(), "127.0.0.1", 0).start()
    port = server.port
    assert _get(f"{server.url}/fast") == "ok"
    answers: list[str] = []
    client = threading.Thread(target=lambda: answers.append(_get(f"{server.url}/slow")))
    client.start()
    time.sleep(0.1)
    with caplog.at_level(logging.WARNING):
        started = time.monotonic()
        server.stop()
        took = time.monotonic() - started
    client.join(10)
    assert answers == ["done"]
    # The serving loop waited out its 1 s select() timeout before it noticed closed sockets.
    assert took < 0.9, f"stop took {took:.2f} s"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.records
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    server.stop()  # a second stop is harmless
