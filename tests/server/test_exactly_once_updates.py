"""An update whose answer is lost on the way back is stored once: the client sends it again with the same
``Idempotency-Key`` and gets the answer the server committed the first time.

A loopback TCP proxy between client and server forwards the request, lets the server answer, and closes
the client's connection instead of forwarding that first answer (it keeps the bytes, so the test can
compare them with what the retry gets)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import uuid
from urllib.parse import urlsplit

import numpy as np
import pytest
from at_once import at_once
from participant_sim import HttpClient, Response, SimulatedParticipant

CLASSES = ["t-shirt", "trouser", "sneaker", "bag"]
UPDATES = b"POST /api/v1/updates "


class AnswerLosingProxy:
    """127.0.0.1 only. Each client connection gets its own connection to the server; on the first
    ``lose`` connections whose request starts with ``lose_prefix``, the server's whole answer is read and
    then the client's connection is closed without a byte of it."""

    def __init__(self, server_port: int, lose: int = 1, lose_prefix: bytes = UPDATES) -> None:
        self.server_port = server_port
        self.lose_prefix = lose_prefix
        self._to_lose = lose
        self._lock = threading.Lock()
        self.lost_answers: list[bytes] = []
        self.lost = threading.Event()  # set once an answer was swallowed
        self.forwarded = 0  # requests whose answer is passed on
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            thread = threading.Thread(target=self._relay, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _relay(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.server_port))
        try:
            start = b""
            while len(start) < len(self.lose_prefix) and b"\r\n" not in start:
                chunk = client.recv(65536)
                if not chunk:
                    return
                start += chunk
            with self._lock:
                lose = start.startswith(self.lose_prefix) and self._to_lose > 0
                self._to_lose -= lose
                self.forwarded += not lose
            upstream.sendall(start)
            pump = threading.Thread(target=_copy, args=(client, upstream), daemon=True)
            pump.start()
            if lose:
                answer = _read_all(upstream)  # the client asks for Connection: close, so the server ends it
                with self._lock:
                    self.lost_answers.append(answer)
                self.lost.set()
                client.shutdown(socket.SHUT_RDWR)  # closed with no answer: the client sees a dropped connection
            else:
                _copy(upstream, client)
            pump.join(10)
        finally:
            client.close()
            upstream.close()

    def close(self) -> None:
        self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        self._listener.close()
        self._accepting.join(10)
        for thread in self._threads:
            thread.join(10)


def _copy(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
        target.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the other side went away: the relay is over


def _read_all(source: socket.socket) -> bytes:
    data = b""
    while chunk := source.recv(65536):
        data += chunk
    return data


def _parse_answer(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


@pytest.fixture
def proxy_factory():
    made: list[AnswerLosingProxy] = []

    def make(server_url: str, **kwargs) -> AnswerLosingProxy:
        proxy = AnswerLosingProxy(urlsplit(server_url).port, **kwargs)
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.close()


def _session(server, **settings) -> tuple[int, str]:
    admin = server.admin()
    session = admin.create_session({"title": "Lossy Wi-Fi", "classes": CLASSES, **settings})
    admin.start(session["id"])
    return session["id"], session["join_code"]


def _participant(server, join_code: str, tmp_path, nickname: str = "Ada") -> SimulatedParticipant:
    no_data = np.zeros((0, 1280), np.float32), np.zeros(0, np.int64)
    sim = SimulatedParticipant(server.url, *no_data, artifact_dir=tmp_path / "artifacts", nickname=nickname)
    sim.join(join_code)
    return sim


def _post(client: HttpClient, body: bytes, key: str | None, base_version: int = 0, sample_count: int = 10) -> Response:
    headers = {"X-Base-Version": str(base_version), "X-Sample-Count": str(sample_count)}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.request("POST", "/api/v1/updates", body, content_type="application/octet-stream", headers=headers)


def _moved(sim: SimulatedParticipant, seed: int, scale: float = 0.01) -> bytes:
    _, parameters = sim.model()
    rng = np.random.default_rng(seed)
    return (parameters + rng.normal(0, scale, parameters.shape).astype(np.float32)).astype("<f4").tobytes()


def _books(server, sid: int) -> dict:
    admin = server.admin()
    return {"updates": admin.updates(sid), "versions": admin.versions(sid), "events": admin.events(sid)}


def test_an_accepted_update_whose_answer_is_lost_is_stored_once_and_the_retry_gets_the_committed_answer(
    fl_server, tmp_path, proxy_factory
):
    server = fl_server()
    sid, join_code = _session(server)
    sim = _participant(server, join_code, tmp_path)
    proxy = proxy_factory(server.url)
    through_proxy = HttpClient(proxy.url, sim.token, timeout=30)
    body, key = _moved(sim, 0), uuid.uuid4().hex

    with pytest.raises((OSError, http.client.HTTPException)):  # the connection closed without an answer
        _post(through_proxy, body, key)
    assert proxy.lost.is_set()
    committed_status, committed = _parse_answer(proxy.lost_answers[0])
    assert committed_status == 200 and committed["accepted"] and committed["version"] == 1
    # The server committed before answering: the update is there although the client never heard so.
    stored = _books(server, sid)
    assert [(u["id"], u["status"]) for u in stored["updates"]] == [(committed["update_id"], "applied")]
    assert [v["version"] for v in stored["versions"]] == [0, 1]

    retry = _post(through_proxy, body, key)

    assert retry.status == 200 and retry.json() == committed
    assert proxy.forwarded == 1
    assert _books(server, sid) == stored  # no second row, no second version, no new event
    kinds = [json.loads(line)["kind"] for line in stored["events"].splitlines()]
    assert kinds.count("update_accepted") == 1 and kinds.count("model_version") == 1
    row = server.coordinator.store.query_one("SELECT idempotency_key FROM updates WHERE id=?", (committed["update_id"],))
    assert row["idempotency_key"] == key


def test_the_simulated_participant_retries_a_lost_answer_with_the_same_key(fl_server, tmp_path, proxy_factory):
    server = fl_server()
    sid, join_code = _session(server, aggregator="fedbuff", aggregator_params={"buffer_size": 2})
    sim = _participant(server, join_code, tmp_path)
    proxy = proxy_factory(server.url)
    sim.base_url = proxy.url  # from now on everything goes through the proxy; the first update's answer is lost
    version, parameters = sim.model()

    ack = sim.submit(parameters + 0.01, version, sample_count=10)

    assert proxy.lost.is_set() and proxy.forwarded == 2  # the model download and the retry
    _, committed = _parse_answer(proxy.lost_answers[0])
    assert ack == dict(committed, base_version=version)
    assert ack["applied"] is False  # FedBuff is still filling its buffer: the first answer, told again
    updates = server.admin().updates(sid)
    assert [(u["id"], u["status"]) for u in updates] == [(ack["update_id"], "buffered")]


def test_a_rejected_update_whose_answer_is_lost_gets_the_same_rejection_and_one_audit_row(fl_server, tmp_path, proxy_factory):
    server = fl_server()
    sid, join_code = _session(server, max_staleness=0)
    sim = _participant(server, join_code, tmp_path)
    other = _participant(server, join_code, tmp_path, "Bob")
    stale = _moved(sim, 0)
    assert _post(other, _moved(other, 1), None).status == 200  # version 1: base version 0 is too stale now
    proxy = proxy_factory(server.url)
    through_proxy = HttpClient(proxy.url, sim.token, timeout=30)
    key = uuid.uuid4().hex

    with pytest.raises((OSError, http.client.HTTPException)):
        _post(through_proxy, stale, key)
    assert proxy.lost.is_set()
    committed_status, committed = _parse_answer(proxy.lost_answers[0])
    assert (committed_status, committed["error"]["code"]) == (409, "too_stale")
    stored = _books(server, sid)

    retry = _post(through_proxy, stale, key)

    assert (retry.status, retry.json()) == (committed_status, committed)
    assert _books(server, sid) == stored
    assert [u["status"] for u in stored["updates"]] == ["applied", "rejected"]


def test_simultaneous_retries_with_one_key_store_one_update(fl_server, tmp_path):
    server = fl_server(threads=8)
    sid, join_code = _session(server)
    sim = _participant(server, join_code, tmp_path)
    body, key = _moved(sim, 0), uuid.uuid4().hex
    senders = 8
    answers = at_once(senders, lambda: _post(HttpClient(server.url, sim.token), body, key))
    assert len(answers) == senders
    assert {(a.status, a.body) for a in answers} == {(answers[0].status, answers[0].body)}
    assert answers[0].status == 200
    assert len(server.admin().updates(sid)) == 1
    assert [v["version"] for v in server.admin().versions(sid)] == [0, 1]


def test_a_reused_key_and_a_malformed_key_are_json_errors_that_change_nothing(fl_server, tmp_path):
    server = fl_server()
    sid, join_code = _session(server)
    sim = _participant(server, join_code, tmp_path)
    key = uuid.uuid4().hex
    assert _post(sim, _moved(sim, 0), key).status == 200
    stored = _books(server, sid)

    reused = _post(sim, _moved(sim, 1), key, base_version=1)
    assert reused.status == 409
    assert (reused.error["code"], reused.error["field"]) == ("idempotency_key_reused", "idempotency_key")
    assert "different update" in reused.error["message"]

    for bad in ("short", "x" * 101, "no spaces here", "semi;colon1"):
        malformed = _post(sim, _moved(sim, 2), bad, base_version=1)
        assert malformed.status == 400, bad
        assert (malformed.error["code"], malformed.error["field"]) == ("invalid_input", "idempotency_key")
        assert "Idempotency-Key" in malformed.error["message"]
    assert _books(server, sid) == stored
