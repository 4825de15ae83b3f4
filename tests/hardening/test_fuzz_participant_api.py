"""Property-based fuzzing of every participant route through Flask's test client (in-process, fast).

For each route hypothesis generates at least 1,000 requests with random headers, tokens (valid, revoked,
another session's, garbage), bodies and lengths, floats (NaN, ±Inf, subnormals, huge values), versions and
sample counts. Properties:

- never a 5xx; every error is JSON ``{"error": {"code", "message", "field"}}``;
- on every non-2xx response the stored state is unchanged: session rows, current version and its
  parameter bytes, number of versions, participant rows, accepted (buffered/applied) updates, test
  results and events. The one allowed trace: a *well-formed* update refused by a session rule
  (``too_stale``, ``norm_too_large``) is recorded as a 'rejected' audit row in ``updates`` with an
  ``update_rejected`` event (and the participant's ``last_seen`` moves);
- the artifact route only ever answers with a file whose content hash is the one asked for;
- class statistics that are accepted leave the model finite (``test_fuzz_class_stats``);
- leaving the study answers the same shape every time and leaves none of the participant's study events
  (``test_fuzz_withdraw``);
- an update answered (accepted, or refused by a session rule) under a new ``Idempotency-Key`` is answered
  the same again when re-sent with that key, and the re-send changes nothing.

Rate limits are off (``RateLimits.off()``) so that fuzzing tests the handlers, not the limiter.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from urllib.parse import quote

import numpy as np
import pytest
from conftest import AUDITED_CODES, CLASSES, assert_unchanged_or_audited
from hypothesis import HealthCheck, event, given, settings, strategies as st

EXAMPLES = settings(
    max_examples=1000,
    deadline=None,
    database=None,  # nothing written into the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def fuzz(test):
    """A slow property test of ``test(target, data)``: at least 1,000 examples, each drawing from ``data``."""
    return pytest.mark.slow(given(data=st.data())(EXAMPLES(test)))


# Header values as a WSGI server sees them: latin-1 text without line breaks.
LATIN1 = "".join(chr(c) for c in range(0x20, 0x100) if c != 0x7F)
header_text = st.text(st.sampled_from(LATIN1), max_size=24)
header_names = st.sampled_from(
    [
        "Accept",
        "Accept-Encoding",
        "If-None-Match",
        "If-Modified-Since",
        "Range",
        "X-Forwarded-For",
        "Origin",
        "Cookie",
        "X-Model-Version",
        "X-Requested-With",
        "Expect",
        "Content-Encoding",
    ]
) | st.text(st.sampled_from("abcXYZ-019"), min_size=1, max_size=12).map(lambda s: "X-" + s)
extra_headers = st.lists(st.tuples(header_names, header_text), max_size=4).map(dict)

special_floats = st.floats(width=32, allow_nan=True, allow_infinity=True, allow_subnormal=True) | st.sampled_from(
    [float("nan"), float("inf"), float("-inf"), 1.4e-45, -1.4e-45, 1.17e-38, 3.4e38, -3.4e38, 0.0, -0.0]
)
versions = st.one_of(
    st.integers(-3, 8).map(str),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0 ",
            " 1",
            "-0",
            "--1",
            "+1",
            "1.0",
            "1e3",
            "0x1",
            "²",
            "٣",
            "NaN",
            "inf",
            "null",
            "0" * 13,
            "9" * 12,
            "1,2",
            "١",
        ]
    ),
    header_text,
)
sample_counts = st.one_of(st.integers(-5, 2_000_000).map(str), versions)
# A well-formed key is never drawn twice (a counter, not hypothesis, makes it), so each is a first try;
# the malformed ones never match the pattern.
_fresh_keys = itertools.count()
idempotency_keys = st.one_of(
    st.none(),
    st.just("fresh"),
    header_text.filter(lambda v: not re.fullmatch(r"[A-Za-z0-9_-]{8,100}", v)),
    st.sampled_from(["short", "x" * 101, "with space", "ü" * 10]),
)
device_keys = st.one_of(
    st.sampled_from(["device-key-of-fuzz-0001", "device-key-of-fuzz-0002", "d" * 100, "e" * 16, "e" * 15, "f" * 101]),
    header_text,
    st.text(st.sampled_from("abcXYZ019_-"), min_size=14, max_size=18),
)


_STRATEGY_CACHE: dict = {}


def _cached(build):
    """Build a target's strategies once: building them per example costs more than running the request."""

    def get(t):
        key = (build.__name__, id(t))
        if key not in _STRATEGY_CACHE:
            _STRATEGY_CACHE[key] = build(t)
        return _STRATEGY_CACHE[key]

    return get


@_cached
def _tokens(t):
    return st.one_of(
        st.just(t.token),
        st.just(t.token),
        st.just(t.token),
        st.just(t.revoked_token),
        st.just(t.other_session_token),
        header_text,
        st.sampled_from(["", t.token + "x", t.token[:-1], t.token.upper(), "null", "admin-token-for-fuzz"]),
    )


@_cached
def _authorization(t):
    return st.one_of(
        st.just(f"Bearer {t.token}"),
        st.just(f"Bearer {t.token}"),
        st.none(),
        _tokens(t).map(lambda tok: f"Bearer {tok}"),
        st.tuples(st.sampled_from(["bearer", "BEARER", "Basic", "Token", "Bearer  ", ""]), _tokens(t)).map(" ".join),
        header_text,
    )


def _send(t, method: str, path: str, auth, headers: dict, body: bytes | None = None, content_type: str | None = None):
    all_headers = dict(headers)
    if auth is not None:
        all_headers["Authorization"] = auth
    kwargs = {"headers": all_headers}
    if body is not None:
        kwargs["data"] = body
    if content_type is not None:
        kwargs["content_type"] = content_type
    before = t.snapshot()
    response = t.client.open(path, method=method, **kwargs)
    assert response.status_code < 500, (response.status_code, response.data[:500])
    code = ""
    if response.status_code >= 400 and method != "HEAD":
        error = response.get_json()["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]
        code = error["code"]
    event(f"{response.status_code} {code}".strip())  # shown by --hypothesis-show-statistics
    if not 200 <= response.status_code < 300:
        assert_unchanged_or_audited(before, t.snapshot(), response)
    return response


methods = st.sampled_from(["GET", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
raw_bodies = st.one_of(st.none(), st.binary(max_size=2048))
content_types = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "application/json",
            "application/octet-stream",
            "text/plain",
            "application/json; charset=utf-8",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "APPLICATION/JSON",
        ]
    ),
    header_text,
)


def _send_drawn(t, data, method_strategy, path: str, auth_strategy=None):
    """``_send`` to ``path`` with the rest drawn: a method of ``method_strategy``, an Authorization header
    (``auth_strategy``, by default ``_authorization``), extra headers, a raw body and a content type."""
    auth = data.draw(auth_strategy if auth_strategy is not None else _authorization(t))
    return _send(
        t, data.draw(method_strategy), path, auth, data.draw(extra_headers), data.draw(raw_bodies), data.draw(content_types)
    )


def _envelope(data, t, content_type: str) -> tuple[str | None, str, str | None, bool]:
    """(Authorization, method, content type, well formed) of a POST route's request. Seven cases in ten:
    the valid token, POST and ``content_type``, so the body's checks are reached; else all three fuzzed."""
    if data.draw(st.integers(0, 9)) < 7:
        return f"Bearer {t.token}", "POST", content_type, True
    auth = data.draw(_authorization(t))
    method = data.draw(st.sampled_from(["POST"] * 8 + ["GET", "PUT"]))
    return auth, method, data.draw(content_types), False


@fuzz
def test_fuzz_status(target, data):
    response = _send_drawn(target, data, methods, "/api/v1/status")
    if response.status_code == 200 and response.request.method == "GET":
        assert response.get_json()["app"] == "influx-desktop"


# Any JSON string, lone UTF-16 surrogates included: JSON allows "\ud800" alone (json.dumps escapes it), and
# Python holds it as a str that UTF-8 (SQLite's encoder included) refuses: the server must answer 400.
lone_surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
json_text = header_text | st.lists(st.sampled_from(LATIN1) | lone_surrogates, min_size=1, max_size=12).map("".join)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**80), 2**80), special_floats, json_text)
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(json_text, inner, max_size=4), max_leaves=6
)


def _json_bytes(value) -> bytes:
    return json.dumps(value, allow_nan=True).encode()  # NaN/Infinity literals: Python's json accepts them


def _join_codes(target, variants: list[str]):
    """A join code as a route may get it: the session's (as given, in lower case), a draft session's, an
    unknown one, or one of ``variants``, the ways of writing it that route's own parsing has to handle."""
    return st.sampled_from([target.join_code, target.join_code.lower(), target.draft_join_code, "ABCDEF", *variants])


@fuzz
def test_fuzz_join(target, data):
    code = data.draw(_join_codes(target, [f"  {target.join_code} ", "", target.join_code + "X"]) | json_values)
    payload = data.draw(
        st.one_of(
            st.fixed_dictionaries(
                {"join_code": st.just(code)},
                optional={
                    "nickname": json_values,
                    "device": json_values,
                    "extra": json_values,
                    "consent": st.just(True) | json_values,
                    "device_key": device_keys | json_values,
                },
            ),
            json_values,
        )
    )
    body = data.draw(
        st.one_of(
            st.just(_json_bytes(payload)),
            st.binary(max_size=512),
            st.sampled_from([b"[" * 2000, b"{", b"\xff\xfe", b"", b"null", b"1e400"]),
        )
    )
    method = data.draw(st.sampled_from(["POST"] * 6 + ["GET", "PUT"]))
    response = _send(
        target,
        method,
        "/api/v1/join",
        data.draw(st.none() | _authorization(target)),
        data.draw(extra_headers),
        body,
        data.draw(st.just("application/json") | content_types),
    )
    if response.status_code == 200:
        reply = response.get_json()
        assert reply["session_id"] == target.sid and isinstance(reply["token"], str) and len(reply["token"]) >= 32
        assert isinstance(reply["rejoined"], bool)


@fuzz
def test_fuzz_task(target, data):
    response = _send_drawn(target, data, st.sampled_from(["GET"] * 5 + ["POST", "DELETE", "HEAD"]), "/api/v1/task")
    if response.status_code == 200 and response.request.method == "GET":
        assert response.get_json()["classes"] in (CLASSES, ["a", "b"])  # own or the other session's


TRAVERSALS = [
    "..",
    "../index.json",
    "..%2Findex.json",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "....//....//etc/passwd",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "index.json",
    "blobs",
    ".lock",
    "tmp",
    "..\\..\\index.json",
    "..%5C..%5Cindex.json",
    "%00",
    "a%00.onnx",
    "~",
    "%7E%2F.ssh",
    "C:%5Cwindows",
    "file:%2F%2F%2Fetc%2Fpasswd",
    "%252e%252e%252f",
]


@fuzz
def test_fuzz_artifacts(target, data):
    sha = data.draw(st.sampled_from(target.artifact_shas))
    name = data.draw(
        st.one_of(
            st.just(sha),
            st.just(sha.upper()),
            st.just(sha + ".onnx"),
            st.just(sha[:-1]),
            st.just(f"../blobs/{sha}.onnx"),
            st.just(f"..%2Fblobs%2F{sha}.onnx"),
            st.just(f"blobs%2F{sha}.onnx"),
            st.sampled_from(TRAVERSALS),
            st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
            st.text(max_size=80).map(lambda s: quote(s, safe="")),
            st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=80).map(lambda s: quote(s, safe="/%.")),
        )
    )
    path = "/api/v1/artifacts/" + name
    response = _send(
        target,
        data.draw(st.sampled_from(["GET"] * 5 + ["HEAD", "POST", "PUT"])),
        path,
        data.draw(st.none() | _authorization(target)),
        data.draw(extra_headers),
    )
    if response.status_code in (200, 206) and response.request.method == "GET":
        # Only a file of the model cache's index, and only the one whose hash was asked for.
        assert name == sha
        if response.status_code == 200:
            assert hashlib.sha256(response.data).hexdigest() == sha
    elif name != sha:
        # 308: werkzeug's redirect of an encoded '//' to its merged form, which is then looked up the same way.
        assert response.status_code in (308, 404, 405), (name, response.status_code)


@fuzz
def test_fuzz_model(target, data):
    response = _send_drawn(target, data, st.sampled_from(["GET"] * 5 + ["POST", "PUT", "HEAD"]), "/api/v1/model")
    if response.status_code == 200 and response.request.method == "GET":
        assert int(response.headers["X-Model-Version"]) >= 0
        assert len(response.data) in (4 * len(CLASSES) * 1281, 4 * 2 * 1281)


def _update_bodies(data, target) -> bytes:
    _, current = target.coordinator.parameters(target.sid)
    kind = data.draw(st.sampled_from(["near", "near", "specials", "scaled", "raw", "length", "zeros"]))
    if kind == "raw":
        return data.draw(st.binary(max_size=4096))
    vector = current.copy()
    if kind == "near":
        rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
        vector = vector + rng.normal(0, data.draw(st.sampled_from([1e-4, 1e-2, 0.1, 1.0, 10.0])), vector.size).astype(np.float32)
    elif kind == "scaled":
        vector = (vector * np.float32(data.draw(st.floats(-1e6, 1e6, width=32)))).astype(np.float32)
    elif kind == "zeros":
        vector = np.zeros_like(vector)
    positions = data.draw(st.lists(st.integers(0, vector.size - 1), max_size=6 if kind == "specials" else 2))
    with np.errstate(all="ignore"):
        for position in positions:
            vector[position] = np.float32(data.draw(special_floats))
    body = vector.astype("<f4").tobytes()
    if kind == "length":
        cut = data.draw(st.integers(-8, 8))
        body = body[:cut] if cut < 0 else body + bytes(cut)
    return body


@fuzz
def test_fuzz_updates(target, data):
    current = target.coordinator.current_version(target.sid)
    # Relative to the current version (drawn as an offset, so replaying an example draws the same way).
    version = data.draw(st.one_of(st.integers(-7, 1).map(lambda offset: str(current + offset)), versions))
    headers = data.draw(extra_headers)
    auth, method, content_type, well_formed = _envelope(data, target, "application/octet-stream")
    if well_formed:  # most cases reach the body checks; the rest fuzz the version headers too
        headers.update(
            {
                "X-Base-Version": data.draw(st.integers(-7, 1).map(lambda offset: str(current + offset))),
                "X-Sample-Count": data.draw(st.integers(1, 100).map(str)),
            }
        )
    else:
        if data.draw(st.integers(0, 5)):
            headers["X-Base-Version"] = version
        if data.draw(st.integers(0, 5)):
            headers["X-Sample-Count"] = data.draw(sample_counts)
    key = data.draw(idempotency_keys)
    if key == "fresh":
        key = f"fuzz-key-{next(_fresh_keys):08d}"
    if key is not None:
        headers["Idempotency-Key"] = key
    body = _update_bodies(data, target)
    response = _send(target, method, "/api/v1/updates", auth, headers, body, content_type)
    if response.status_code == 200:
        ack = response.get_json()
        assert ack["accepted"] is True and ack["version"] == target.coordinator.current_version(target.sid)
        stored = target.coordinator.accepted_update_parameters(target.sid)[-1][1]
        assert np.all(np.isfinite(stored))
    code = ((response.get_json(silent=True) or {}).get("error") or {}).get("code")
    if key is not None and key.startswith("fuzz-key-") and (response.status_code == 200 or code in AUDITED_CODES):
        before = target.snapshot()
        again = target.client.open(
            "/api/v1/updates", method=method, headers=dict(headers, Authorization=auth), data=body, content_type=content_type
        )  # a 200 had both
        assert (again.status_code, again.get_json()) == (response.status_code, response.get_json())
        assert target.snapshot() == before
        event(f"re-sent with its key: {response.status_code} {code or ''}".strip())


@_cached
def _test_result_payloads(target):
    counts = st.fixed_dictionaries({"correct": json_scalars, "total": json_scalars}) | json_values
    per_class = st.dictionaries(st.sampled_from(CLASSES) | json_text, counts, max_size=5) | json_values
    number = st.one_of(st.integers(-1, 3), st.integers(0, 1), st.floats(0, 1), special_floats, st.floats(-2, 2), json_scalars)
    return st.one_of(
        st.fixed_dictionaries(
            {"version": number, "accuracy": number, "n": number}, optional={"per_class": per_class, "extra": json_values}
        ),
        json_values,
    )


@fuzz
def test_fuzz_test_results(target, data):
    payload = data.draw(_test_result_payloads(target))
    body = data.draw(
        st.one_of(
            st.just(_json_bytes(payload)),
            st.binary(max_size=512),
            st.sampled_from([b"[" * 2000, b"{" * 10, b'{"version": 0, "accuracy": 1e999, "n": 1}']),
        )
    )
    auth, method, content_type, _ = _envelope(data, target, "application/json")
    response = _send(target, method, "/api/v1/test-results", auth, data.draw(extra_headers), body, content_type)
    if response.status_code == 201:
        assert response.get_json() == {"stored": True}


@fuzz
def test_fuzz_join_info(target, data):
    in_the_path = ["%20", target.join_code + "%00", "..%2F..%2Findex.json", "%2e%2e"]
    code = data.draw(_join_codes(target, in_the_path) | st.text(max_size=30).map(lambda s: quote(s, safe="")))
    response = _send_drawn(
        target,
        data,
        st.sampled_from(["GET"] * 6 + ["POST", "DELETE"]),
        f"/api/v1/join/{code}",
        st.none() | _authorization(target),
    )
    if response.status_code == 200 and response.request.method == "GET":
        info = response.get_json()
        assert info["classes"] == CLASSES and info["study_logging"] is True and info["consent_notice"]


BROWSER_KINDS = {
    "image_added": {"split": "train", "count": 3, "bytes": 1000},
    "image_deleted": {"split": "test", "count": 1},
    "suggestion_shown": {"image": 1, "suggested": CLASSES[0], "confidence": 0.5},
    "suggestion_accepted": {"image": 1, "label": CLASSES[1]},
    "suggestion_changed": {"image": 1, "from": CLASSES[0], "to": CLASSES[2]},
    "training_started": {"base_version": 0, "epochs": 5, "batch_size": 16, "samples": 30},
    "training_finished": {"duration_ms": 120.5, "epochs": 5, "loss_per_epoch": [1.2, 0.8]},
    "update_submitted": {"base_version": 0, "sample_count": 30},
    "visibility": {"state": "hidden"},
}


@_cached
def _study_batches(target):
    import time as _time

    now = _time.time()
    field_values = st.one_of(
        json_scalars,
        json_values,
        st.sampled_from(CLASSES + ["train", "test", "visible", "hidden"]),
        st.lists(special_floats, max_size=3),
    )

    def mutate(kind_and_data, draw_data):
        kind, fields = kind_and_data
        return {"kind": kind, "data": {**fields, **draw_data}}

    good_event = st.builds(
        lambda seq, dt, kind: {"seq": seq, "at": now + dt, "kind": kind, "data": dict(BROWSER_KINDS[kind])},
        st.integers(0, 2**53),
        st.floats(-3600, 3600),
        st.sampled_from(sorted(BROWSER_KINDS)),
    )
    bent_event = st.builds(
        lambda event, changes, drop: {k: v for k, v in {**event, **changes}.items() if k != drop},
        good_event,
        st.dictionaries(
            st.sampled_from(["seq", "at", "kind", "data", "extra"]),
            json_values | special_floats | st.integers(-(2**80), 2**80),
            max_size=2,
        ),
        st.none() | st.sampled_from(["seq", "at", "kind", "data"]),
    )
    bent_data = st.builds(
        lambda event, name, value: {**event, "data": {**event["data"], name: value}},
        good_event,
        st.sampled_from(
            [
                "split",
                "count",
                "bytes",
                "image",
                "suggested",
                "confidence",
                "label",
                "state",
                "loss_per_epoch",
                "duration_ms",
                "epochs",
                "extra",
            ]
        ),
        field_values,
    )
    events = st.one_of(good_event, bent_event, bent_data)
    return st.one_of(
        st.fixed_dictionaries({"events": st.lists(events, min_size=1, max_size=4)}),
        st.fixed_dictionaries({"events": st.lists(good_event, min_size=0, max_size=3) | json_values}),
        json_values,
    )


@fuzz
def test_fuzz_study_events(target, data):
    body = data.draw(
        st.one_of(
            _study_batches(target).map(_json_bytes),
            _study_batches(target).map(_json_bytes),
            st.binary(max_size=256),
            st.sampled_from([b"[" * 2000, b'{"events": [' + b"1" * 5000 + b"]}"]),
        )
    )
    auth, method, content_type, _ = _envelope(data, target, "application/json")
    response = _send(target, method, "/api/v1/events", auth, data.draw(extra_headers), body, content_type)
    if response.status_code == 200:
        reply = response.get_json()
        assert reply["stored"] + reply["duplicates"] >= 1


def _class_stats_request(data) -> tuple[bytes, str | None]:
    """Statistics of random photos of random classes, bent one way or another (or not at all)."""
    k, dim = len(CLASSES), 1280
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    labels = rng.integers(0, k, data.draw(st.integers(1, 12)))
    features = np.abs(rng.normal(0.2, 0.5, (labels.size, dim)))
    counts = np.bincount(labels, minlength=k)
    sums, squares = np.zeros((k, dim)), np.zeros((k, dim))
    np.add.at(sums, labels, features)
    np.add.at(squares, labels, features**2)
    values = np.stack([sums, squares]).astype("<f4")
    kind = data.draw(st.sampled_from(["good", "good", "specials", "empty_row", "negative", "raw", "length", "zeros"]))
    header = ",".join(map(str, counts))
    with np.errstate(all="ignore"):
        if kind == "specials":
            for _ in range(data.draw(st.integers(1, 4))):
                values.flat[data.draw(st.integers(0, values.size - 1))] = np.float32(data.draw(special_floats))
        elif kind == "empty_row" and (counts == 0).any():
            values[data.draw(st.integers(0, 1)), int(np.flatnonzero(counts == 0)[0]), 0] = 1.0
        elif kind == "negative":
            values[1].flat[data.draw(st.integers(0, k * dim - 1))] = -data.draw(st.floats(0, 1e6, width=32))
        elif kind == "zeros":
            values[:] = 0
    body = values.tobytes()
    if kind == "raw":
        body = data.draw(st.binary(max_size=4096))
    elif kind == "length":
        cut = data.draw(st.integers(-8, 8))
        body = body[:cut] if cut < 0 else body + bytes(cut)
    counts_header = data.draw(
        st.one_of(
            st.just(header),
            st.just(header),
            st.just(header),
            st.none(),
            st.sampled_from(
                [
                    "",
                    "0,0,0,0",
                    "1,1,1",
                    "1,1,1,1,1",
                    "-1,2,3,4",
                    "1, 2 ,3,4",
                    "1e3,0,0,0",
                    "9" * 11 + ",0,0,0",
                    "١,0,0,0",
                    "1;2;3;4",
                    "1000001,0,0,0",
                ]
            ),
            header_text,
        )
    )
    return body, counts_header


@fuzz
def test_fuzz_class_stats(target, data):
    body, counts_header = _class_stats_request(data)
    headers = data.draw(extra_headers)
    if counts_header is not None:
        headers["X-Class-Counts"] = counts_header
    auth, method, content_type, _ = _envelope(data, target, "application/octet-stream")
    response = _send(target, method, "/api/v1/class-stats", auth, headers, body, content_type)
    if response.status_code == 200:
        reply = response.get_json()
        assert reply["version"] == target.coordinator.current_version(target.sid)
        _, parameters = target.coordinator.parameters(target.sid)
        assert np.all(np.isfinite(parameters))


@fuzz
def test_fuzz_withdraw(target, data):
    """Leaving the study: whatever the method, headers and body, a 2xx is the participant's own withdrawal
    (the same answer each time: there is nothing more to delete after the first), anything else changes nothing."""
    response = _send_drawn(target, data, st.sampled_from(["POST"] * 6 + ["GET", "PUT", "DELETE", "HEAD"]), "/api/v1/withdraw")
    if response.status_code == 200:
        reply = response.get_json()
        assert reply["withdrawn"] is True and isinstance(reply["deleted_events"], int) and reply["deleted_events"] >= 0
        assert (
            target.coordinator.store.query_one(
                "SELECT COUNT(*) AS n FROM study_events WHERE participant_id=(SELECT participant_id FROM events "
                "WHERE kind='study_withdrawn' ORDER BY id DESC LIMIT 1)"
            )["n"]
            == 0
        )


def test_every_participant_route_is_fuzzed():
    """If a participant route is added, it must get a fuzz test here."""
    from influx_desktop.server.app import create_app

    class NoCoordinator:
        pass

    app = create_app(NoCoordinator(), "x", webclient_dir=None)
    routes = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/") and "/admin" not in r.rule}
    assert routes == {
        "/api/v1/status",
        "/api/v1/join",
        "/api/v1/task",
        "/api/v1/artifacts/<sha256>",
        "/api/v1/model",
        "/api/v1/updates",
        "/api/v1/test-results",
        "/api/v1/join/<join_code>",
        "/api/v1/events",
        "/api/v1/class-stats",
        "/api/v1/withdraw",
    }
