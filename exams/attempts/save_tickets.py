"""Save tickets: signed proof that a seat's paper page was rendered for one attempt and sign-in.

The candidate's page sends the ticket in each save's JSON body, so the save gateway
(exams.attempts.save_gateway) needs neither the session cookie nor the CSRF token. The ticket only
names the attempt and the seat sign-in; the gateway's one statement still requires that sign-in to
be live and the attempt to take answers, so signing out or ending the attempt revokes it at once.
"""

from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

#: Its own salt, so no other signed value of the app (session, CSRF token, study ticket) passes.
SALT = "exams.attempt-save-ticket.v1"
#: Verified tickets remembered per process: about 100 bytes each.
VERIFIED_CACHE_SIZE = 16384
#: A genuine ticket is about 50 characters; longer strings are not even checked.
MAX_LENGTH = 200


def _serializer() -> URLSafeSerializer:
    # Cached per app: building the serializer costs more than checking a ticket.
    cache = current_app.extensions.setdefault("exams.save_tickets", {})
    secret = current_app.config["SECRET_KEY"]
    if cache.get("secret") != secret:
        cache.update(secret=secret, serializer=URLSafeSerializer(secret, salt=SALT))
    return cache["serializer"]


def issue_save_ticket(attempt_id: int, sign_in_id: int) -> str:
    """A ticket binding saves to one attempt sat at one seat sign-in."""
    return _serializer().dumps([attempt_id, sign_in_id])


def read_save_ticket(ticket) -> tuple[int, int] | None:
    """(attempt id, seat sign-in id) of a genuine ticket; None for anything else."""
    if not isinstance(ticket, str) or len(ticket) > MAX_LENGTH:
        return None
    try:
        return _verified(_serializer(), ticket)
    except BadSignature:
        return None


@lru_cache(maxsize=VERIFIED_CACHE_SIZE)
def _verified(serializer: URLSafeSerializer, ticket: str) -> tuple[int, int]:
    """The ids a ticket with a good signature names; cached because a page sends it with every save.

    Only genuine tickets are cached (a bad one raises); the serializer is part of the key, so a new
    secret key starts from an empty cache.
    """
    value = serializer.loads(ticket)
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        raise BadSignature("not a save ticket")
    return value[0], value[1]
