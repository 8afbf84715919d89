"""The heartbeat endpoint of the study-time ledger (JSON).

Callers prove who they are with the study ticket the lesson page embeds, sent in the JSON body.
The ticket is not a cookie, so a cross-site page cannot make the browser attach it, and it cannot
read it from our page either (same-origin policy): that is why the endpoint is CSRF-exempt. Beats
with a ticket never load the account or the session, which is what makes the endpoint cheap.
Pages rendered before tickets existed (or whose ticket expired) fall back to the signed-in session
with the CSRF token in a header, checked here by hand.
"""

from datetime import UTC, datetime, timedelta

from flask import current_app, jsonify, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from courses.clock import local_tz
from courses.ledger import Beat, Policy, heartbeat
from courses.routes import bp
from courses.tickets import TicketRefused, issue_ticket, read_ticket, study_ticket
from lms.audit import record_event
from lms.extensions import csrf, db, limiter, login_manager
from lms.models.base import utcnow


@bp.context_processor
def _ticket_helper():
    return {"study_ticket": issue_ticket}


def _policy() -> Policy:
    config = current_app.config
    return Policy(max_gap=timedelta(seconds=config["COURSES_MAX_GAP_SECONDS"]),
                  clock_skew=timedelta(seconds=config["COURSES_CLOCK_SKEW_SECONDS"]), tz=local_tz())


def _client_time(value) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            return datetime.max.replace(tzinfo=UTC)
    return None


def _reply(credited: int, refused: str | None, status: int = 200):
    return jsonify({"credited": credited, "refused": refused}), status


class _Answer(Exception):
    """Stop handling the beat and send this reply."""

    def __init__(self, reply):
        super().__init__()
        self.reply = reply


def _by_ticket(data: dict) -> tuple[int, int, None]:
    """(person id, enrolment id, actor) vouched for by the ticket in the body."""
    try:
        claim = read_ticket(data["ticket"])
    except TicketRefused as refused:
        # Audited like other forged beats; nobody is signed in on this path, so no actor.
        lesson = data.get("lesson")
        record_event("courses.heartbeat_refused", actor=None, reason=refused.reason,
                     lesson_id=lesson if isinstance(lesson, int) else None)
        db.session.commit()
        raise _Answer(_reply(0, refused.reason, 401)) from None
    return claim.person_id, claim.enrollment_id, None


def _by_session(data: dict) -> tuple[int, int, object]:
    """(person id, enrolment id, actor) of the signed-in account; its CSRF token is required."""
    if not current_user.is_authenticated:
        raise _Answer(login_manager.unauthorized())
    if current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()  # answers 400 without the page's token
    if current_user.person_id is None:
        # Only a login linked to an employee has study time to record.
        raise _Answer(_reply(0, "no_person", 403))
    return current_user.person_id, int(data["enrollment"]), current_user


def _beat(data) -> tuple[Beat, object]:
    """The beat described by the request body, and the account to audit it under (if known)."""
    if not isinstance(data, dict):
        raise _Answer(_reply(0, "bad_request", 400))
    try:
        person_id, enrollment_id, actor = _by_ticket(data) if "ticket" in data else _by_session(data)
        beat = Beat(person_id=person_id, enrollment_id=enrollment_id, lesson_id=int(data["lesson"]),
                    now=utcnow(), client_time=_client_time(data.get("client_time")),
                    stop=bool(data.get("stop")))
    except (KeyError, TypeError, ValueError):
        raise _Answer(_reply(0, "bad_request", 400)) from None
    return beat, actor


@bp.post("/study/heartbeat")
@csrf.exempt
@limiter.exempt  # beats carry no limit; skipping the limiter's per-request bookkeeping is cheaper
@study_ticket
def heartbeat_view():
    data = request.get_json(silent=True)
    try:
        beat, actor = _beat(request.form.to_dict() if data is None else data)
    except _Answer as answer:
        return answer.reply
    try:
        result = heartbeat(beat, _policy(), actor=actor)
        db.session.commit()
    except IntegrityError:
        # Another beat of this person (a second tab) opened a record at the same instant: the
        # INSERT fails at once, not at commit. Credit nothing; the next beat extends that record.
        db.session.rollback()
        return _reply(0, None)
    return _reply(result.credited, result.refused, 200 if result.refused is None else 403)
