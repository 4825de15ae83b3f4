"""Reading request bodies and headers with clear errors and size caps."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from ..errors import InvalidInput, PayloadTooLarge, Unauthorized, UnsupportedMediaType

JSON_BODY_LIMIT = 64 * 1024
READ_CHUNK = 1024 * 1024


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
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"The body is not valid JSON ({exc}).", code="malformed_json", field="body") from None
    except RecursionError:  # e.g. 64 KB of '[': deeper than the parser's recursion limit
        raise InvalidInput("The body's JSON is nested too deeply.", code="malformed_json", field="body") from None
    except ValueError as exc:  # a number of more than 4300 digits (int_max_str_digits) is a plain ValueError
        raise InvalidInput(f"The body's JSON holds a number that is too long ({str(exc)[:60]}).",
                           code="malformed_json", field="body") from None
