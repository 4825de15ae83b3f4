"""Rate limits, body caps, security headers and file access, through the real Flask app (test client: no socket)."""

import ast
import hashlib
from pathlib import Path

import numpy as np
import pytest

from influx_desktop.coordinator import Coordinator
from influx_desktop.server.app import CONTENT_SECURITY_POLICY, create_app
from influx_desktop.server.limits import RateLimits


@pytest.fixture
def coordinator(tmp_path):
    c = Coordinator(tmp_path)
    yield c
    c.close()


def test_joins_per_address_are_limited_with_a_retry_hint(coordinator):
    client = create_app(coordinator, "admin", limits=RateLimits(joins_per_ip=3)).test_client()
    codes = [client.post("/api/v1/join", json={"join_code": "NOSUCH"}).status_code for _ in range(3)]
    limited = client.post("/api/v1/join", json={"join_code": "NOSUCH"})
    assert codes == [404, 404, 404]
    assert limited.status_code == 429
    assert limited.json["error"]["code"] == "rate_limited"
    assert "try again in" in limited.json["error"]["message"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    other_address = client.post("/api/v1/join", json={"join_code": "NOSUCH"}, environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert other_address.status_code == 404


def test_updates_per_participant_are_limited_and_the_limited_one_changes_nothing(coordinator):
    session = coordinator.create_session({"title": "t", "classes": ["a", "b"]})
    # Start without building model files: this test is about the HTTP limit, not the model.
    coordinator._set_state(session["id"], "running", ("draft",), "session_started")
    client = create_app(coordinator, "admin", limits=RateLimits(updates_per_participant=2)).test_client()
    token = client.post("/api/v1/join", json={"join_code": session["join_code"]}).json["token"]
    headers = {"Authorization": f"Bearer {token}", "X-Sample-Count": "4", "Content-Type": "application/octet-stream"}
    _, params = coordinator.parameters(session["id"])
    for version in (0, 1):
        ok = client.post("/api/v1/updates", data=(params + 0.01).tobytes(), headers={**headers, "X-Base-Version": str(version)})
        assert ok.status_code == 200, ok.json
        _, params = coordinator.parameters(session["id"])
    limited = client.post("/api/v1/updates", data=(params + 0.01).tobytes(), headers={**headers, "X-Base-Version": "2"})
    assert limited.status_code == 429
    assert coordinator.current_version(session["id"]) == 2
    assert np.array_equal(coordinator.parameters(session["id"])[1], params)


def test_a_class_of_40_behind_one_address_all_get_through_their_first_visit(tmp_path, model_cache):
    """40 phones behind one NAT address, default limits: every request of every first visit is answered.

    A first visit is the web app's files (here every file of the packaged build, more than a browser needs),
    the join, the task, the model and the five model files: ~50 requests, 2,000 for the class within a
    minute. The model files are asked with the browser's ``If-None-Match`` after the first participant (a
    304, so the test does not copy 13 MB forty times); they pass the limiter the same way.
    """
    from influx_desktop.server.app import PACKAGED_WEBCLIENT
    from influx_desktop.server.static_files import index_dist

    coordinator = Coordinator(tmp_path / "nat", model_cache=model_cache)
    try:
        session = coordinator.create_session({"title": "NAT", "classes": ["a", "b"]})
        coordinator.start_session(session["id"])
        client = create_app(coordinator, "admin").test_client()  # the default RateLimits
        files = ["/"] + [f"/{name}" for name in index_dist(PACKAGED_WEBCLIENT)]
        answers = []
        for i in range(40):
            answers += [client.get(path).status_code for path in files]
            answers.append(client.get(f"/api/v1/join/{session['join_code']}").status_code)
            joined = client.post("/api/v1/join", json={"join_code": session["join_code"], "nickname": f"p{i}"})
            answers.append(joined.status_code)
            auth = {"Authorization": f"Bearer {joined.json['token']}"}
            task = client.get("/api/v1/task", headers=auth)
            answers += [task.status_code, client.get("/api/v1/model", headers=auth).status_code]
            for artifact in task.json["artifacts"].values():
                answers.append(
                    client.get(
                        artifact["url"], headers={**auth, "If-None-Match": f'"{artifact["sha256"]}"'} if i else auth
                    ).status_code
                )
        assert len(answers) > 40 * 45
        assert set(answers) <= {200, 304}, sorted(set(answers))
    finally:
        coordinator.close()


def test_the_web_apps_files_do_not_count_against_the_address_limit(coordinator):
    from influx_desktop.server.app import PACKAGED_WEBCLIENT
    from influx_desktop.server.static_files import index_dist

    client = create_app(coordinator, "admin", limits=RateLimits(0, 0, 5)).test_client()
    name = next(iter(index_dist(PACKAGED_WEBCLIENT)))
    assert [client.get(f"/{name}").status_code for _ in range(50)] == [200] * 50
    assert [client.get("/api/v1/status").status_code for _ in range(5)] == [200] * 5
    assert client.get("/api/v1/status").status_code == 429  # the API is still counted


def test_every_response_carries_the_content_security_policy(coordinator):
    client = create_app(coordinator, "admin").test_client()
    response = client.get("/api/v1/status")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'wasm-unsafe-eval'" in CONTENT_SECURITY_POLICY and "connect-src 'self'" in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# ------------------------------------------------------------------ body caps, per route


@pytest.fixture
def running(coordinator):
    session = coordinator.create_session({"title": "t", "classes": ["a", "b"], "study_logging": True})
    coordinator._set_state(session["id"], "running", ("draft",), "session_started")
    token = coordinator.join(session["join_code"], consent=True)["token"]
    app = create_app(coordinator, "admin", webclient_dir=None, limits=RateLimits(0, 0, 0))
    return coordinator, session, app.test_client(), token


def _stored(coordinator):
    q = coordinator.store.query
    return [
        q(f"SELECT COUNT(*) FROM {t}")[0][0]
        for t in ("participants", "updates", "model_versions", "events", "test_results", "study_events")
    ]


@pytest.mark.parametrize(
    "path, limit, content_type, auth",
    [
        ("/api/v1/join", 64 * 1024, "application/json", False),
        ("/api/v1/updates", 1024 * 1024, "application/octet-stream", True),
        ("/api/v1/events", 256 * 1024, "application/json", True),
        ("/api/v1/test-results", 64 * 1024, "application/json", True),
    ],
)
def test_each_route_caps_its_body_and_stores_nothing(running, path, limit, content_type, auth):
    coordinator, session, client, token = running
    headers = {"Authorization": f"Bearer {token}"} if auth else {}
    before = _stored(coordinator)
    too_big = client.post(
        path,
        data=b" " * (limit + 1),
        content_type=content_type,
        headers={**headers, "X-Base-Version": "0", "X-Sample-Count": "1"},
    )
    assert too_big.status_code == 413 and too_big.json["error"]["code"] == "payload_too_large"
    # A Content-Length that claims more than the cap is refused before the body is read.
    claimed = client.post(
        path, data=b"{}", content_type=content_type, headers=headers, environ_overrides={"CONTENT_LENGTH": str(10 * limit)}
    )
    assert claimed.status_code == 413
    assert _stored(coordinator) == before


def test_admin_test_set_upload_is_capped_before_reading(coordinator):
    client = create_app(coordinator, "admin", webclient_dir=None).test_client()
    session = coordinator.create_session({"title": "t", "classes": ["a", "b"]})
    response = client.put(
        f"/api/v1/admin/sessions/{session['id']}/testset",
        data=b"PK",
        content_type="application/zip",
        headers={"Authorization": "Bearer admin"},
        environ_overrides={"CONTENT_LENGTH": str(2 * 1024**3)},
    )
    assert response.status_code == 413


def test_requests_per_address_are_limited(coordinator):
    client = create_app(coordinator, "admin", webclient_dir=None, limits=RateLimits(0, 0, 5)).test_client()
    assert [client.get("/api/v1/status").status_code for _ in range(5)] == [200] * 5
    limited = client.get("/api/v1/status")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


# ------------------------------------------------------------------ no route reads a file by a client path

TRAVERSALS = [
    "../index.json",
    "..%2Findex.json",
    "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "....//....//etc/passwd",
    "..\\..\\index.json",
    "..%5C..%5Cindex.json",
    "index.json",
    "blobs",
    ".lock",
    "tmp",
    "%00",
    "x%00.onnx",
    "..",
    ".",
    "%2e%2e",
    "~root",
    "C:%5Cwindows%5Cwin.ini",
    "blobs%2F{sha}.onnx",
    "..%2Fblobs%2F{sha}.onnx",
    "{sha}.onnx",
    "{sha}%00",
    "{SHA}",
    "{sha}/",
    "./{sha}",
]


def test_artifacts_answer_only_from_the_cache_index(running, model_cache, extractor_artifact):
    coordinator, session, client, token = running
    from influx_desktop.coordinator import Coordinator

    # A coordinator over the suite's model cache, so the index really holds files next to other files.
    with_models = Coordinator(coordinator.data_dir / "with-models", model_cache=model_cache)
    try:
        app = create_app(with_models, "admin", webclient_dir=None, limits=RateLimits(0, 0, 0))
        c = app.test_client()
        sha = extractor_artifact.sha256
        ok = c.get(f"/api/v1/artifacts/{sha}")
        assert ok.status_code == 200 and hashlib.sha256(ok.data).hexdigest() == sha
        secrets_outside = [
            Path("/etc/passwd").read_bytes() if Path("/etc/passwd").exists() else b"\0never",
            (model_cache.root / "index.json").read_bytes(),
        ]
        for attempt in TRAVERSALS:
            path = "/api/v1/artifacts/" + attempt.format(sha=sha, SHA=sha.upper())
            response = c.get(path)
            assert response.status_code in (308, 404, 405), (path, response.status_code)
            assert response.data not in secrets_outside
    finally:
        with_models.close()


def test_static_files_answer_only_from_their_index(coordinator, tmp_path):
    dist = tmp_path / "dist"
    (dist / "src").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>x</title>")
    (dist / "src" / "main.js").write_text("export {};")
    (tmp_path / "secret.txt").write_text("do not serve")
    (dist / "link.txt").symlink_to(tmp_path / "secret.txt")  # a symlink leading out of the dist folder
    client = create_app(coordinator, "admin", webclient_dir=dist).test_client()
    assert client.get("/src/main.js").status_code == 200
    for attempt in [
        "../secret.txt",
        "..%2Fsecret.txt",
        "src/../../secret.txt",
        "src%2F..%2F..%2Fsecret.txt",
        "link.txt",
        "%2e%2e/secret.txt",
        "/etc/passwd",
        "src/..%5C..%5Csecret.txt",
        "index.html%00.js",
    ]:
        response = client.get("/" + attempt)
        assert response.status_code in (308, 404), (attempt, response.status_code)
        assert b"do not serve" not in response.data


def test_the_server_package_opens_files_only_through_its_indexes():
    """Every send_file/open in influx_desktop/server/ is on a path that came from an index, never a request."""
    server_dir = Path(__file__).resolve().parents[2] / "influx_desktop" / "server"
    allowed = {
        ("participant_api.py", "send_file"): "path = coordinator.models.artifact_by_sha256(sha256)",
        ("static_files.py", "send_file"): "asset.gzip_path if use_gzip else asset.path",
    }
    found = set()
    for source in server_dir.glob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ("send_file", "send_from_directory", "open", "read_bytes", "read_text"):
                    found.add((source.name, name))
    # static_files.py opens files while building its index (path.open in _digest); network.py reads
    # /proc/net/route. Neither takes anything from a request.
    assert found <= set(allowed) | {("static_files.py", "open"), ("network.py", "read_text")}, found
    for (name, _), needle in allowed.items():
        assert needle in (server_dir / name).read_text()
