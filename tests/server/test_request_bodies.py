"""Request bodies are read within their size cap, in chunks, with errors that say what to send."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from flask import Flask

from influx_desktop.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from influx_desktop.server.requests import body_bytes, json_body

BIG_LIMIT = 512 * 1024 * 1024  # the test-set upload's cap


@pytest.fixture
def app():
    return Flask(__name__)


def test_a_small_body_under_a_huge_cap_costs_no_huge_buffer(app):
    with app.test_request_context(method="PUT", data=b"PK" + bytes(1000), content_type="application/zip"):
        tracemalloc.start()
        try:
            data = body_bytes(BIG_LIMIT, "application/zip")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert data == b"PK" + bytes(1000)
    assert peak < 8 * 1024 * 1024  # it allocated the whole cap (512 MB) per upload


def test_the_cap_holds_with_and_without_a_content_length(app):
    with app.test_request_context(method="POST", data=bytes(100), content_type="application/octet-stream"):
        assert len(body_bytes(100, "application/octet-stream")) == 100
    with app.test_request_context(method="POST", data=bytes(101), content_type="application/octet-stream"):
        with pytest.raises(PayloadTooLarge, match="at most 100 bytes; this one is 101"):
            body_bytes(100, "application/octet-stream")
    # Chunked upload: no Content-Length, the server (waitress) marks the input as terminated.
    chunked = {
        "wsgi.input": io.BytesIO(bytes(3 * 1024 * 1024)),
        "wsgi.input_terminated": True,
        "CONTENT_TYPE": "application/octet-stream",
    }
    with app.test_request_context(method="POST", environ_overrides=chunked):
        with pytest.raises(PayloadTooLarge, match="at most 2097152 bytes"):
            body_bytes(2 * 1024 * 1024, "application/octet-stream")
    chunked["wsgi.input"] = io.BytesIO(bytes(2 * 1024 * 1024))
    with app.test_request_context(method="POST", environ_overrides=chunked):
        assert len(body_bytes(2 * 1024 * 1024, "application/octet-stream")) == 2 * 1024 * 1024


def test_type_and_json_errors(app):
    with app.test_request_context(method="POST", data=b"{}", content_type="text/plain"):
        with pytest.raises(UnsupportedMediaType) as e:
            json_body()
    assert e.value.field == "Content-Type" and "'text/plain'" in e.value.message
    with app.test_request_context(method="POST", data=b"\xff\xfe", content_type="application/json"):
        with pytest.raises(InvalidInput) as e:
            json_body()
    assert e.value.code == "malformed_json"
    with app.test_request_context(method="POST", data=b'{"a": [1, 2]}', content_type="application/json; charset=utf-8"):
        assert json_body() == {"a": [1, 2]}
