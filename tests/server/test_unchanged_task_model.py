"""A later round fetches the task and the model again only when they changed (issue 17): both answers carry
an ETag (the hash of the body) and ``Cache-Control: no-store``; a GET with that ETag in If-None-Match is
answered 304 with no body while nothing changed, and 200 with the new body once an update moved the model
on (or a new learning rate named other training files). Through waitress on 127.0.0.1."""

from __future__ import annotations

import numpy as np
from participant_sim import SimulatedParticipant


def _a_participant_in_a_running_session(fl_server, tmp_path):
    server = fl_server()
    admin = server.admin()
    session = admin.create_session({"title": "Rounds", "classes": ["cat", "dog"]})
    admin.start(session["id"])
    sim = SimulatedParticipant(server.url, np.zeros((0, 1280), np.float32), np.zeros(0, np.int64), artifact_dir=tmp_path / "a")
    sim.join(session["join_code"])
    return server, admin, session, sim


def test_task_and_model_are_304_until_they_change(fl_server, tmp_path):
    server, admin, session, sim = _a_participant_in_a_running_session(fl_server, tmp_path)

    def get(path, etag=None):
        return sim.request("GET", path, headers={"If-None-Match": etag} if etag else None)

    task, model = get("/api/v1/task"), get("/api/v1/model")
    for r in (task, model):
        assert r.status == 200 and r.body
        assert r.headers["ETag"].startswith('"') and r.headers["Cache-Control"] == "no-store"
    for path, first in (("/api/v1/task", task), ("/api/v1/model", model)):
        again = get(path, first.headers["ETag"])
        assert (again.status, again.body) == (304, b""), path
        assert again.headers["ETag"] == first.headers["ETag"]
        assert get(path, '"not-this-one"').body == first.body
    assert get("/api/v1/model", model.headers["ETag"]).headers["X-Model-Version"] == model.headers["X-Model-Version"]

    version = int(model.headers["X-Model-Version"])
    params = np.frombuffer(model.body, "<f4")
    assert sim.submit(params + np.float32(0.01), version, sample_count=4)["applied"] is True
    newer_model, newer_task = get("/api/v1/model", model.headers["ETag"]), get("/api/v1/task", task.headers["ETag"])
    assert newer_model.status == 200 and int(newer_model.headers["X-Model-Version"]) == version + 1
    assert not np.array_equal(np.frombuffer(newer_model.body, "<f4"), params)
    assert newer_task.status == 200 and newer_task.json()["version"] == version + 1

    # a new learning rate names another optimizer_model: the task is new, and so is its ETag
    admin.configure(session["id"], {"learning_rate": 0.01})
    relearnt = get("/api/v1/task", newer_task.headers["ETag"])
    assert relearnt.status == 200
    assert relearnt.json()["artifacts"]["optimizer_model"] != newer_task.json()["artifacts"]["optimizer_model"]
    assert get("/api/v1/task", relearnt.headers["ETag"]).status == 304


def test_a_304_keeps_the_connection_open(fl_server, tmp_path):
    """waitress closes an HTTP/1.1 answer without Content-Length, and a 304 has none: every unchanged poll
    then cost a new connection. On one http.client connection, a 304 carries no ``Connection: close`` and
    the next request travels over the same socket (its local port is unchanged)."""
    import http.client
    from urllib.parse import urlsplit

    server, _, _, sim = _a_participant_in_a_running_session(fl_server, tmp_path)
    url = urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    auth = {"Authorization": f"Bearer {sim.token}"}
    try:
        ports, etags = [], {}
        for path in ("/api/v1/task", "/api/v1/model"):
            conn.request("GET", path, headers=auth)
            first = conn.getresponse()
            first.read()
            ports.append(conn.sock.getsockname()[1])
            etags[path] = first.getheader("ETag")
            for _ in range(3):
                conn.request("GET", path, headers={**auth, "If-None-Match": etags[path]})
                again = conn.getresponse()
                assert again.read() == b"" and again.status == 304, path
                assert again.getheader("Connection") is None, path
                assert not again.will_close, path
                ports.append(conn.sock.getsockname()[1])
        assert len(set(ports)) == 1, ports
        # a client that asks to close still gets its connection closed
        conn.request("GET", "/api/v1/task", headers={**auth, "If-None-Match": etags["/api/v1/task"], "Connection": "close"})
        closing = conn.getresponse()
        assert closing.read() == b"" and closing.status == 304
        assert closing.will_close and closing.getheader("Connection") == "close"
    finally:
        conn.close()
