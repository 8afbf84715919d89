"""JSON API under /api/v1, authenticated with hashed, scoped, expiring bearer tokens."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from lms.api import routes  # noqa: E402,F401
