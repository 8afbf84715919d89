"""Authorization-matrix plug-in for enterprise assessments and the online attempt pages.

The foreign enterprise has an assessment for its worker, who has started it, and the foreign
learner of matrix_exams has a mock running on the attempt engine. Home enterprise admins must not
find the assessment (404), other roles lack the permission (403), and nobody but the sitter reaches
either online attempt (404 for everyone here).
"""

from datetime import timedelta

from sqlalchemy import select

from exams.assessments.models import Assessment, AssessmentAssignment, AssessmentPurpose
from exams.assessments.permissions import ASSESS
from exams.attempts.models import AttemptStatus, ExamAttempt, SittingKind
from lms.extensions import db
from lms.models import Employment


def extend_world(world, make):
    """A foreign assessment with a started attempt, and a running mock of the foreign learner."""
    x = world["exams"]
    title = f"{world['place'].prefix}乙秘密考核"
    person = world["person_b"]
    worker = make.account("b_worker", None, person=person)
    employment = db.session.scalar(select(Employment).where(Employment.person_id == person.id))
    mock = x["attempt"]
    opens = mock.started_at
    assessment = Assessment(enterprise_id=world["foreign"].id, title=title, purpose=AssessmentPurpose.OTHER,
                            bank_id=x["practice"].id, blueprint_id=x["blueprint"].id, opens_at=opens,
                            closes_at=opens + timedelta(days=3650), time_limit_minutes=60, pass_percent=80)
    db.session.add(assessment)
    db.session.flush()
    assignment = AssessmentAssignment(assessment_id=assessment.id, person_id=person.id,
                                      employment_id=employment.id)
    db.session.add(assignment)
    db.session.flush()
    deadline = opens + timedelta(days=3650)
    sat = ExamAttempt(kind=SittingKind.ASSESSMENT, assignment_id=assignment.id, account_id=worker.id,
                      paper_id=mock.paper_id, started_at=opens, deadline_at=deadline,
                      status=AttemptStatus.IN_PROGRESS)
    mocked = ExamAttempt(kind=SittingKind.MOCK, practice_attempt_id=mock.id, account_id=mock.account_id,
                         paper_id=mock.paper_id, started_at=opens, deadline_at=deadline,
                         status=AttemptStatus.IN_PROGRESS)
    db.session.add_all([sat, mocked])
    db.session.flush()
    world["assessments"] = {"assessment": assessment, "assignment": assignment, "sat": sat,
                            "mocked": mocked, "item": mock.paper.items[0].id}
    world["secrets"].append(title)


def _online(attempt_id: int, item: int) -> dict:
    base = f"/exam/online/{attempt_id}"
    save = {"item": item, "choice": "0", "seq": "1"}
    return {
        "attempts.online_page": [("GET", base, None, "object")],
        "attempts.online_image": [("GET", f"{base}/items/{item}/image", None, "object")],
        "attempts.online_save": [("POST", f"{base}/answers", save, "object")],
        "attempts.online_state": [("GET", f"{base}/state", None, "object")],
        "attempts.online_event": [("POST", f"{base}/events", {"kind": "focus_lost"}, "object")],
        "attempts.online_summary": [("GET", f"{base}/summary", None, "object")],
        "attempts.online_submit": [("POST", f"{base}/submit", {}, "object")],
        "attempts.online_done": [("GET", f"{base}/done", None, "object")],
    }


def cases(world):
    """Requests per assessment and online-attempt endpoint."""
    a = world["assessments"]
    foreign = world["foreign"].id
    assessment = a["assessment"].id
    merged = {
        "assessments.index": [("GET", "/assessments/", None, ASSESS)],
        "assessments.new": [("GET", f"/assessments/new?enterprise={foreign}", None, "object"),
                            ("POST", f"/assessments/new?enterprise={foreign}",
                             {"enterprise": foreign, "title": "x"}, "object")],
        "assessments.detail": [("GET", f"/assessments/{assessment}", None, "object")],
        "assessments.cancel": [("POST", f"/assessments/{assessment}/cancel", {"reason": "x"}, "object")],
        "assessments.mine": [("GET", "/assessments/mine", None, "open")],
        "assessments.start": [("POST", f"/assessments/mine/{a['assignment'].id}/start", {}, "object")],
    }
    for attempt in (a["sat"], a["mocked"]):
        for endpoint, requests in _online(attempt.id, a["item"]).items():
            merged.setdefault(endpoint, []).extend(requests)
    return merged


def assert_unchanged(world):
    """The foreign sittings are still running and nothing was saved to them."""
    from exams.attempts.models import ExamAnswer

    for key in ("sat", "mocked"):
        attempt = db.session.get(ExamAttempt, world["assessments"][key].id)
        assert attempt.status is AttemptStatus.IN_PROGRESS
        assert db.session.scalar(select(ExamAnswer.id).where(ExamAnswer.attempt_id == attempt.id)) is None
    assert db.session.get(Assessment, world["assessments"]["assessment"].id).status.value == "scheduled"
