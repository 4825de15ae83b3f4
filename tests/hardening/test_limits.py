"""Rate limits and security headers, through the real Flask app (test client: no socket needed)."""

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


def test_every_response_carries_the_content_security_policy(coordinator):
    client = create_app(coordinator, "admin").test_client()
    response = client.get("/api/v1/status")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'wasm-unsafe-eval'" in CONTENT_SECURITY_POLICY and "connect-src 'self'" in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
