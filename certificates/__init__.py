"""Certificates package of the LMS; the app factory loads it by name and calls init_app."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, commands and signal receivers with the app."""
    # Nothing to register until this package's first capability lands.
    app.extensions.setdefault("lms_modules", []).append(__name__)
