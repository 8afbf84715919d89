"""The demo leads somewhere: each account's main job works end to end on one loaded demo."""

import re

import pytest
from sqlalchemy import func, select

from courses.demo import DEMO_ENTERPRISE
from courses.drills.demo import run_payload
from courses.drills.models import DrillResult
from courses.models import Lesson
from courses.requirements import Calculator
from exams.models import Blueprint, KnowledgePoint, LessonQuiz, PracticeAttempt, Question, QuestionBank
from exams.services.blueprints import validate
from exams.services.lesson_quiz import round_size
from lms.clock import local_tz, today
from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from lms.models import Account, Employment, Organization
from simulations.confined_space import judge as confined_judge
from simulations.escape import judge as escape_judge
from simulations.i18n import translate

OUTCOMES = {"escape": escape_judge.OUTCOMES, "confined-space": confined_judge.OUTCOMES}


@pytest.fixture
def demo_ctx(demo_app):
    with demo_app.test_request_context():
        yield demo_app
        db.session.rollback()


def signed_in(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    return client


def _bank(code: str) -> QuestionBank:
    return db.session.scalar(select(QuestionBank).where(QuestionBank.code == code))


def _blueprint(code: str) -> Blueprint:
    return db.session.scalar(select(Blueprint).where(Blueprint.code == code))


def test_the_learners_mock_exam_starts_and_is_mostly_electrical(demo_app, demo_ctx):
    client = signed_in(demo_app, "learner")
    bank, blueprint = _bank("JS-PRACTICE"), _blueprint("LV-ELEC-THEORY")
    response = client.post(f"/exams/practice/{bank.id}/mock", data={"blueprint": blueprint.id})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    attempt_id = int(re.search(r"/mock/(\d+)", response.headers["Location"]).group(1))
    # The mock runs on the attempt page (its clock, autosave and summary before handing in).
    sitting = client.get(f"/exams/mock/{attempt_id}").headers["Location"]
    assert sitting.startswith("/exam/online/") and client.get(sitting).status_code == 200
    items = db.session.get(PracticeAttempt, attempt_id).paper.items
    elec = db.session.scalar(select(KnowledgePoint).where(KnowledgePoint.code == "elec"))
    electrical = [i for i in items if i.version.question.knowledge_point.path.startswith(elec.path)]
    assert len(items) == 100
    assert len(electrical) >= 60, len(electrical)


def test_every_practice_bank_offered_to_the_learner_has_questions(demo_app, demo_ctx):
    html = signed_in(demo_app, "learner").get("/exams/practice").get_data(as_text=True)
    offered = {int(n) for n in re.findall(r'action="/exams/practice/(\d+)/mock"', html)}
    assert offered
    for bank_id in offered:
        assert db.session.scalar(select(func.count(Question.id)).where(Question.bank_id == bank_id)) >= 100


def test_both_demo_blueprints_assemble_from_both_demo_banks(demo_ctx):
    for bank_code in ("JS-PRACTICE", "JS-EXAM"):
        for blueprint_code in ("LV-ELEC-THEORY", "PRINCIPAL-HAZCHEM"):
            gaps = validate(_blueprint(blueprint_code), _bank(bank_code))
            assert gaps == [], (bank_code, blueprint_code, [(g.need, g.have) for g in gaps])


def test_demo_lessons_carry_practice_quizzes_the_learner_can_answer(demo_app, demo_ctx):
    quizzes = db.session.scalars(select(LessonQuiz)).all()
    assert len(quizzes) >= 5
    assert all(round_size(q) == q.question_count for q in quizzes)
    # The enterprise's trainer authors only the enterprise's courses: one of them carries a quiz.
    trainer = db.session.scalar(select(Account).where(Account.username == "trainer"))
    trainer_org = trainer.grants[0].organization_id
    assert any(q.lesson.module.course.owner_org_id == trainer_org for q in quizzes)
    lesson = db.session.scalar(select(Lesson).where(Lesson.title == "触电急救"))
    html = signed_in(demo_app, "learner").get(f"/courses/lessons/{lesson.id}").get_data(as_text=True)
    assert 'id="lesson-quiz"' in html


def test_every_demo_drill_run_tells_what_its_decisions_say(demo_ctx):
    runs = db.session.scalars(select(DrillResult)).all()
    assert len(runs) == 30 and {r.drill for r in runs} == {"escape", "confined-space"}
    assert {r.passed for r in runs} == {True, False}
    for run in runs:
        decided = {d["code"]: d["correct"] for d in run.decisions}
        assert run.outcome_text == translate(OUTCOMES[run.drill][run.outcome], "zh_CN"), run.run_id
        if run.outcome == "escaped":
            assert decided["assembly"] and decided["call_119"]
        if run.drill == "escape" and not decided.get("call_119"):
            assert "拨打了119" not in run.outcome_text
        if run.drill == "confined-space":
            assert decided["rescue"] is (run.outcome == "rescued")
        if run.passed:
            assert not any(d["critical"] and not d["correct"] for d in run.decisions)


def test_a_demo_run_is_what_the_drill_engine_reports_for_its_seed(demo_ctx):
    run = db.session.scalars(select(DrillResult).where(DrillResult.drill == "confined-space")).first()
    again = [run_payload(run.drill, behaviour, run.seed, run.run_id, run.started_at)
             for behaviour in ("pass", "no_harness_scba", "tested_first", "one_level", "blind_rescue")]
    assert any(p["decisions"] == run.decisions and p["score"] == run.score for p in again)


def test_the_demo_learners_years_before_the_system_are_met_by_training_elsewhere(demo_ctx):
    learner = db.session.scalar(select(Account).where(Account.username == "learner"))
    start = min(e.start_date.year for e in learner.person.employments)
    calculator = Calculator(local_tz())
    for year in range(start, today().year):
        hours = [r for r in calculator.for_person(learner.person, year) if r.unit == "class_hours"]
        assert all(r.met for r in hours), (year, [(r.kind, r.required, r.done) for r in hours])
        assert any(r.external for r in hours) or not hours


def test_the_demo_exam_day_has_a_session_with_checked_candidates_whose_papers_freeze(demo_app, demo_ctx):
    from exams.centres.freeze import close_registration
    from exams.centres.models import ExamSession, Registration, SessionStatus
    from lms.clock import now
    from lms.models import Account

    session = db.session.scalar(select(ExamSession).where(ExamSession.status == SessionStatus.PUBLISHED))
    regs = db.session.scalars(select(Registration).where(Registration.session_id == session.id)).all()
    assert len(regs) >= 3 and all(all(c["ok"] for c in r.eligibility) for r in regs)
    client = signed_in(demo_app, "ent_admin")
    page = client.get(f"/centre/sessions/{session.id}/registrations").get_data(as_text=True)
    assert regs[0].ticket_number in page
    admin = db.session.scalar(select(Account).where(Account.username == "centre_admin"))
    assert close_registration(session, admin, now()) == len(regs)
    frozen = db.session.scalars(select(Registration).where(Registration.session_id == session.id)).all()
    assert all(r.paper_id and r.seat_id for r in frozen)
    assert all(len(r.paper.items) == 100 for r in frozen)


def test_the_demo_enterprise_sees_its_certificates_and_each_pdf_matches_its_hash(demo_app, demo_ctx):
    import hashlib

    from certificates.dates import standing
    from certificates.models import Certificate

    client = signed_in(demo_app, "ent_admin")
    html = client.get("/certificates/employees").get_data(as_text=True)
    # Only the demo enterprise's certificates: the compliance demo gives the other enterprises theirs.
    certs = db.session.scalars(select(Certificate)
                               .join(Employment, Employment.id == Certificate.employment_id)
                               .join(Organization).where(Organization.name == DEMO_ENTERPRISE)
                               .order_by(Certificate.id)).all()
    assert len(certs) >= 10 and all(c.number in html for c in certs)
    standings = {standing(c, today()) for c in certs}
    assert {"valid", "expired", "review_overdue"} <= standings, standings
    first = certs[0]
    assert hashlib.sha256(client.get(f"/certificates/{first.id}/pdf").data).hexdigest() == first.pdf_sha256


def test_the_demo_learner_has_an_assessment_to_take(demo_app, demo_ctx):
    client = signed_in(demo_app, "learner")
    html = client.get("/assessments/mine").get_data(as_text=True)
    assert "2026年新员工三级安全教育考核" in html and "/start" in html
