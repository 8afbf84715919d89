"""Helpers of the WSGI gateways that answer small JSON requests ahead of Flask.

A gateway (courses.beat_gateway, exams.attempts.save_gateway) reads the body itself; when the
request is not one it answers, it puts the body back so that Flask reads it as if untouched.
"""

import io
from collections.abc import Callable
from http import HTTPStatus

from lms.security_headers import raw_json_headers

# Security headers like those on the app's own answers, which these never get: Flask's hooks do not run.
JSON_HEADERS = [("Content-Type", "application/json"), ("Cache-Control", "no-store"), *raw_json_headers()]


def small_json_body(environ: dict, max_body: int) -> bytes | None:
    """The raw body of a JSON request of at most ``max_body`` bytes; None, with nothing read, otherwise."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= max_body:
        return None
    return environ["wsgi.input"].read(length)


def put_back(environ: dict, raw: bytes) -> None:
    """Give the request its body again, for Flask to read from a fresh stream."""
    environ["wsgi.input"] = io.BytesIO(raw)
    environ["CONTENT_LENGTH"] = str(len(raw))


def answer_json(start_response: Callable, status: int, body: bytes) -> list[bytes]:
    """Send ``body`` (JSON) with the app's security headers."""
    start_response(f"{status} {HTTPStatus(status).phrase}",
                   [*JSON_HEADERS, ("Content-Length", str(len(body)))])
    return [body]
