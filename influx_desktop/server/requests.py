"""Reading request bodies and headers with clear errors and size caps."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request

from ..errors import InvalidInput, PayloadTooLarge, Unauthorized, UnsupportedMediaType

JSON_BODY_LIMIT = 64 * 1024
READ_CHUNK = 1024 * 1024
#: A lone surrogate can reach a JSON string only as a \uD800-\uDFFF escape (raw bytes fail UTF-8 decoding).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("This request needs 'Authorization: Bearer <token>'.", code="token_missing")
    return token.strip()


def body_bytes(limit: int, content_type: str) -> bytes:
    """The raw body, refused when it has the wrong type or exceeds ``limit`` bytes (checked before reading)."""
    if request.mimetype != content_type:
        raise UnsupportedMediaType(
            f"Send the body as {content_type}; this one is '{request.mimetype or 'untyped'}'.", field="Content-Type"
        )
    length = request.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge(f"The body may be at most {limit} bytes; this one is {length}.", field="body")
    # In chunks: the WSGI input stream allocates whatever size is asked of one read (512 MB for a
    # test set's limit, however small the upload).
    chunks: list[bytes] = []
    received = 0
    while received <= limit:
        chunk = request.stream.read(min(READ_CHUNK, limit + 1 - received))
        if not chunk:
            break
        chunks.append(chunk)
        received += len(chunk)
    if received > limit:
        raise PayloadTooLarge(f"The body may be at most {limit} bytes.", field="body")
    return b"".join(chunks)


def json_body(limit: int = JSON_BODY_LIMIT) -> Any:
    data = body_bytes(limit, "application/json")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"The body is not valid JSON ({exc}).", code="malformed_json", field="body") from None
    except RecursionError:  # e.g. 64 KB of '[': deeper than the parser's recursion limit
        raise InvalidInput("The body's JSON is nested too deeply.", code="malformed_json", field="body") from None
    except ValueError as exc:  # a number of more than 4300 digits (int_max_str_digits) is a plain ValueError
        raise InvalidInput(
            f"The body's JSON holds a number that is too long ({str(exc)[:60]}).", code="malformed_json", field="body"
        ) from None
    if _SURROGATE_ESCAPE.search(data):
        _refuse_lone_surrogates(value)
    return value


def _refuse_lone_surrogates(value: Any) -> None:
    """JSON allows "\\ud800" alone; Python then holds a str that no UTF-8 encoder (SQLite's included)
    takes. Refuse it naming the field (the top-level key; the message gives the full path)."""
    stack: list[tuple[str, str | None, Any]] = [("body", None, value)]
    while stack:  # iterative: json.loads already allows nesting deeper than a recursive walk would
        path, field, item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                inner_path = key if path == "body" else f"{path}.{key}"
                if _SURROGATE.search(key):
                    _surrogate_error(f"a key in {path}", field or "body")
                stack.append((inner_path, field or key, inner))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", field or "body", inner) for i, inner in enumerate(item))
        elif isinstance(item, str) and _SURROGATE.search(item):
            _surrogate_error(path, field or "body")


def _surrogate_error(path: str, field: str) -> None:
    shown = path.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")[:80]
    raise InvalidInput(
        f"{shown} holds a lone UTF-16 surrogate (such as \\ud800), which is not a character; send valid Unicode text.",
        code="invalid_text",
        field=field.encode("utf-8", "backslashreplace").decode("utf-8")[:80],
    )
