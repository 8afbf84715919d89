"""Bearer-token decorator for API views and JSON error replies."""

from collections.abc import Callable
from functools import wraps

from flask import g, jsonify, request

from lms.api.tokens import resolve_token
from lms.authz import AUTHZ_ATTR
from lms.extensions import db
from lms.models.base import utcnow


def api_error(status: int, code: str, message: str, **extra):
    """A JSON error body with a stable code and a human message."""
    return jsonify({"error": {"code": code, "message": message, **extra}}), status


def token_required(scope: str) -> Callable:
    """Authenticate ``Authorization: Bearer <token>`` and require ``scope`` on it."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            kind, _, clear = header.partition(" ")
            token = resolve_token(clear.strip()) if kind.lower() == "bearer" and clear else None
            if token is None:
                return api_error(401, "unauthorized", "A valid bearer token is required.")
            if scope not in token.scope_set:
                return api_error(403, "forbidden", f"This token lacks the scope {scope}.")
            token.last_used_at = utcnow()
            db.session.commit()
            g.api_token, g.api_account = token, token.account
            return view(*args, **kwargs)

        setattr(wrapped, AUTHZ_ATTR, f"token:{scope}")
        return wrapped

    return decorate
