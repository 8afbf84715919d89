"""Study tickets: signed, expiring proof that a lesson page was rendered for a person's enrolment.

The lesson page embeds a ticket; its heartbeats present it in the JSON body, so the endpoint needs
neither the session cookie nor Flask-Login. A ticket lives no longer than a session would
(PERMANENT_SESSION_LIFETIME), and the learner's sign-out revokes every ticket signed before it
(the ledger compares the ticket's time with ``Account.signed_out_at`` in the query it runs
anyway). A stolen ticket can only credit study time to its own enrolment.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, wraps

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms.authz import AUTHZ_ATTR
from lms.clock import now

#: Its own salt, so no other signed value of the app (session, CSRF token) passes as a ticket.
SALT = "courses.study-ticket.v1"
#: Verified tickets remembered per process: about 250 bytes each, so some 8 MB at most.
VERIFIED_CACHE_SIZE = 32768


@dataclass(frozen=True)
class Claim:
    """What a genuine ticket vouches for."""

    person_id: int
    enrollment_id: int
    #: When the ticket was signed (whole seconds): a sign-out after it revokes the ticket.
    issued_at: datetime


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
    try:
        value, signed_at = _verified(_serializer(), ticket)
    except BadSignature:
        raise TicketRefused("bad_ticket") from None
    max_age = current_app.config["PERMANENT_SESSION_LIFETIME"]
    if now() - signed_at > max_age:
        raise TicketRefused("expired_ticket")
    if len(value) != 2 or not all(type(v) is int for v in value):
        raise TicketRefused("bad_ticket")
    return Claim(person_id=value[0], enrollment_id=value[1], issued_at=signed_at)


@lru_cache(maxsize=VERIFIED_CACHE_SIZE)
def _verified(serializer: URLSafeTimedSerializer, ticket: str) -> tuple[tuple, datetime]:
    """Payload and signing time of a ticket whose signature checks out.

    Cached because a page sends the same ticket every beat; only genuine tickets are cached (a
    bad signature raises), and the age is checked on every use, so expiry still applies. The
    serializer is part of the key, so a new secret key starts from an empty cache.
    """
    value, signed_at = serializer.loads(ticket, return_timestamp=True)
    if not isinstance(value, list):
        raise BadSignature("not a ticket payload")
    return tuple(value), signed_at


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
