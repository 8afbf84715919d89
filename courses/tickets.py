"""Study tickets: signed, expiring proof that a lesson page was rendered for a person's enrolment.

The lesson page embeds a ticket; its heartbeats present it in the JSON body, so the endpoint needs
neither the session cookie nor Flask-Login. A ticket lives no longer than a session would
(PERMANENT_SESSION_LIFETIME); signing out does not revoke tickets already issued, so that bound is
the exposure of a stolen ticket (it can only credit study time to its own enrolment).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lms.authz import AUTHZ_ATTR

#: Its own salt, so no other signed value of the app (session, CSRF token) passes as a ticket.
SALT = "courses.study-ticket.v1"


@dataclass(frozen=True)
class Claim:
    """What a genuine ticket vouches for."""

    person_id: int
    enrollment_id: int


class TicketRefused(Exception):
    """The ticket is forged, malformed or expired; ``reason`` names which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer() -> URLSafeTimedSerializer:
    # Cached per app: building the serializer costs more than checking a ticket.
    cache = current_app.extensions.setdefault("courses.tickets", {})
    secret = current_app.config["SECRET_KEY"]
    if cache.get("secret") != secret:
        cache.update(secret=secret, serializer=URLSafeTimedSerializer(secret, salt=SALT))
    return cache["serializer"]


def issue_ticket(person_id: int, enrollment_id: int) -> str:
    """A ticket binding the person to one enrolment."""
    return _serializer().dumps([person_id, enrollment_id])


def read_ticket(ticket) -> Claim:
    """The claim of a genuine, unexpired ticket; raise TicketRefused otherwise."""
    if not isinstance(ticket, str) or len(ticket) > 200:
        raise TicketRefused("bad_ticket")
    max_age = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    try:
        value = _serializer().loads(ticket, max_age=max_age)
    except SignatureExpired:
        raise TicketRefused("expired_ticket") from None
    except BadSignature:
        raise TicketRefused("bad_ticket") from None
    if (not isinstance(value, list) or len(value) != 2
            or not all(type(v) is int for v in value)):
        raise TicketRefused("bad_ticket")
    return Claim(person_id=value[0], enrollment_id=value[1])


def study_ticket(view: Callable) -> Callable:
    """Route decorator declaring that the view authenticates callers by a study ticket.

    The view itself reads the ticket (it is in the body); pages rendered before tickets existed
    fall back to the signed-in session with its CSRF token, which the view checks too.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        return view(*args, **kwargs)

    setattr(wrapped, AUTHZ_ATTR, "ticket:study-heartbeat")
    return wrapped
