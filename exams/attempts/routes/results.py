"""Result pages: the candidate's own exam results, a session's results for its centre and for the
enterprises of its candidates, and the score report PDF."""

import io

from flask import abort, render_template, send_file
from flask_login import current_user
from sqlalchemy import func, select

from exams.attempts import results
from exams.attempts.report_pdf import number, score_report_pdf
from exams.attempts.routes import bp
from exams.centres.access import registrations_clause, session_or_404, sessions_clause
from exams.centres.labels import template_helpers
from exams.centres.models import ExamSession, Registration, RegistrationStatus, SessionStatus
from exams.permissions import PRACTICE, REGISTER
from lms.authz import requires, signed_in
from lms.extensions import db
from lms.i18n import _l

#: Session states in which results exist or are coming.
WITH_RESULTS = (SessionStatus.OPEN, SessionStatus.CLOSED, SessionStatus.RESULTS_RELEASED)


def register_navigation() -> None:
    """"My exam results" for people with an account; "Exam results" for whoever registers."""
    from lms.web.templating import add_nav_item

    add_nav_item("training", "attempts.my_results", _l("My exam results"), PRACTICE,
                 when=lambda account: account.person_id is not None)
    add_nav_item("exams", "attempts.results_sessions", _l("Exam results"), REGISTER)


@bp.app_context_processor
def _release_helpers() -> dict:
    # Lets the centre's session page show the release deadline without a change to its view.
    return {"results_release_deadline": results.release_deadline}


def _helpers() -> dict:
    return {**template_helpers(), "number": number, "release_deadline": results.release_deadline,
            "exam_day": results.exam_day}


@bp.get("/results")
@requires(PRACTICE)
def my_results():
    """The signed-in person's exam registrations and, once released, their results."""
    rows = results.candidate_rows(current_user.person_id) if current_user.person_id else []
    return render_template("attempts/results/mine.html", rows=rows, **_helpers())


@bp.get("/results/sessions")
@requires(REGISTER)
def results_sessions():
    """Sessions under way or over, with results for the account: its centres' or its candidates'."""
    sessions = list(db.session.scalars(
        select(ExamSession).where(sessions_clause(current_user, REGISTER),
                                  ExamSession.status.in_(WITH_RESULTS))
        .order_by(ExamSession.starts_at.desc(), ExamSession.id.desc()).limit(200)))
    counts = _visible_counts(sessions)
    listed = [s for s in sessions if counts.get(s.id) or results.is_centre_staff(current_user, s)]
    return render_template("attempts/results/sessions.html", sessions=listed, counts=counts, **_helpers())


def _visible_counts(sessions: list[ExamSession]) -> dict[int, int]:
    """Active registrations the account may see, per session."""
    counts = {}
    for session in sessions:
        counts[session.id] = db.session.scalar(
            select(func.count()).select_from(Registration).where(
                registrations_clause(current_user, session),
                Registration.status == RegistrationStatus.ACTIVE))
    return counts


@bp.get("/sessions/<int:session_id>/results")
@requires(REGISTER)
def session_results(session_id: int):
    """The session's candidates and results: all of them at once for the centre's staff, an
    enterprise's own candidates once released."""
    session = session_or_404(session_id, REGISTER)
    staff = results.is_centre_staff(current_user, session)
    rows = results.session_rows(session, current_user)
    if not rows and not staff:
        # A published session in the province without this enterprise's candidates: nothing of it
        # is theirs, exactly like a session they cannot see.
        abort(404)
    return render_template("attempts/results/session.html", session=session, rows=rows, staff=staff,
                           released=results.released(session), tally=results.tally(rows),
                           unfinished=results.unfinished_attempts(session) if staff else 0,
                           state_labels=results.STATE_LABELS, **_helpers())


@bp.get("/registrations/<int:registration_id>/report.pdf")
@signed_in
def score_report(registration_id: int):
    """The score report: for the candidate and their enterprise after release, centre staff always."""
    reg = db.session.get(Registration, registration_id)
    if reg is None or not results.may_read_report(current_user, reg):
        abort(404)
    response = send_file(io.BytesIO(score_report_pdf(reg)), mimetype="application/pdf", as_attachment=True,
                         download_name=f"score-report-{reg.ticket_number}.pdf")
    # A result with a name and ID number: never kept by a shared cache.
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response
