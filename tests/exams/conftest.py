"""Fixtures for the exams tests: knowledge points, an exam centre, banks, accounts, questions."""

from datetime import UTC, datetime

import pytest

from courses.models import Catalogue, Course, CourseModule, CourseStatus, Enrollment, Lesson
from exams.demo import add_knowledge_tree
from exams.models import BankPurpose, BankTier, QuestionBank
from exams.services.questions import write_items
from lms.extensions import db
from lms.models import OrgKind, Post
from lms.roles import Role

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def item(stem: str, qtype: str = "true_false", difficulty: int = 3, kp: str = "fire.class",
         status: str = "published", options=None, key=None, codes=()) -> dict:
    """A checked item as the services take it."""
    if qtype == "true_false":
        options, key = [], key or [0]
    else:
        options = options or ["甲选项", "乙选项", "丙选项", "丁选项"]
        key = key or ([1] if qtype == "single" else [0, 2])
    return {"qtype": qtype, "stem": stem, "options": options, "key": key, "explanation": "解析" + stem,
            "knowledge_point": kp, "difficulty": difficulty, "posts": [], "operation_codes": list(codes),
            "status": status, "image": None}


def _fill(bank: QuestionBank, prefix: str, n_tf: int, n_single: int, n_multi: int = 0,
         difficulty=lambda i: 1 + i % 5, kp: str = "fire.class") -> list[int]:
    """Published questions of each type with spread difficulties."""
    items = [item(f"{prefix}判断{i}", "true_false", difficulty(i), kp) for i in range(n_tf)]
    items += [item(f"{prefix}单选{i}", "single", difficulty(i), kp) for i in range(n_single)]
    items += [item(f"{prefix}多选{i}", "multiple", difficulty(i), kp) for i in range(n_multi)]
    ids = write_items(bank, items, None, NOW)
    db.session.commit()
    return ids


@pytest.fixture
def fill():
    """Add published questions to a bank: fill(bank, prefix, n_tf, n_single, n_multi=0, ...)."""
    return _fill


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def centre(make):
    make.rules()
    add_knowledge_tree()
    db.session.commit()
    return make.org("无锡考点", kind=OrgKind.EXAM_CENTRE, industry=None)


@pytest.fixture
def ent(make):
    return make.org("无锡甲化工", high_risk=True, industry="hazardous_chemicals")


@pytest.fixture
def exam_bank(centre):
    bank = QuestionBank(code="EXAM", name="考试题库", purpose=BankPurpose.EXAM, tier=BankTier.PROVINCIAL,
                        organization=centre)
    db.session.add(bank)
    db.session.commit()
    return bank


@pytest.fixture
def practice_bank(centre):
    bank = QuestionBank(code="PRAC", name="练习题库", purpose=BankPurpose.PRACTICE,
                        tier=BankTier.PROVINCIAL, organization=centre)
    db.session.add(bank)
    db.session.commit()
    return bank


@pytest.fixture
def editor(make, centre):
    return make.account("editor", Role.QUESTION_EDITOR, org=centre)


@pytest.fixture
def trainer(make, ent):
    return make.account("trainer", Role.TRAINER, org=ent)


@pytest.fixture
def learner(make, ent):
    return make.account("learner", Role.LEARNER, org=ent)


def course_with_lessons(owner, title: str = "电气安全培训", lessons: int = 2) -> Course:
    """A published course owned by ``owner`` with ``lessons`` lessons."""
    course = Course(title=title, summary="简介", catalogue=Catalogue.ALL_STAFF, owner_org_id=owner.id,
                    status=CourseStatus.PUBLISHED)
    module = CourseModule(course=course, title="第一章", position=1)
    db.session.add_all([course, module])
    db.session.flush()
    for n in range(lessons):
        db.session.add(Lesson(module=module, course_id=course.id, title=f"{title}第{n + 1}课",
                              body_md="## 要点\n\n正文", minutes=30, position=n + 1))
    db.session.commit()
    return course


def enrolled_learner(make, org, course: Course, username: str = "pupil"):
    """A learner account whose person works at ``org`` and is enrolled in ``course``."""
    person = make.person("学员" + username, org=org, post=Post.OTHER)
    account = make.account(username, Role.LEARNER, org=org, person=person)
    db.session.add(Enrollment(course_id=course.id, person_id=person.id, organization_id=org.id))
    db.session.commit()
    return account


class QuizKit:
    """Course and enrolment helpers for the lesson-quiz tests."""

    course = staticmethod(course_with_lessons)
    enrol = staticmethod(enrolled_learner)


@pytest.fixture
def kit():
    return QuizKit()
