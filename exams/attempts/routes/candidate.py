"""The candidate's exam page: the paper without its keys, answers saved one by one and acknowledged
only once committed, the clock the server keeps, the summary before handing in, the handed-in page.

There is no account: every request finds the candidate through the seat's token, checked against
the database as on the seat pages, so a candidate only ever reaches their own attempt. The pages
redirect to the seat sign-in; the JSON endpoints answer 404 when the seat is no longer signed in.
"""

from dataclasses import dataclass, field

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from exams.attempts import services as svc
from exams.attempts.models import AttemptStatus, ExamAnswer, ExamAttempt
from exams.attempts.results import release_deadline, released
from exams.attempts.routes import bp
from exams.centres import seat
from exams.labels import TYPE_LABELS
from exams.models import PaperItem, QuestionType
from lms.audit import record_event
from lms.audit_sentences import register_detail_words
from lms.auth.forms import EmptyForm
from lms.authz import public
from lms.clock import local_tz, now
from lms.extensions import db, limiter
from lms.i18n import _, _l
from lms.rules import RuleMissing
from lms.storage import IMAGE_TYPES, current_store, is_digest
from lms.transitions import AlreadyChanged

#: Page events the candidate's page may report; anything else is refused.
PAGE_EVENTS = ("focus_lost", "reconnected")
#: Refusals of a save by HTTP status: the attempt's state (409) or the request itself (422).
CONFLICT_CODES = {"over", "paused", "terminated", "no_attempt", "unknown"}
FINISHED = (AttemptStatus.SUBMITTED, AttemptStatus.TERMINATED)

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


def _refusal(status: int, code: str, message) -> tuple:
    return jsonify(ok=False, code=code, message=str(message)), status


def _no_attempt() -> tuple:
    return _refusal(404, "signed_out", _("You are not signed in at this seat any more: ask the invigilator."))


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

@dataclass
class ShownItem:
    """One question as the candidate sees it: never its key or explanation."""

    number: int
    id: int
    qtype: str
    type_label: str
    points: float
    stem: str
    image: bool
    options: list[str]
    multiple: bool
    choice: list[int] = field(default_factory=list)
    flagged: bool = False
    seq: int = 0

    @property
    def answered(self) -> bool:
        """True when an option is chosen."""
        return bool(self.choice)


def _items(attempt: ExamAttempt) -> list[ShownItem]:
    """The paper's questions in order, options in the order shown, with the stored answers."""
    stored = {a.paper_item_id: a for a in db.session.scalars(
        select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id))}
    items = db.session.scalars(select(PaperItem).where(PaperItem.paper_id == attempt.paper_id)
                               .options(joinedload(PaperItem.version)).order_by(PaperItem.position))
    shown = []
    for number, item in enumerate(items, start=1):
        version = item.version
        labels = list(version.options) if version.options else [_("True"), _("False")]
        order = item.option_order or list(range(len(labels)))
        answer = stored.get(item.id)
        shown.append(ShownItem(
            number=number, id=item.id, qtype=item.qtype, type_label=str(TYPE_LABELS.get(
                QuestionType(item.qtype), item.qtype)), points=item.points, stem=version.stem,
            image=bool(version.image), options=[labels[original] for original in order],
            multiple=item.qtype == QuestionType.MULTIPLE.value,
            choice=list(answer.choice) if answer else [], flagged=bool(answer and answer.flagged),
            seq=answer.seq if answer else 0))
    return shown


def _clock(attempt: ExamAttempt) -> dict:
    """The server's view of the attempt's time, for the page to count down from."""
    moment = now()
    return {"status": attempt.status.value, "seconds_left": svc.seconds_left(attempt, moment),
            "deadline": attempt.deadline_at.isoformat(), "deadline_ms": _ms(attempt.deadline_at),
            "now": moment.isoformat(), "now_ms": _ms(moment)}


def _ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def _page(template: str, attempt: ExamAttempt, **context):
    reg = attempt.registration
    items = _items(attempt)
    return render_template(template, attempt=attempt, reg=reg, exam=reg.session, items=items,
                           clock=_clock(attempt), max_seq=max((i.seq for i in items), default=0),
                           answered=sum(1 for i in items if i.answered),
                           deadline_local=attempt.deadline_at.astimezone(local_tz()).strftime("%H:%M"),
                           **context)


@bp.get("/attempt")
@public
def page():
    """The exam paper: one question at a time with a navigator, or all of them (?view=list)."""
    attempt = _attempt()
    if attempt is None:
        return _to_seat()
    if attempt.status in FINISHED:
        return redirect(url_for("attempts.done"))
    view = "list" if request.args.get("view") == "list" else "one"
    return _page("attempts/candidate/page.html", attempt, view=view)


@bp.get("/attempt/items/<int:item_id>/image")
@public
def image(item_id: int):
    """The image under a question of the candidate's own paper."""
    # The bank's own image route needs an account; the seat has none, so the paper decides here.
    from exams.routes.banks import _legacy_image

    attempt = _attempt()
    item = db.session.get(PaperItem, item_id)
    if attempt is None or item is None or item.paper_id != attempt.paper_id or not item.version.image:
        abort(404)
    name = item.version.image
    if is_digest(name):
        store = current_store()
        mime = store.mime(name)
        if mime not in IMAGE_TYPES:
            abort(404)
        return store.send(name, mime, max_age=600)
    return _legacy_image(name)


# --- autosave -----------------------------------------------------------------------------------

def _read_save(body) -> tuple[int, list, bool, int]:
    """(item, choice, flagged, seq) of a save's JSON body; ValueError when it is not one."""
    if not isinstance(body, dict):
        raise ValueError("body")
    item, choice, seq = body.get("item"), body.get("choice"), body.get("seq")
    if (not isinstance(item, int) or isinstance(item, bool) or not 0 < item < 2**31
            or not isinstance(choice, list)
            or not isinstance(seq, int) or isinstance(seq, bool) or seq < 1 or seq > 2**31 - 1
            or len(choice) > 16):
        raise ValueError("fields")
    return item, choice, bool(body.get("flagged")), seq


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
    body = request.get_json(silent=True)
    try:
        item_id, choice, flagged, seq = _read_save(body)
    except ValueError:
        _log_refusal(attempt, "bad_request", body.get("item") if isinstance(body, dict) else None)
        return _refusal(400, "bad_request", _("The answer could not be read; reload the page."))
    try:
        item = db.session.get(PaperItem, item_id)
        if item is None or item.paper_id != attempt.paper_id:
            raise svc.AttemptRefused("item", _("This question is not on your paper."))
        picked = svc.check_choice(item, choice)
        saved = svc.save_answer(attempt.id, item.id, picked, flagged, seq, now())
    except svc.AttemptRefused as refused:
        db.session.rollback()
        _log_refusal(attempt, refused.code, item_id)
        status = 409 if refused.code in CONFLICT_CODES else 422
        return _refusal(status, refused.code, refused.message)
    db.session.commit()
    return jsonify(ok=True, outcome=saved.outcome, seq=seq, stored_seq=saved.seq)


@bp.get("/attempt/state")
@public
def state():
    """Status and time left by the server's clock, answered count and a fresh CSRF token."""
    attempt = _attempt()
    if attempt is None:
        return _no_attempt()
    answered = sum(1 for choice in db.session.scalars(
        select(ExamAnswer.choice).where(ExamAnswer.attempt_id == attempt.id)) if choice)
    # The page's token would expire long before a two-hour exam ends; each poll renews it.
    return jsonify(ok=True, answered=answered, csrf=generate_csrf(), **_clock(attempt))


@bp.post("/attempt/events")
@public
def event():
    """A focus loss or reconnect reported by the page, for the invigilator's console."""
    attempt = _attempt()
    if attempt is None:
        return _no_attempt()
    body = request.get_json(silent=True)
    kind = body.get("kind") if isinstance(body, dict) else None
    if kind not in PAGE_EVENTS:
        return _refusal(400, "bad_request", _("Unknown page event."))
    if attempt.status in FINISHED:
        return _refusal(409, "over", _("Your exam has been handed in."))
    svc.note_page_event(attempt, kind, now())
    db.session.commit()
    return jsonify(ok=True)


# --- summary, hand in, handed in ----------------------------------------------------------------

@bp.get("/attempt/summary")
@public
def summary():
    """Unanswered and flagged questions with links back to them, and the button to hand in."""
    attempt = _attempt()
    if attempt is None:
        return _to_seat()
    if attempt.status in FINISHED:
        return redirect(url_for("attempts.done"))
    return _page("attempts/candidate/summary.html", attempt, view="summary", form=EmptyForm())


@bp.post("/attempt/submit")
@public
def submit():
    """Hand the attempt in; the server grades the answers it holds."""
    attempt = _attempt()
    if attempt is None:
        return _to_seat()
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("attempts.summary"))
    moment = now()
    # Past the deadline the hand-in is the deadline's, whoever pressed the button first.
    by = "deadline" if attempt.deadline_at <= moment else "candidate"
    try:
        svc.submit(attempt, moment, by=by)
    except AlreadyChanged:
        db.session.rollback()
        db.session.refresh(attempt)
        if attempt.status is AttemptStatus.PAUSED:
            flash(_("The invigilator has paused your exam: you can hand in once it resumes."), "error")
            return redirect(url_for("attempts.summary"))
        return redirect(url_for("attempts.done"))
    db.session.commit()
    return redirect(url_for("attempts.done"))


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
    handed_in = attempt.submitted_at.astimezone(local_tz()).strftime("%H:%M") if attempt.submitted_at else ""
    return render_template("attempts/candidate/done.html", attempt=attempt, reg=reg, exam=reg.session,
                           released=released(reg.session), publish_by=publish_by, handed_in=handed_in,
                           form=EmptyForm())
