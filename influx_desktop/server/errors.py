"""Every error leaves the server as JSON with a message a person can act on."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from ..errors import (
    Conflict,
    Forbidden,
    InfluxError,
    InvalidInput,
    ModelUnavailable,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    StorageError,
    Unauthorized,
    UnsupportedMediaType,
)

STATUS_BY_ERROR: dict[type[InfluxError], int] = {
    InvalidInput: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    RateLimited: 429,
    ModelUnavailable: 503,
    StorageError: 503,
}

log = logging.getLogger(__name__)


def error_response(code: str, message: str, status: int, field: str | None = None):
    response = jsonify({"error": {"code": code, "message": message, "field": field}})
    response.status_code = status
    return response


def without_private_paths(message: str, app: Flask) -> str:
    """A safety net under the rule that answers name problems, not paths: the data directory and the home
    folder (``app.config["PRIVATE_PATHS"]``, set by create_app) are cut out of a message."""
    for path in app.config.get("PRIVATE_PATHS", ()):
        if len(path) > 1 and path in message:
            message = message.replace(path, "…")
    return message


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(InfluxError)
    def influx_error(exc: InfluxError):
        status = next((s for cls, s in STATUS_BY_ERROR.items() if isinstance(exc, cls)), 400)
        response = error_response(exc.code, without_private_paths(exc.message, app), status, exc.field)
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        if getattr(exc, "retry_after", None):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        messages = {
            404: "There is nothing at this address.",
            405: "This address does not take that method.",
            413: "The request body is too large for this address.",
        }
        code = (exc.name or "error").lower().replace(" ", "_")
        response = error_response(code, messages.get(exc.code, exc.description or exc.name), exc.code or 500)
        for name, value in exc.get_headers():  # e.g. the Allow list a 405 must carry (RFC 9110 §15.5.6)
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error while handling a request")
        return error_response("internal_error", "The server hit an unexpected error; the facilitator can see it in the log.", 500)
