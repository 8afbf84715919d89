"""Demo data of the courses package: courses per catalogue, enrolments, study, induction, cases."""

import io
import math
import random
from datetime import UTC, date, datetime, time, timedelta

from reportlab.platypus import Paragraph
from sqlalchemy import select

from courses.demo_content import CASES, COURSES, EXTERNAL_PROVIDER, EXTERNAL_TITLES
from courses.external import ExternalEntry, record_external
from courses.models import (
    Catalogue,
    Course,
    CourseModule,
    CourseStatus,
    Enrollment,
    InductionRecord,
    Lesson,
    StudyRecord,
    WarningCase,
)
from courses.requirements import Calculator
from lms import pdf
from lms.clock import local_tz
from lms.extensions import db
from lms.models import Account, Employment, Organization, OrgKind, Post

DEMO_ENTERPRISE = "无锡恒通化工有限公司"


def add_demo_data(_sender, *, rng: random.Random, today: date, **_kwargs) -> None:
    """Receiver of lms.signals.demo_loaded: add the courses demo records (the caller commits)."""
    ent = db.session.scalar(select(Organization).where(Organization.name == DEMO_ENTERPRISE))
    centre = db.session.scalar(select(Organization).where(Organization.kind == OrgKind.EXAM_CENTRE))
    if ent is None or centre is None:
        return
    courses = [_course(spec, ent if spec[0] is Catalogue.INDUCTION else centre, today)
               for spec in COURSES]
    db.session.flush()
    _enrol_and_study(rng, ent, courses, today)
    _induction(ent, today)
    _history_before_the_system(ent, today)
    for title, industries, posts, summary, causes, lessons in CASES:
        db.session.add(WarningCase(title=title, industries=industries, posts=posts, summary=summary,
                                   causes=causes, lessons_learned=lessons, is_teaching_example=True))


def _course(spec, owner: Organization, today: date) -> Course:
    catalogue, category, level, title, summary, lessons = spec
    course = Course(title=title, summary=summary, catalogue=catalogue, operation_category=category,
                    induction_level=level, owner_org_id=owner.id, status=CourseStatus.PUBLISHED,
                    published_at=datetime.combine(today - timedelta(days=60), time(1), UTC))
    module = CourseModule(course=course, title="第一章", position=1)
    db.session.add_all([course, module])
    db.session.flush()
    for position, (name, minutes, text) in enumerate(lessons, start=1):
        db.session.add(Lesson(module=module, course_id=course.id, title=name, body_md=text,
                              minutes=minutes, position=position))
    return course


def _targets(course: Course, employment: Employment) -> bool:
    post = employment.post
    return {Catalogue.PRINCIPAL: post is Post.PRINCIPAL,
            Catalogue.SAFETY_MANAGER: post is Post.SAFETY_MANAGER,
            Catalogue.SPECIAL_OPERATIONS: post is Post.SPECIAL_OPERATIONS
            and employment.operation_category == course.operation_category,
            Catalogue.ALL_STAFF: True}.get(course.catalogue, False)


def _enrol_and_study(rng: random.Random, ent: Organization, courses: list[Course], today: date):
    staff = db.session.scalars(select(Employment).where(Employment.organization_id == ent.id)).all()
    due = date(today.year, 12, 31)
    for employment in staff:
        # Some people are far ahead, some have not started: the admin page shows both.
        zeal = rng.choice([0.0, 0.0, 0.3, 0.6, 1.0, 1.2])
        for course in courses:
            if not _targets(course, employment):
                continue
            db.session.add(Enrollment(course_id=course.id, person_id=employment.person_id,
                                      organization_id=ent.id, due_date=due))
            db.session.flush()
            for offset, lesson in enumerate(course.lessons):
                seconds = int(lesson.minutes * 60 * zeal)
                if seconds:
                    start = datetime.combine(today - timedelta(days=5 + 3 * offset), time(2),
                                             UTC) + timedelta(minutes=rng.randrange(300))
                    db.session.add(StudyRecord(person_id=employment.person_id, lesson_id=lesson.id,
                                               course_id=course.id, started_at=start,
                                               ended_at=start + timedelta(seconds=seconds),
                                               seconds=seconds))


def _induction(ent: Organization, today: date) -> None:
    """Make one employee a new hire with two of three induction levels done."""
    hire = db.session.scalar(select(Employment).where(
        Employment.organization_id == ent.id, Employment.post == Post.OTHER).order_by(Employment.id))
    if hire is None:
        return
    hire.start_date = today - timedelta(days=10)
    for level, days_ago, trainer, content, confirmed in (
            ("factory", 12, "安全科 陈工", "本厂危险源、规章制度、从业人员权利义务、事故案例", True),
            ("workshop", 11, "生产车间 刘主任", "车间危险因素、岗位职责、劳动防护用品使用", True),
            ("team", 10, "甲班 张班长", "岗位操作规程、交接班注意事项、师带徒安排", False)):
        held = today - timedelta(days=days_ago)
        db.session.add(InductionRecord(
            person_id=hire.person_id, organization_id=ent.id, level=level, held_on=held,
            trainer=trainer, class_hours=8, content=content,
            confirmed_at=datetime.combine(held, time(9), UTC) if confirmed else None))


def _history_before_the_system(ent: Organization, today: date) -> None:
    """The demo learner's earlier years, trained by an outside centre before this system: entered by
    the enterprise admin with a proof, so the archive shows those years met instead of overdue."""
    learner = db.session.scalar(select(Account).where(Account.username == "learner"))
    admin = db.session.scalar(select(Account).where(Account.username == "ent_admin"))
    if learner is None or admin is None or learner.person is None:
        return
    person = learner.person
    start = min(e.start_date for e in person.employments)
    calculator = Calculator(local_tz())
    for year in range(start.year, today.year):
        for r in calculator.for_person(person, year):
            if r.unit == "class_hours" and r.missing:
                # Within the requirement's period (a review's ends on the review date).
                ended = max(r.period_start, min(r.period_end, date(year, 11, 20)))
                _external(admin, ent, person, ended, EXTERNAL_TITLES.get(r.kind, "安全培训"),
                          math.ceil(r.missing))


def _external(admin: Account, ent: Organization, person, ended: date, title: str, hours: int) -> None:
    entry = ExternalEntry(provider=EXTERNAL_PROVIDER, title=f"{ended.year}年度{title}",
                          started_on=ended - timedelta(days=2), ended_on=ended, class_hours=hours)
    record_external(admin, ent, person.id, entry, io.BytesIO(_proof(person.name, entry)), ended)


def _proof(name: str, entry: ExternalEntry) -> bytes:
    """A one-page training certificate, marked as a demo document."""
    s = pdf.styles()
    text = (f"{name} 于 {entry.started_on} 至 {entry.ended_on} 参加{entry.title}，"
            f"共 {entry.class_hours:g} 学时，考核合格。（演示用证明，非真实文件）")
    return pdf.render([Paragraph(EXTERNAL_PROVIDER, s["title"]), Paragraph(text, s["p"])],
                      title="培训证明（演示）")
