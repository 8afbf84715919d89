"""Enterprise assessments on the attempt engine: scheduled from a practice bank only, started by the
employee inside the window, handed in by the employee or by the server at the deadline, the result
kept on the assignment and counted in the assessment's pass rate."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from exams.assessments.models import Assessment, AssessmentAssignment, AssessmentStatus
from exams.attempts.cli import run_once
from exams.attempts.models import AttemptStatus, ExamAnswer, ExamAttempt, SittingKind
from exams.models import BankPurpose, BankTier, QuestionBank
from exams.services.blueprints import special_ops_theory
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import AuditEvent, Employment, Post
from lms.roles import Role

# 10:00 Beijing time; the window opens at 08:00 local and closes at 18:00 local.
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
OPENS, CLOSES = "2026-03-02T08:00", "2026-03-02T18:00"


@pytest.fixture
def clock(app):
    stopped = FixedClock(NOW)
    install_clock(app, stopped)
    yield stopped
    app.extensions.pop("lms.clock", None)


@pytest.fixture
def world(make, ent, centre, practice_bank, exam_bank, fill):
    """An enterprise admin, two employees with accounts, a 100-question composition, both banks."""
    fill(practice_bank, "练习", 80, 40)
    fill(exam_bank, "考试", 80, 40)
    blueprint = special_ops_theory(centre, "LV", "低压电工理论", "1.2", date(2026, 3, 1))
    admin = make.account("boss", Role.ENTERPRISE_ADMIN, org=ent)
    wang = make.person("王工", org=ent, post=Post.SAFETY_MANAGER)
    li = make.person("李工", org=ent, post=Post.OTHER)
    make.account("wang", Role.LEARNER, org=ent, person=wang)
    make.account("li", Role.LEARNER, org=ent, person=li)
    db.session.commit()
    jobs = {e.person.name: e for e in db.session.scalars(select(Employment).where(
        Employment.organization_id == ent.id))}
    return {"ent": ent, "blueprint": blueprint, "bank": practice_bank, "exam_bank": exam_bank,
            "admin": admin, "jobs": jobs}


def _form(world, **changes):
    data = {"enterprise": world["ent"].id, "title": "新员工三级安全教育考核", "purpose": "induction",
            "bank": world["bank"].id, "blueprint": world["blueprint"].id, "opens": OPENS, "closes": CLOSES,
            "time_limit": 60, "pass_percent": 80,
            "employees": [world["jobs"]["王工"].id, world["jobs"]["李工"].id]}
    data.update(changes)
    return data


def _schedule(client, login, world, **changes):
    login("boss")
    response = client.post(f"/assessments/new?enterprise={world['ent'].id}", data=_form(world, **changes))
    client.post("/logout")
    return response


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_the_admin_schedules_an_assessment_for_chosen_employees(client, login, world, clock):
    response = _schedule(client, login, world)
    assert response.status_code == 302
    assessment = db.session.scalar(select(Assessment))
    assert assessment.time_limit_minutes == 60 and assessment.pass_percent == 80
    assert assessment.opens_at == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 08:00 in Beijing
    assert sorted(a.person.name for a in assessment.assignments) == ["李工", "王工"]
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "exams.assessment.scheduled")) is not None


@pytest.mark.parametrize("changes, reason", [
    ({"bank": "EXAM"}, "Not a valid choice"),
    ({"closes": "2026-03-02T07:00"}, "The window must close after it opens."),
    ({"closes": "2026-03-02T09:00", "opens": "2026-03-01T08:00"}, "The window must close in the future."),
    ({"time_limit": 2}, "Number must be between 5 and 300."),
    ({"employees": []}, "Choose at least one employee on the job at the enterprise."),
])
def test_a_bad_plan_is_refused_plainly_and_writes_nothing(client, login, world, clock, changes, reason):
    if changes.get("bank") == "EXAM":
        changes = {"bank": world["exam_bank"].id}  # 教考分离: an exam bank is never offered
    login("boss")
    response = client.post(f"/assessments/new?enterprise={world['ent'].id}", data=_form(world, **changes),
                           headers={"Accept-Language": "en"})
    assert response.status_code in (200, 422)
    assert reason in response.get_data(as_text=True)
    assert _count(Assessment) == 0 and _count(AssessmentAssignment) == 0


def test_the_exam_bank_is_not_offered_and_too_small_a_bank_is_refused(client, login, world, clock, make,
                                                                       centre):
    login("boss")
    page = client.get("/assessments/new").get_data(as_text=True)
    offered = re.search(r'<select[^>]*id="bank"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert f'value="{world["bank"].id}"' in offered and f'value="{world["exam_bank"].id}"' not in offered
    small = QuestionBank(code="SMALL", name="小题库", purpose=BankPurpose.PRACTICE, tier=BankTier.PROVINCIAL,
                         organization=world["ent"])
    db.session.add(small)
    db.session.commit()
    response = client.post(f"/assessments/new?enterprise={world['ent'].id}",
                           data=_form(world, bank=small.id), headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "too few published questions" in response.get_data(as_text=True)
    assert _count(Assessment) == 0


def test_another_enterprises_employee_cannot_be_assigned(client, login, world, clock, make):
    other = make.org("苏州乙公司", region_code="320509")
    stranger = make.person("外人", org=other)
    job = db.session.scalar(select(Employment).where(Employment.person_id == stranger.id))
    response = _schedule(client, login, world, employees=[world["jobs"]["王工"].id, job.id])
    assert response.status_code in (200, 422) and _count(Assessment) == 0


def _start(client, login, username="wang"):
    login(username)
    mine = client.get("/assessments/mine").get_data(as_text=True)
    assignment = db.session.scalar(select(AssessmentAssignment).join(AssessmentAssignment.person)
                                   .where(AssessmentAssignment.person.has(name={"wang": "王工",
                                                                                "li": "李工"}[username])))
    assert "新员工三级安全教育考核" in mine
    return client.post(f"/assessments/mine/{assignment.id}/start"), assignment


def test_the_employee_sits_it_on_the_attempt_page_and_the_result_is_kept(client, login, world, clock):
    _schedule(client, login, world)
    response, assignment = _start(client, login)
    sitting = response.headers["Location"]
    attempt = db.session.scalar(select(ExamAttempt))
    assert sitting == f"/exam/online/{attempt.id}" and attempt.kind is SittingKind.ASSESSMENT
    assert attempt.deadline_at == NOW + timedelta(minutes=60)
    page = client.get(sitting).get_data(as_text=True)
    assert "新员工三级安全教育考核" in page and 'id="time-left"' in page
    items = attempt.paper.items
    assert attempt.paper.pass_mark == 80.0 and attempt.paper.duration_minutes == 60
    # No key reaches the browser before the hand-in.
    assert '"key"' not in page and "解析" not in page
    for index, item in enumerate(items):
        wrong = [p for p in range(max(2, len(item.option_order))) if p not in item.key][:1]
        choice = item.key if index >= 15 else wrong
        assert client.post(f"{sitting}/answers",
                           json={"item": item.id, "choice": choice, "seq": 1}).status_code == 200
    assert client.post(f"{sitting}/submit").headers["Location"] == f"{sitting}/done"
    db.session.refresh(assignment)
    assert assignment.score == 85.0 and assignment.passed is True and assignment.completed_at == NOW
    assert "85" in client.get(f"{sitting}/done").get_data(as_text=True)
    # A second start goes back to the handed-in attempt, it does not begin another.
    client.post(f"/assessments/mine/{assignment.id}/start")
    assert _count(ExamAttempt) == 1
    client.post("/logout")
    login("boss")
    detail = client.get(f"/assessments/{assignment.assessment_id}").get_data(as_text=True)
    assert "50%" in detail  # one of two assigned has passed


def test_the_server_hands_it_in_at_the_window_end_with_every_browser_closed(client, login, world, clock):
    _schedule(client, login, world, closes="2026-03-02T10:30")
    response, assignment = _start(client, login)
    attempt = db.session.scalar(select(ExamAttempt))
    # The window closes 30 minutes in, before the 60-minute limit: the window wins.
    assert attempt.deadline_at == NOW + timedelta(minutes=30)
    item = attempt.paper.items[0]
    sitting = response.headers["Location"]
    client.post(f"{sitting}/answers", json={"item": item.id, "choice": item.key, "seq": 1})
    clock.set(NOW + timedelta(minutes=31))
    attempt_id, assignment_id = attempt.id, assignment.id
    assert run_once()["submitted"] == 1
    attempt = db.session.get(ExamAttempt, attempt_id)
    assert attempt.status is AttemptStatus.SUBMITTED and attempt.submitted_by == "deadline"
    assignment = db.session.get(AssessmentAssignment, assignment_id)
    assert assignment.score == 1.0 and assignment.passed is False
    assert run_once()["submitted"] == 0  # handed in once


def test_before_the_window_and_for_someone_else_it_cannot_be_started(client, login, world, clock):
    _schedule(client, login, world, opens="2026-03-02T12:00")
    response, assignment = _start(client, login)
    assert response.headers["Location"].endswith("/assessments/mine") and _count(ExamAttempt) == 0
    client.post("/logout")
    login("li")
    assert client.post(f"/assessments/mine/{assignment.id}/start").status_code == 404


def test_saves_to_someone_elses_sitting_are_404_and_change_nothing(client, login, world, clock):
    _schedule(client, login, world)
    response, _assignment = _start(client, login)
    sitting = response.headers["Location"]
    item = db.session.scalar(select(ExamAttempt)).paper.items[0]
    client.post("/logout")
    login("li")
    assert client.get(sitting).status_code == 404
    refused = client.post(f"{sitting}/answers", json={"item": item.id, "choice": [0], "seq": 1})
    assert refused.status_code == 404
    assert _count(ExamAnswer) == 0


def test_another_enterprises_admin_does_not_find_it(client, login, world, clock, make):
    _schedule(client, login, world)
    other = make.org("苏州乙公司", region_code="320509")
    make.account("rival", Role.ENTERPRISE_ADMIN, org=other)
    login("rival")
    assessment = db.session.scalar(select(Assessment))
    assert client.get(f"/assessments/{assessment.id}").status_code == 404
    assert "新员工三级安全教育考核" not in client.get("/assessments/").get_data(as_text=True)


def test_cancel_needs_a_reason_and_is_refused_once_someone_started(client, login, world, clock):
    _schedule(client, login, world)
    assessment = db.session.scalar(select(Assessment))
    _start(client, login)
    client.post("/logout")
    login("boss")
    client.post(f"/assessments/{assessment.id}/cancel", data={"reason": "排期有误"})
    db.session.refresh(assessment)
    assert assessment.status is AssessmentStatus.SCHEDULED


def test_cancel_before_anyone_started_is_audited(client, login, world, clock):
    _schedule(client, login, world, opens="2026-03-02T12:00")
    assessment = db.session.scalar(select(Assessment))
    login("boss")
    client.post(f"/assessments/{assessment.id}/cancel", data={"reason": ""})
    db.session.refresh(assessment)
    assert assessment.status is AssessmentStatus.SCHEDULED
    client.post(f"/assessments/{assessment.id}/cancel", data={"reason": "排期有误"})
    db.session.refresh(assessment)
    assert assessment.status is AssessmentStatus.CANCELLED and assessment.cancelled_reason == "排期有误"
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "exams.assessment.cancelled")) is not None
