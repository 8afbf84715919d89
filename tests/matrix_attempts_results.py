"""Authorization-matrix plug-in for the result pages: the candidate's results, the results of a
session, the score report.

The foreign centre (tests/matrix_centres.py) gets a second session whose results are released, with
a passed registration of the foreign worker: exactly what its candidate and enterprise may read, so
every home role's 404 is the scope at work, not a missing result.
"""

from datetime import UTC, date, datetime

from exams.centres.models import ExamSession, Registration, SessionKind, SessionStatus
from lms.extensions import db
from lms.models import Employment, Post

SECRETS = ["秘密成绩场次"]


def extend_world(world, make):
    """A released session of the foreign centre with the foreign worker's passing result."""
    c = world["centres"]
    session = ExamSession(
        centre=c["centre"], code="FOREIGN-RESULTS", title=SECRETS[0], kind=SessionKind.SPECIAL_OPS_THEORY,
        post=Post.SPECIAL_OPERATIONS.value, operation_subtype="6.8",
        starts_at=datetime(2026, 11, 10, 1, tzinfo=UTC), ends_at=datetime(2026, 11, 10, 3, tzinfo=UTC),
        registration_closes_at=datetime(2026, 11, 3, tzinfo=UTC), capacity=1, access_code="654321",
        status=SessionStatus.RESULTS_RELEASED, seed=7, created_by_id=c["admin"].id)
    db.session.add(session)
    db.session.flush()
    person = world["person_b"]
    employment = db.session.query(Employment).filter_by(person_id=person.id).first()
    reg = Registration(session=session, person=person, employment=employment,
                       organization_id=employment.organization_id, ticket_number="99990002",
                       registered_by_id=c["admin"].id, score=92.0, passed=True,
                       result_on=date(2026, 11, 10))
    db.session.add(reg)
    db.session.flush()
    c["released_session"], c["released_registration"] = session, reg
    world["secrets"].extend(SECRETS)


def cases(world):
    """Requests per endpoint of exams/attempts/routes/results.py."""
    from exams.permissions import PRACTICE, REGISTER

    c = world["centres"]
    session, reg = c["released_session"].id, c["released_registration"].id
    return {
        "attempts.my_results": [("GET", "/exam/results", None, PRACTICE)],
        "attempts.results_sessions": [("GET", "/exam/results/sessions", None, REGISTER)],
        "attempts.session_results": [("GET", f"/exam/sessions/{session}/results", None, "object"),
                                     ("GET", f"/exam/sessions/{c['session'].id}/results", None, "object")],
        "attempts.score_report": [("GET", f"/exam/registrations/{reg}/report.pdf", None, "object"),
                                  ("GET", f"/exam/registrations/{c['registration'].id}/report.pdf", None,
                                   "object")],
    }
