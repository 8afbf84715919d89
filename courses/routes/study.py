"""The heartbeat endpoint of the study-time ledger (JSON).

Callers prove who they are with the study ticket the lesson page embeds, sent in the JSON body.
The ticket is not a cookie, so a cross-site page cannot make the browser attach it, and it cannot
read it from our page either (same-origin policy): that is why the endpoint is CSRF-exempt. Beats
with a ticket never load the account or the session, which is what makes the endpoint cheap.
Pages rendered before tickets existed (or whose ticket expired) fall back to the signed-in session
with the CSRF token in a header, checked here by hand.
"""

from datetime import UTC, datetime

from flask import current_app, request
from flask_login import current_user

from courses.ledger import Beat, BeatResult, current_policy, record_beats
from courses.routes import bp
from courses.tickets import TicketRefused, issue_ticket, read_ticket, study_ticket
from lms.audit import record_event
from lms.clock import now
from lms.extensions import csrf, db, limiter


@bp.context_processor
def _ticket_helper():
    return {"study_ticket": issue_ticket}


def _client_time(value) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            return datetime.max.replace(tzinfo=UTC)
    return None


def _reply(credited: int, refused: str | None, status: int = 200) -> tuple[dict, int]:
    return {"credited": credited, "refused": refused}, status


#: Refusals the page answers by dropping its ticket (401); the others are 403, or 404 (below).
_TICKET_REFUSALS = {"signed_out"}
#: Another person's enrolment is answered like one that does not exist (404, one reason), so beats
#: cannot probe which enrolments exist; the audit log keeps the real reason.
_AS_MISSING = {"other_person", "unknown_lesson"}


def reply_for(result: BeatResult | None) -> tuple[dict, int]:
    """The JSON reply (data, status) for a written beat, or for one that could not be written."""
    if result is None:
        return _reply(0, "unavailable", 503)
    if result.refused is None:
        return _reply(result.credited, None)
    if result.refused in _AS_MISSING:
        return _reply(0, "unknown_lesson", 404)
    return _reply(0, result.refused, 401 if result.refused in _TICKET_REFUSALS else 403)


class BeatAnswer(Exception):
    """Stop handling the beat and send this reply."""

    def __init__(self, reply):
        super().__init__()
        self.reply = reply


def _by_ticket(data: dict, ip: str | None) -> tuple[int, int, None, datetime]:
    """(person id, enrolment id, actor, issue time) vouched for by the ticket in the body."""
    try:
        claim = read_ticket(data["ticket"])
    except TicketRefused as refused:
        # Audited like other forged beats; nobody is signed in on this path, so no actor.
        lesson = data.get("lesson")
        record_event("courses.heartbeat_refused", actor=None, ip=ip, reason=refused.reason,
                     lesson_id=lesson if isinstance(lesson, int) else None)
        db.session.commit()
        raise BeatAnswer(_reply(0, refused.reason, 401)) from None
    return claim.person_id, claim.enrollment_id, None, claim.issued_at


def _by_session(data: dict) -> tuple[int, int, object, None]:
    """(person id, enrolment id, actor, no ticket) of the signed-in account; CSRF token required."""
    if not current_user.is_authenticated:
        # A JSON caller cannot follow a redirect to the sign-in page: say so plainly.
        raise BeatAnswer(_reply(0, "not_signed_in", 401))
    if current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()  # answers 400 without the page's token
    if current_user.person_id is None:
        # Only a login linked to an employee has study time to record.
        raise BeatAnswer(_reply(0, "no_person", 403))
    return current_user.person_id, int(data["enrollment"]), current_user._get_current_object(), None


def read_beat(data, ip: str | None = None) -> tuple[Beat, object]:
    """The beat a request body describes and the account to audit it under; raise BeatAnswer
    with the reply when there is nothing to write. Needs a request context only without a ticket.
    """
    if not isinstance(data, dict):
        raise BeatAnswer(_reply(0, "bad_request", 400))
    try:
        person_id, enrollment_id, actor, ticket_issued_at = (
            _by_ticket(data, ip) if "ticket" in data else _by_session(data))
        beat = Beat(person_id=person_id, enrollment_id=enrollment_id, lesson_id=int(data["lesson"]),
                    now=now(), client_time=_client_time(data.get("client_time")),
                    stop=bool(data.get("stop")), source_ip=ip, ticket_issued_at=ticket_issued_at)
    except (KeyError, TypeError, ValueError):
        raise BeatAnswer(_reply(0, "bad_request", 400)) from None
    return beat, actor


def _json_body():
    """The request's JSON body, or None when there is none or it cannot be read."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        # silent=True only covers ValueError; brackets nested a few thousand deep overflow the parser.
        return None


@bp.post("/study/heartbeat")
@csrf.exempt
@limiter.exempt  # beats carry no limit; skipping the limiter's per-request bookkeeping is cheaper
@study_ticket
def heartbeat_view():
    # Ticket beats normally never get here: courses.beat_gateway answers them before Flask does.
    data = _json_body()
    try:
        beat, actor = read_beat(request.form.to_dict() if data is None else data, request.remote_addr)
    except BeatAnswer as answer:
        return answer.reply
    [result] = record_beats([(beat, actor)], current_policy())
    return reply_for(result)
