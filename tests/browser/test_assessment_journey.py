"""Enterprise assessments and mock exams on the attempt page, in Chromium: the enterprise admin
schedules an assessment from the practice bank; the employee finds it on the home page, sits it on
the same page as an exam-centre candidate (server clock, navigator, autosave, summary before handing
in) and sees the result; the admin's page counts it; a mock exam opens on that page too."""

from datetime import UTC, datetime

import pytest
from browser_helpers import english, sign_in
from centres_world import _fill, build_day
from sqlalchemy import select

from exams.assessments.models import AssessmentAssignment
from exams.attempts.models import ExamAnswer
from exams.models import BankPurpose, BankTier, QuestionBank
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.roles import Role

pytestmark = pytest.mark.browser

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture
def world(app, make):
    day = build_day(make)
    practice = QuestionBank(code="WX-PRAC", name="练习题库", purpose=BankPurpose.PRACTICE,
                            tier=BankTier.PROVINCIAL, organization=day.centre)
    db.session.add(practice)
    db.session.flush()
    _fill(practice, 80, 40)
    worker = day.employees[0]
    make.account("worker", Role.LEARNER, org=day.enterprise, person=worker)
    db.session.commit()
    install_clock(app, FixedClock(NOW))
    yield day, practice, worker
    app.extensions.pop("lms.clock", None)


def test_an_assessment_is_scheduled_sat_and_counted(browser, live_server, world, shoot, axe_check):
    day, practice, worker = world
    base = live_server
    admin_context, admin = english(browser)
    sign_in(admin, base, "ent_admin")
    admin.locator("#main-nav .nav-group-button[aria-controls='nav-menu-exams']").click()
    admin.locator("#nav-menu-exams").get_by_role("link", name="Enterprise assessments").click()
    admin.get_by_role("link", name="Schedule an assessment").click()
    admin.get_by_label("Title").fill("新员工三级安全教育考核")
    admin.get_by_label("Purpose").select_option("induction")
    admin.get_by_label("Practice bank").select_option(label="练习题库")
    assert "考试题库" not in admin.get_by_label("Practice bank").inner_text()
    admin.get_by_label("Opens").fill("2026-03-02T08:00")
    admin.get_by_label("Closes").fill("2026-03-02T18:00")
    admin.get_by_label("Time limit (minutes)").fill("60")
    axe_check(admin)
    shoot(admin, "assessment-new")
    admin.get_by_role("button", name="Schedule the assessment").click()
    admin.get_by_text("The assessment is scheduled for 6 employee(s).").wait_for()
    axe_check(admin)
    detail_url = admin.url

    worker_context, sitter = english(browser)
    sign_in(sitter, base, "worker")
    sitter.get_by_role("link", name="Assessments to take").first.click()
    axe_check(sitter)
    shoot(sitter, "assessment-mine")
    sitter.get_by_role("button", name="Start the assessment").click()
    sitter.locator("#time-left").wait_for()
    assert sitter.locator("#attempt").get_attribute("data-seconds-left") == "3600"  # the server's clock
    assert sitter.locator("#q-1").is_visible() and not sitter.locator("#q-2").is_visible()
    sitter.locator("#q-1").get_by_label("True", exact=True).check()
    sitter.locator("#q-1 [data-role=state]").filter(has_text="Saved").wait_for()
    sitter.locator("#nav-2").click()
    sitter.locator("#q-2").get_by_label("True", exact=True).check()
    sitter.locator("#q-2 [data-role=flag]").check()
    sitter.locator("#sync-state").filter(has_text="All answers saved").wait_for()
    axe_check(sitter)
    shoot(sitter, "assessment-paper")
    sitter.get_by_role("link", name="Review and hand in").first.click()
    sitter.get_by_text("2 of 100 questions answered.").wait_for()
    axe_check(sitter)
    shoot(sitter, "assessment-summary")
    sitter.get_by_role("button", name="Hand in my exam").click()
    sitter.get_by_role("heading", name="Your assessment has been handed in").wait_for()
    axe_check(sitter)
    shoot(sitter, "assessment-done")
    db.session.rollback()
    assignment = db.session.scalar(select(AssessmentAssignment).where(
        AssessmentAssignment.person_id == worker.id))
    assert assignment.completed_at is not None and assignment.passed is False
    assert len(db.session.scalars(select(ExamAnswer)).all()) == 2

    admin.goto(detail_url)
    row = admin.locator("tr", has_text=worker.name)
    assert "Handed in" in row.inner_text() and "Not passed" in row.inner_text()
    shoot(admin, "assessment-detail")
    admin_context.close()
    worker_context.close()


def test_a_mock_exam_runs_on_the_attempt_page(browser, live_server, world, make, shoot, axe_check):
    day, practice, worker = world
    base = live_server
    context, learner = english(browser)
    sign_in(learner, base, "worker")
    learner.goto(base + "/exams/practice")
    learner.get_by_role("button", name="Start a mock exam").first.click()
    learner.locator("#time-left").wait_for()
    assert learner.locator("#attempt").get_attribute("data-seconds-left") == "7200"  # the paper's 120 min
    assert learner.locator("#q-1").is_visible() and not learner.locator("#q-2").is_visible()
    learner.get_by_role("link", name="Review and hand in").first.click()
    learner.get_by_text("0 of 100 questions answered.").wait_for()
    axe_check(learner)
    shoot(learner, "mock-summary")
    learner.get_by_role("button", name="Hand in my exam").click()
    learner.get_by_role("heading", name="Mock exam").wait_for()
    shoot(learner, "mock-result")
    context.close()
