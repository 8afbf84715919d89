"""What every sitting of the attempt engine shares, whoever the candidate is and however they got in.

A seat at an exam centre, an enterprise's online assessment and a mock exam in the practice area
all show the same paper page, save answers the same way and hand in the same way; they differ
only in how the browser proves whose attempt it is, where the links go and what the handed-in
page says. The route modules find the attempt, build a :class:`Sitting` and call these.
"""

from dataclasses import dataclass, field

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from exams.attempts import services as svc
from exams.attempts.models import AttemptStatus, ExamAnswer, ExamAttempt
from exams.attempts.paper_view import clock, shown_items
from exams.models import PaperItem
from lms.auth.forms import EmptyForm
from lms.clock import local_tz, now
from lms.extensions import db
from lms.i18n import _
from lms.storage import IMAGE_TYPES, current_store, is_digest
from lms.transitions import AlreadyChanged

#: Page events the candidate's page may report; anything else is refused.
PAGE_EVENTS = ("focus_lost", "reconnected")
#: Refusals of a save by HTTP status: the attempt's state (409) or the request itself (422).
CONFLICT_CODES = {"over", "paused", "terminated", "no_attempt", "unknown"}
FINISHED = (AttemptStatus.SUBMITTED, AttemptStatus.TERMINATED)


@dataclass(frozen=True)
class Links:
    """The URLs of one sitting's pages: endpoints ``<prefix>page``, ``<prefix>save``, ... with ``args``."""

    prefix: str
    args: dict = field(default_factory=dict)

    def _url(self, name: str, **extra) -> str:
        return url_for(self.prefix + name, **self.args, **extra)

    def page(self, view: str | None = None, anchor: str | None = None) -> str:
        """The paper (``view="list"`` for every question on one page)."""
        extra = {"view": view} if view else {}
        return self._url("page", _anchor=anchor, **extra) if anchor else self._url("page", **extra)

    def image(self, item_id: int) -> str:
        """The image under a question."""
        return self._url("image", item_id=item_id)

    def __getattr__(self, name: str) -> str:
        # summary, save, state, event, submit, done: plain endpoints of the sitting.
        if name.startswith("_"):
            raise AttributeError(name)
        return self._url(name)


@dataclass(frozen=True)
class Sitting:
    """Who sits the attempt and where its links go, for the shared templates."""

    title: str
    who: str
    links: Links
    details: list = field(default_factory=list)
    #: Sent with each save so the save gateway can check it without a cookie (seat sittings).
    save_ticket: str | None = None


def refusal(status: int, code: str, message) -> tuple:
    """A JSON refusal the page shows as it is."""
    return jsonify(ok=False, code=code, message=str(message)), status


def render_sitting(template: str, attempt: ExamAttempt, sitting: Sitting, **context):
    """The paper or the summary of a running attempt."""
    items = shown_items(attempt)
    return render_template(template, attempt=attempt, sitting=sitting, items=items,
                           clock=clock(attempt, now()), max_seq=max((i.seq for i in items), default=0),
                           answered=sum(1 for i in items if i.answered),
                           deadline_local=attempt.deadline_at.astimezone(local_tz()).strftime("%H:%M"),
                           **context)


def paper_page(attempt: ExamAttempt, sitting: Sitting):
    """The exam paper: one question at a time with a navigator, or all of them (?view=list)."""
    if attempt.status in FINISHED:
        return redirect(sitting.links.done)
    view = "list" if request.args.get("view") == "list" else "one"
    return render_sitting("attempts/candidate/page.html", attempt, sitting, view=view)


def summary_page(attempt: ExamAttempt, sitting: Sitting):
    """Unanswered and flagged questions with links back to them, and the button to hand in."""
    if attempt.status in FINISHED:
        return redirect(sitting.links.done)
    return render_sitting("attempts/candidate/summary.html", attempt, sitting, view="summary",
                          form=EmptyForm())


def read_save(body) -> tuple[int, list, bool, int]:
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


def save_reply(attempt: ExamAttempt, log_refusal):
    """Store one answer; the reply is sent only after the commit, so an acknowledged save is kept.

    ``log_refusal(attempt, code, item)`` records a refused save in the audit log and commits.
    """
    body = request.get_json(silent=True)
    try:
        item_id, choice, flagged, seq = read_save(body)
    except ValueError:
        log_refusal(attempt, "bad_request", body.get("item") if isinstance(body, dict) else None)
        return refusal(400, "bad_request", _("The answer could not be read; reload the page."))
    try:
        item = db.session.get(PaperItem, item_id)
        if item is None or item.paper_id != attempt.paper_id:
            raise svc.AttemptRefused("item", _("This question is not on your paper."))
        picked = svc.check_choice(item, choice)
        saved = svc.save_answer(attempt.id, item.id, picked, flagged, seq, now())
    except svc.AttemptRefused as refused:
        db.session.rollback()
        log_refusal(attempt, refused.code, item_id)
        status = 409 if refused.code in CONFLICT_CODES else 422
        return refusal(status, refused.code, refused.message)
    db.session.commit()
    return jsonify(ok=True, outcome=saved.outcome, seq=seq, stored_seq=saved.seq)


def state_reply(attempt: ExamAttempt):
    """Status and time left by the server's clock, answered count and a fresh CSRF token."""
    answered = sum(1 for choice in db.session.scalars(
        select(ExamAnswer.choice).where(ExamAnswer.attempt_id == attempt.id)) if choice)
    # The page's token would expire long before a two-hour exam ends; each poll renews it.
    return jsonify(ok=True, answered=answered, csrf=generate_csrf(), **clock(attempt, now()))


def event_reply(attempt: ExamAttempt):
    """A focus loss or reconnect reported by the page, for the invigilator's console."""
    body = request.get_json(silent=True)
    kind = body.get("kind") if isinstance(body, dict) else None
    if kind not in PAGE_EVENTS:
        return refusal(400, "bad_request", _("Unknown page event."))
    if attempt.status in FINISHED:
        return refusal(409, "over", _("Your exam has been handed in."))
    svc.note_page_event(attempt, kind, now())
    db.session.commit()
    return jsonify(ok=True)


def hand_in(attempt: ExamAttempt, sitting: Sitting, actor=None):
    """Hand the attempt in; the server grades the answers it holds."""
    if not EmptyForm().validate_on_submit():
        return redirect(sitting.links.summary)
    moment = now()
    # Past the deadline the hand-in is the deadline's, whoever pressed the button first.
    by = "deadline" if attempt.deadline_at <= moment else "candidate"
    try:
        svc.submit(attempt, moment, by=by, actor=actor)
    except AlreadyChanged:
        db.session.rollback()
        db.session.refresh(attempt)
        if attempt.status is AttemptStatus.PAUSED:
            flash(_("The invigilator has paused your exam: you can hand in once it resumes."), "error")
            return redirect(sitting.links.summary)
        return redirect(sitting.links.done)
    db.session.commit()
    return redirect(sitting.links.done)


def item_image(attempt: ExamAttempt, item_id: int):
    """The image under a question of the attempt's own paper, or 404."""
    # The bank's own image route needs a bank permission; the paper decides here instead.
    from exams.routes.banks import _legacy_image

    item = db.session.get(PaperItem, item_id)
    if item is None or item.paper_id != attempt.paper_id or not item.version.image:
        abort(404)
    name = item.version.image
    if is_digest(name):
        store = current_store()
        mime = store.mime(name)
        if mime not in IMAGE_TYPES:
            abort(404)
        return store.send(name, mime, max_age=600)
    return _legacy_image(name)


def handed_in_at(attempt: ExamAttempt) -> str:
    """The local time the attempt was handed in, for the handed-in page."""
    return attempt.submitted_at.astimezone(local_tz()).strftime("%H:%M") if attempt.submitted_at else ""
