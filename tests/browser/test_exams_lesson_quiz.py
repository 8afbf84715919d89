"""Lesson quiz in Chromium: a trainer attaches it from the nav; a learner answers it under the lesson."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from courses.models import Catalogue, Course, CourseModule, CourseStatus, Enrollment, Lesson
from exams.demo import add_knowledge_tree
from exams.models import BankPurpose, LessonQuiz, PracticeAttempt, QuestionBank, WrongAnswer
from exams.services.questions import write_items
from lms.extensions import db
from lms.models import OrgKind, Post
from lms.roles import Role

from support import PASSWORD

pytestmark = pytest.mark.browser

QUESTIONS = [
    ("single", "煤油燃烧引起的火灾属于哪一类火灾？", ["A类火灾", "B类火灾", "C类火灾", "D类火灾"], [1],
     "GB/T 4968-2008：液体火灾为B类。"),
    ("true_false", "扑救电气火灾应先切断电源。", [], [0], "带电灭火有触电危险，应先断电。"),
]


def sign_in(page, base, username):
    page.goto(base + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


@pytest.fixture
def quiz_world(make):
    make.rules()
    add_knowledge_tree()
    centre = make.org("无锡市安全生产培训考试考核中心", kind=OrgKind.EXAM_CENTRE, industry=None)
    ent = make.org("无锡恒通化工有限公司", high_risk=True, industry="hazardous_chemicals")
    bank = QuestionBank(code="JS-PRACTICE", name="江苏省安全生产练习题库", purpose=BankPurpose.PRACTICE,
                        organization=centre)
    db.session.add_all([bank, QuestionBank(code="JS-EXAM", name="江苏省考试题库", purpose=BankPurpose.EXAM,
                                           organization=centre)])
    db.session.flush()
    write_items(bank, [{"qtype": t, "stem": stem, "options": opts, "key": key, "explanation": why,
                        "knowledge_point": "fire.class", "difficulty": 2, "posts": [], "operation_codes": [],
                        "status": "published", "image": None} for t, stem, opts, key, why in QUESTIONS],
                None, datetime.now(UTC))
    course = Course(title="全员消防安全", summary="每位员工都要会的消防常识。", catalogue=Catalogue.ALL_STAFF,
                    owner_org_id=ent.id, status=CourseStatus.PUBLISHED)
    module = CourseModule(course=course, title="第一章", position=1)
    db.session.add_all([course, module])
    db.session.flush()
    db.session.add(Lesson(module=module, course_id=course.id, title="火灾分类与扑救", position=1, minutes=20,
                          body_md="## 火灾分类\n\n液体火灾为B类；电气火灾先断电。"))
    person = make.person("王学员", org=ent, post=Post.OTHER)
    db.session.add(Enrollment(course_id=course.id, person_id=person.id, organization_id=ent.id))
    db.session.commit()
    make.account("learner", Role.LEARNER, org=ent, person=person)
    make.account("trainer", Role.TRAINER, org=ent)
    return {"course": course, "bank": bank}


def test_trainer_attaches_a_quiz_and_learner_answers_it(live_server, page, quiz_world, shoot, axe_check,
                                                        nav):
    sign_in(page, live_server, "trainer")
    nav(page, "课后小测", exact=True).click()
    page.get_by_role("heading", name="全员消防安全").wait_for()
    axe_check(page)
    shoot(page, "exams-lesson-quizzes-zh")
    page.get_by_role("link", name="添加小测").click()
    assert page.locator("select[name=bank] option").all_inner_texts() == ["江苏省安全生产练习题库"]
    page.get_by_label("知识点（含其下级知识点）").select_option("fire")
    page.get_by_label("每轮题数").fill("2")
    page.get_by_label("合格正确率（%，留空则仅作练习）").fill("50")
    axe_check(page)
    shoot(page, "exams-lesson-quiz-form-zh")
    page.get_by_role("button", name="添加小测").click()
    page.get_by_text("已为本课时添加小测。").wait_for()
    assert db.session.scalar(select(LessonQuiz.question_count)) == 2
    page.get_by_role("button", name="退出").click()

    sign_in(page, live_server, "learner")
    page.goto(f"{live_server}/courses/{quiz_world['course'].id}")
    page.get_by_role("link", name="火灾分类与扑救").first.click()
    page.get_by_role("heading", name="练习小测").wait_for()
    axe_check(page)
    shoot(page, "exams-lesson-quiz-question-zh")
    for n in range(2):
        stem = page.locator("form .stem").inner_text()
        if stem.startswith("煤油"):
            page.get_by_label("A类火灾").check()  # wrong on purpose
        else:
            page.get_by_label("正确", exact=True).check()
        page.get_by_role("button", name="提交答案").click()
        page.wait_for_url("**#lesson-quiz")
        if stem.startswith("煤油"):
            page.get_by_role("heading", name="答错了，已记入你的错题本。").wait_for()
            page.get_by_text("液体火灾为B类。").wait_for()
        else:
            page.get_by_role("heading", name="回答正确！").wait_for()
            page.get_by_text("带电灭火有触电危险，应先断电。").wait_for()
        if n == 0:
            page.get_by_role("heading", name="第 2 题，共 2 题").wait_for()
            axe_check(page)
            shoot(page, "exams-lesson-quiz-feedback-zh")
    page.get_by_role("heading", name="小测完成").wait_for()
    page.get_by_text("共 2 题，你答对了 1 题。").wait_for()
    axe_check(page)
    shoot(page, "exams-lesson-quiz-done-zh")
    db.session.expire_all()
    attempt = db.session.scalar(select(PracticeAttempt))
    assert attempt.score == 1 and attempt.passed is True
    assert db.session.scalar(select(WrongAnswer.source)) == "lesson_quiz"
