"""Sign-in, sign-out, password hashing and lockout."""

from lms.auth.routes import bp

__all__ = ["bp"]
