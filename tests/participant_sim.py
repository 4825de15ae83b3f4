"""A simulated participant (and a facilitator client) that talk to a real server over HTTP.

It does what the browser does, in Python: join with the join code, read the task manifest, download the
head's training artifacts by content hash (checking the hash), send its per-class feature statistics when
the manifest asks for them and its class counts changed since it last sent them (``POST /class-stats``),
fetch the global model, train the head on its own features with onnxruntime's training API
(``influx_desktop.models.local_training.train_head``, the same artifact files ORT-web loads; the classes it
has no photos of masked through ``logit_offset`` when the manifest says ``mask_absent_classes``) and post the
new parameters as raw float32 with its base version.

    from participant_sim import AdminClient, SimulatedParticipant   # with tests/ on sys.path
    admin = AdminClient(url, admin_token)
    session = admin.create_session({"title": "Clothes", "classes": ["shirt", "trouser"]})
    admin.start(session["id"])
    sim = SimulatedParticipant(url, features, labels, artifact_dir=tmp / "artifacts")
    sim.join(session["join_code"])
    ack = sim.train_round()          # {"accepted": True, "version": ..., "staleness": ..., ...}

Features are computed by the caller (once, with ``FeatureExtractor``), because extracting them is the
expensive part and many participants share one backbone; pass ``feature_sha256`` to have the participant
check that the server's backbone is the one the features came from.

Only loopback addresses are accepted, and environment proxies are ignored: simulated traffic never leaves
the machine.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import os
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    @property
    def error(self) -> dict:
        """The ``{"code", "message", "field"}`` of an error response."""
        return self.json()["error"]


class ApiError(Exception):
    def __init__(self, response: Response, what: str) -> None:
        try:
            error = response.error
        except (ValueError, KeyError, TypeError):
            error = {"code": None, "message": response.body[:200].decode("utf-8", "replace"), "field": None}
        super().__init__(f"{what}: HTTP {response.status} {error.get('code')}: {error.get('message')}")
        self.response = response
        self.status = response.status
        self.code = error.get("code")
        self.message = error.get("message")
        self.field = error.get("field")


def _require_loopback(base_url: str) -> None:
    host = urlsplit(base_url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"test clients talk to loopback servers only, not {base_url!r}")


class HttpClient:
    """urllib with no proxies, errors returned as ``Response`` objects (never raised), JSON helpers."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 60.0) -> None:
        _require_loopback(base_url)
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        *,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        token: str | None | bool = True,
    ) -> Response:
        """``token=True``: this client's token; a string: that token; ``None``/``False``: no Authorization."""
        all_headers = dict(headers or {})
        bearer = self.token if token is True else token or None
        if bearer:
            all_headers.setdefault("Authorization", f"Bearer {bearer}")
        if content_type is not None:
            all_headers["Content-Type"] = content_type
        req = urllib.request.Request(self.base_url + path, data=body, method=method, headers=all_headers)
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                return Response(resp.status, resp.headers, resp.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return Response(exc.code, exc.headers, exc.read())

    def call(self, method: str, path: str, body: bytes | None = None, **kwargs) -> Response:
        """Like ``request`` but raises ``ApiError`` for any status of 400 or more."""
        response = self.request(method, path, body, **kwargs)
        if response.status >= 400:
            raise ApiError(response, f"{method} {path}")
        return response

    def call_json(self, method: str, path: str, payload: Any = None, **kwargs) -> Any:
        body = None if payload is None else json.dumps(payload).encode()
        content_type = None if payload is None else "application/json"
        return self.call(method, path, body, content_type=content_type, **kwargs).json()


class AdminClient(HttpClient):
    """The facilitator API (``/api/v1/admin``), authenticated with the server's admin token."""

    def sessions(self) -> list[dict]:
        return self.call_json("GET", "/api/v1/admin/sessions")

    def create_session(self, config: dict) -> dict:
        return self.call_json("POST", "/api/v1/admin/sessions", config)

    def session(self, session_id: int) -> dict:
        return self.call_json("GET", f"/api/v1/admin/sessions/{session_id}")

    def configure(self, session_id: int, changes: dict) -> dict:
        return self.call_json("PATCH", f"/api/v1/admin/sessions/{session_id}", changes)

    def start(self, session_id: int) -> dict:
        return self.call_json("POST", f"/api/v1/admin/sessions/{session_id}/start")

    def action(self, session_id: int, action: str) -> dict:
        return self.call_json("POST", f"/api/v1/admin/sessions/{session_id}/{action}")

    def participants(self, session_id: int) -> list[dict]:
        return self.call_json("GET", f"/api/v1/admin/sessions/{session_id}/participants")

    def revoke(self, session_id: int, participant_id: int) -> dict:
        return self.call_json("DELETE", f"/api/v1/admin/sessions/{session_id}/participants/{participant_id}")

    def versions(self, session_id: int) -> list[dict]:
        return self.call_json("GET", f"/api/v1/admin/sessions/{session_id}/versions")

    def updates(self, session_id: int) -> list[dict]:
        return self.call_json("GET", f"/api/v1/admin/sessions/{session_id}/updates")

    def upload_test_set(self, session_id: int, zip_bytes: bytes) -> dict:
        return self.call("PUT", f"/api/v1/admin/sessions/{session_id}/testset", zip_bytes, content_type="application/zip").json()

    def test_set_status(self, session_id: int) -> dict:
        return self.call_json("GET", f"/api/v1/admin/sessions/{session_id}/testset")

    def accuracy(self, session_id: int) -> list[dict]:
        return self.call_json("GET", f"/api/v1/admin/sessions/{session_id}/accuracy")

    def model_onnx(self, session_id: int) -> bytes:
        return self.call("GET", f"/api/v1/admin/sessions/{session_id}/model.onnx").body

    def events(self, session_id: int, fmt: str = "jsonl") -> str:
        return self.call("GET", f"/api/v1/admin/sessions/{session_id}/events.{fmt}").body.decode("utf-8")


class SimulatedParticipant(HttpClient):
    """One participant: its own labelled features, its own token, the server's artifacts."""

    def __init__(
        self,
        base_url: str,
        features: np.ndarray,
        labels: np.ndarray,
        *,
        artifact_dir: Path | str,
        nickname: str = "sim",
        feature_sha256: str | None = None,
        seed: int = 0,
        timeout: float = 60.0,
    ) -> None:
        super().__init__(base_url, None, timeout)
        self.features = np.ascontiguousarray(features, dtype=np.float32)
        self.labels = np.asarray(labels, dtype=np.int64)
        if self.features.ndim != 2 or self.features.shape[0] != self.labels.shape[0]:
            raise ValueError("features [N,D] and labels [N] must match")
        self.artifact_dir = Path(artifact_dir)
        self.nickname = nickname
        self.feature_sha256 = feature_sha256
        self.seed = seed
        self.rounds = 0
        self.participant_id: int | None = None
        self.session_id: int | None = None
        self.manifest: dict | None = None
        self._head = None
        self.stats_sent_counts: list[int] | None = None  # the class counts of the last statistics accepted

    # ------------------------------------------------------------------ joining

    def join(self, join_code: str, device: str = "participant_sim", device_key: str | None = None) -> dict:
        """``device_key``: the browser profile's key; joining again with it returns the same participant."""
        payload = {"join_code": join_code, "nickname": self.nickname, "device": device}
        if device_key is not None:
            payload["device_key"] = device_key
        joined = self.call_json("POST", "/api/v1/join", payload, token=None)
        self.token = joined["token"]
        self.participant_id = joined["participant_id"]
        self.session_id = joined["session_id"]
        return joined

    def task(self, refresh: bool = False) -> dict:
        if self.manifest is None or refresh:
            self.manifest = self.call_json("GET", "/api/v1/task")
            if self.feature_sha256 is not None and self.manifest["backbone"]["sha256"] != self.feature_sha256:
                raise RuntimeError("the server's backbone is not the one these features were extracted with")
        return self.manifest

    def download_artifact(self, entry: dict) -> Path:
        """The artifact file, downloaded once into ``artifact_dir`` and checked against its sha256."""
        sha = entry["sha256"]
        path = self.artifact_dir / sha
        if path.exists():
            return path
        data = self.call("GET", entry["url"]).body
        if hashlib.sha256(data).hexdigest() != sha or len(data) != entry["bytes"]:
            raise RuntimeError(f"artifact {entry['url']} does not match its sha256/size")
        self.artifact_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.artifact_dir / f".{sha}.{uuid.uuid4().hex}"
        tmp.write_bytes(data)
        os.replace(tmp, path)  # other participants may share the directory
        return path

    def head_artifacts(self):
        """``HeadArtifacts`` over the downloaded training, eval, optimizer and checkpoint files."""
        if self._head is None:
            from influx_desktop.models.blob_store import Artifact
            from influx_desktop.models.head_artifacts import HEAD_ROLES, HeadArtifacts

            entries = self.task()["artifacts"]
            self._head = HeadArtifacts(
                **{
                    role: Artifact(self.download_artifact(entries[role]), entries[role]["sha256"], entries[role]["bytes"])
                    for role in HEAD_ROLES
                }
            )
        return self._head

    # ------------------------------------------------------------------ one round

    def class_stats(self):
        """This participant's ``ClassStats`` (per class: photo count, feature sums, sums of squares)."""
        from influx_desktop.class_stats import ClassStats

        return ClassStats.of(self.features, self.labels, len(self.task()["classes"]))

    def send_class_stats(self) -> dict:
        """POST /api/v1/class-stats: K×D float32 sums then K×D sums of squares, counts in X-Class-Counts."""
        stats = self.class_stats()
        answer = self.call(
            "POST",
            "/api/v1/class-stats",
            stats.to_body(),
            content_type="application/octet-stream",
            headers={"X-Class-Counts": stats.counts_header()},
        ).json()
        self.stats_sent_counts = stats.counts.tolist()
        return answer

    def send_class_stats_if_changed(self) -> dict | None:
        """What the browser does before an update: send statistics when the manifest asks for them, it has
        training photos, and their class counts differ from those last sent successfully (the first round;
        after photos were added)."""
        if len(self.labels) == 0 or not self.task()["training"].get("send_class_stats"):
            return None
        if self.stats_sent_counts == self.class_stats().counts.tolist():
            return None
        return self.send_class_stats()

    def model(self) -> tuple[int, np.ndarray]:
        response = self.call("GET", "/api/v1/model")
        return int(response.headers["X-Model-Version"]), np.frombuffer(response.body, dtype="<f4").astype(np.float32)

    def train(self, parameters: np.ndarray) -> np.ndarray:
        from influx_desktop.models.local_training import train_head

        training = self.task()["training"]
        trained = train_head(
            self.head_artifacts(),
            parameters,
            self.features,
            self.labels,
            epochs=training["local_epochs"],
            batch_size=training["batch_size"],
            seed=self.seed * 100_003 + self.rounds,
            mask_absent_classes=bool(training.get("mask_absent_classes")),
        )
        self.rounds += 1
        # A browser that diverged would send garbage; here it would mean local training is broken.
        if not np.all(np.isfinite(trained)) or float(np.abs(trained).max()) > 1e3:
            raise RuntimeError(f"local training returned implausible parameters (max |p| = {float(np.abs(trained).max()):.3g})")
        return trained

    def submit(
        self, parameters: np.ndarray, base_version: int, sample_count: int | None = None, idempotency_key: str | None = None
    ) -> dict:
        """Post an update with a fresh ``Idempotency-Key`` (or the one given); when the connection fails
        before an answer arrives, send it once more with the same key, as the browser does: the server
        stores it at most once and answers the retry with its first answer. Class statistics not yet sent
        (``send_class_stats_if_changed``) go first."""
        self.send_class_stats_if_changed()
        body = np.asarray(parameters, dtype="<f4").tobytes()
        headers = {
            "X-Base-Version": str(base_version),
            "X-Sample-Count": str(len(self.labels) if sample_count is None else sample_count),
            "Idempotency-Key": idempotency_key or uuid.uuid4().hex,
        }
        for attempt in (1, 2):
            try:
                response = self.call("POST", "/api/v1/updates", body, content_type="application/octet-stream", headers=headers)
                break
            except (OSError, http.client.HTTPException):  # refused, reset, closed without an answer, timed out
                if attempt == 2:
                    raise
        return dict(response.json(), base_version=base_version)

    def train_round(self) -> dict:
        """Send changed class statistics, fetch the global model, train on it, post the result; returns the
        server's answer to the update."""
        self.send_class_stats_if_changed()
        version, parameters = self.model()
        return self.submit(self.train(parameters), version)

    def report_test_result(self, features: np.ndarray, labels: np.ndarray) -> dict:
        """Score the current global model on held-out features (as the browser's test tab does); post it."""
        from influx_desktop.models import head

        classes = self.task()["classes"]
        version, parameters = self.model()
        labels = np.asarray(labels)
        correct = head.logits(features, parameters, len(classes)).argmax(axis=1) == labels
        per_class = {
            name: {"correct": int(correct[labels == k].sum()), "total": int((labels == k).sum())}
            for k, name in enumerate(classes)
        }
        payload = {"version": version, "accuracy": float(correct.mean()), "n": int(len(correct)), "per_class": per_class}
        self.call_json("POST", "/api/v1/test-results", payload)
        return payload
