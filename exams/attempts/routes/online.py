"""The attempt page for sittings taken online with an account: enterprise assessments and mock exams.

The same paper page, autosave, clock and hand-in as at an exam-centre seat (routes.sitting); the
browser proves whose attempt it is with its sign-in, so every URL names the attempt and answers
404 for anyone else's.
"""

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from exams.attempts.models import ExamAttempt, SittingKind
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
    save_reply,
    state_reply,
    summary_page,
)
from exams.attempts.services import ONLINE_AUDIT
from lms.audit import record_event
from lms.authz import signed_in
from lms.extensions import db, limiter
from lms.i18n import _l

ONLINE = (SittingKind.ASSESSMENT, SittingKind.MOCK)

AUDIT_SENTENCES = {
    "exams.sitting.started": _l("%(who)s started %(title)s (deadline %(deadline)s)"),
    "exams.sitting.submitted": _l("%(who)s's %(title)s was handed in (%(by)s; %(points)s points, passed: "
                                  "%(passed)s)"),
    "exams.sitting.save_refused": _l("An answer of %(who)s in %(title)s to question %(item)s was refused: "
                                     "%(save_refusal)s"),
}


def _own_attempt(attempt_id: int) -> ExamAttempt:
    """The signed-in account's online attempt, or 404."""
    attempt = db.session.get(ExamAttempt, attempt_id)
    if attempt is None or attempt.kind not in ONLINE or attempt.account_id != current_user.id:
        abort(404)
    return attempt


def _sitting(attempt: ExamAttempt) -> Sitting:
    _org, names = ONLINE_AUDIT[attempt.kind](attempt)
    return Sitting(title=names["title"], who=names["who"],
                   links=Links("attempts.online_", {"attempt_id": attempt.id}))


def _log_refusal(attempt: ExamAttempt, code: str, item) -> None:
    organization_id, names = ONLINE_AUDIT[attempt.kind](attempt)
    record_event("exams.sitting.save_refused", actor=current_user, target=attempt,
                 organization_id=organization_id, item=item if isinstance(item, int) else "?",
                 save_refusal=code, **names)
    db.session.commit()


@bp.get("/online/<int:attempt_id>")
@signed_in
def online_page(attempt_id: int):
    """The paper of an online sitting."""
    attempt = _own_attempt(attempt_id)
    return paper_page(attempt, _sitting(attempt))


@bp.get("/online/<int:attempt_id>/items/<int:item_id>/image")
@signed_in
def online_image(attempt_id: int, item_id: int):
    """The image under a question of the account's own paper."""
    return item_image(_own_attempt(attempt_id), item_id)


@bp.post("/online/<int:attempt_id>/answers")
@limiter.exempt  # one request per answer; the sign-in and the attempt's state are the limit
@signed_in
def online_save(attempt_id: int):
    """Store one answer; acknowledged only after the commit."""
    return save_reply(_own_attempt(attempt_id), _log_refusal)


@bp.get("/online/<int:attempt_id>/state")
@signed_in
def online_state(attempt_id: int):
    """Status and time left by the server's clock, and a fresh CSRF token."""
    return state_reply(_own_attempt(attempt_id))


@bp.post("/online/<int:attempt_id>/events")
@signed_in
def online_event(attempt_id: int):
    """Focus-loss and reconnect reports are kept with the attempt (nobody watches them live)."""
    return event_reply(_own_attempt(attempt_id))


@bp.get("/online/<int:attempt_id>/summary")
@signed_in
def online_summary(attempt_id: int):
    """Unanswered and flagged questions, and the button to hand in."""
    attempt = _own_attempt(attempt_id)
    return summary_page(attempt, _sitting(attempt))


@bp.post("/online/<int:attempt_id>/submit")
@signed_in
def online_submit(attempt_id: int):
    """Hand the attempt in; the server grades it at once."""
    attempt = _own_attempt(attempt_id)
    return hand_in(attempt, _sitting(attempt), actor=current_user)


@bp.get("/online/<int:attempt_id>/done")
@signed_in
def online_done(attempt_id: int):
    """The result of a handed-in online sitting (a mock shows its marking in the practice area)."""
    attempt = _own_attempt(attempt_id)
    if attempt.status not in FINISHED:
        return redirect(url_for("attempts.online_page", attempt_id=attempt.id))
    if attempt.kind is SittingKind.MOCK:
        return redirect(url_for("exams.mock", attempt_id=attempt.practice_attempt_id))
    return render_template("attempts/online/done.html", attempt=attempt, sitting=_sitting(attempt),
                           assignment=attempt.assignment, handed_in=handed_in_at(attempt))



