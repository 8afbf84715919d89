"""The candidate's exam page: the paper without its keys, answers saved one by one and acknowledged
only once committed, the clock the server keeps, the summary before handing in, the handed-in page.

There is no account: every request finds the candidate through the seat's token, checked against
the database as on the seat pages, so a candidate only ever reaches their own attempt. The pages
redirect to the seat sign-in; the JSON endpoints answer 404 when the seat is no longer signed in.
"""


from flask import abort, flash, redirect, render_template, session, url_for
from sqlalchemy import and_, select

from exams.attempts import services as svc
from exams.attempts.models import ExamAttempt
from exams.attempts.results import release_deadline, released
from exams.attempts.routes import bp
from exams.attempts.routes.sitting import (
    FINISHED,
    Links,
    Sitting,
    event_reply,
    hand_in,
    handed_in_at,
    item_image,
    paper_page,
    refusal,
    save_reply,
    state_reply,
    summary_page,
)
from exams.attempts.save_tickets import issue_save_ticket
from exams.centres import seat
from exams.centres.models import ExamSession, Registration, Seat, SeatSignIn
from lms.audit import record_event
from lms.audit_sentences import register_detail_words
from lms.auth.forms import EmptyForm
from lms.authz import public
from lms.clock import now
from lms.extensions import db, limiter
from lms.i18n import _, _l
from lms.models import Person
from lms.rules import RuleMissing

SAVE_REFUSAL_WORDS = {
    "over": _l("time is up"),
    "paused": _l("exam paused"),
    "terminated": _l("exam ended by the invigilator"),
    "item": _l("question not on the paper"),
    "option": _l("no such option"),
    "bad_request": _l("unreadable request"),
    "unknown": _l("not saved"),
}

AUDIT_SENTENCES = {
    "exams.attempt.save_refused": _l("An answer of ticket %(ticket)s to question %(item)s was refused: "
                                     "%(save_refusal)s"),
}

register_detail_words("save_refusal", lambda code: SAVE_REFUSAL_WORDS.get(code, code))


# --- who is at this seat ----------------------------------------------------------------------

def _seat_sign_in():
    """This browser's live seat sign-in, checked against the database on every request."""
    return seat.current_sign_in(session.get(seat.SEAT_TOKEN_KEY))


def _attempt() -> ExamAttempt | None:
    """The attempt of the candidate signed in at this seat, if there is one."""
    live = _seat_sign_in()
    return None if live is None else svc.attempt_of(live.registration_id)


def _to_seat():
    """Where a page sends a browser that has no attempt: the seat sign-in, or the seat page."""
    if _seat_sign_in() is None:
        session.pop(seat.SEAT_TOKEN_KEY, None)
        flash(_("Sign in at your seat first."), "info")
        return redirect(url_for("centres.seat_sign_in"))
    return redirect(url_for("centres.seat_home"))


def _no_attempt() -> tuple:
    return refusal(404, "signed_out", _("You are not signed in at this seat any more: ask the invigilator."))


@bp.app_template_global()
def seat_attempt(registration):
    """The registration's attempt, for the seat page to offer starting or going on."""
    return svc.attempt_of(registration.id)


# --- start --------------------------------------------------------------------------------------

@bp.post("/start")
@public
def start():
    """Start (or go back to) the signed-in candidate's attempt."""
    live = _seat_sign_in()
    if live is None:
        return _to_seat()
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("centres.seat_home"))
    try:
        attempt = svc.start_attempt(live.registration, now())
    except svc.AttemptRefused as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return redirect(url_for("centres.seat_home"))
    db.session.commit()
    if attempt.status in FINISHED:
        return redirect(url_for("attempts.done"))
    return redirect(url_for("attempts.page"))


# --- the paper ----------------------------------------------------------------------------------

def _sitting(attempt: ExamAttempt) -> Sitting:
    # One query for what the frame shows and the seat's live sign-in, on every page of the attempt.
    row = db.session.execute(
        select(ExamSession.title, Person.name, Registration.ticket_number, Seat.label, SeatSignIn.id)
        .select_from(Registration)
        .join(ExamSession, ExamSession.id == Registration.session_id)
        .join(Person, Person.id == Registration.person_id)
        .outerjoin(Seat, Seat.id == Registration.seat_id)
        .outerjoin(SeatSignIn, and_(SeatSignIn.registration_id == Registration.id,
                                    SeatSignIn.ended_at.is_(None)))
        .where(Registration.id == attempt.registration_id)).first()
    title, name, ticket_number, seat_label, live = row
    details = [(_("Ticket"), ticket_number)]
    if seat_label is not None:
        details.append((_("Seat"), seat_label))
    # The save gateway checks the ticket, and that this sign-in is still live, instead of the cookie;
    # the page was reached through this registration's one live sign-in.
    ticket = issue_save_ticket(attempt.id, live) if live is not None else None
    return Sitting(title=title, who=name, details=details, links=Links("attempts."), save_ticket=ticket)


@bp.get("/attempt")
@public
def page():
    """The exam paper: one question at a time with a navigator, or all of them (?view=list)."""
    attempt = _attempt()
    if attempt is None:
        return _to_seat()
    return paper_page(attempt, _sitting(attempt))


@bp.get("/attempt/items/<int:item_id>/image")
@public
def image(item_id: int):
    """The image under a question of the candidate's own paper."""
    attempt = _attempt()
    if attempt is None:
        abort(404)
    return item_image(attempt, item_id)


# --- autosave, clock, page events, hand in -----------------------------------------------------

def _log_refusal(attempt: ExamAttempt, code: str, item) -> None:
    reg = attempt.registration
    record_event("exams.attempt.save_refused", actor=None, target=attempt,
                 organization_id=reg.session.centre_id, ticket=reg.ticket_number,
                 item=item if isinstance(item, int) else "?", save_refusal=code)
    db.session.commit()


@bp.post("/attempt/answers")
@limiter.exempt  # one request per answer; the seat token and the attempt's state are the limit
@public
def save():
    """Store one answer; the reply is sent only after the commit, so an acknowledged save is kept."""
    attempt = _attempt()
    if attempt is None:
        return _no_attempt()
    return save_reply(attempt, _log_refusal)


@bp.get("/attempt/state")
@public
def state():
    """Status and time left by the server's clock, answered count and a fresh CSRF token."""
    attempt = _attempt()
    return _no_attempt() if attempt is None else state_reply(attempt)


@bp.post("/attempt/events")
@public
def event():
    """A focus loss or reconnect reported by the page, for the invigilator's console."""
    attempt = _attempt()
    return _no_attempt() if attempt is None else event_reply(attempt)


@bp.get("/attempt/summary")
@public
def summary():
    """Unanswered and flagged questions with links back to them, and the button to hand in."""
    attempt = _attempt()
    if attempt is None:
        return _to_seat()
    return summary_page(attempt, _sitting(attempt))


@bp.post("/attempt/submit")
@public
def submit():
    """Hand the attempt in; the server grades the answers it holds."""
    attempt = _attempt()
    if attempt is None:
        return _to_seat()
    return hand_in(attempt, _sitting(attempt))


@bp.get("/attempt/done")
@public
def done():
    """The handed-in page, with the result once the session's results are released."""
    attempt = _attempt()
    if attempt is None:
        return _to_seat()
    if attempt.status not in FINISHED:
        return redirect(url_for("attempts.page"))
    reg = attempt.registration
    try:
        publish_by = release_deadline(reg.session).isoformat()
    except RuleMissing:
        publish_by = None
    return render_template("attempts/candidate/done.html", attempt=attempt, reg=reg, exam=reg.session,
                           released=released(reg.session), publish_by=publish_by,
                           handed_in=handed_in_at(attempt), form=EmptyForm())
