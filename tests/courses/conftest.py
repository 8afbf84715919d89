"""Factories for courses tests: published courses with lessons, enrolments and study records."""

from datetime import datetime, timedelta

import pytest

from courses.models import (
    Catalogue,
    Course,
    CourseModule,
    CourseStatus,
    Enrollment,
    Lesson,
    StudyRecord,
)
from lms.extensions import db
from lms.models import Organization


class CourseFactory:
    """Builds courses and ledger rows directly in the database."""

    def course(self, owner: Organization, title: str = "危险化学品安全管理", lessons: int = 2,
               catalogue: Catalogue = Catalogue.SAFETY_MANAGER, minutes: int = 45,
               status: CourseStatus = CourseStatus.PUBLISHED) -> Course:
        course = Course(title=title, summary="课程简介", catalogue=catalogue, owner_org_id=owner.id,
                        status=status)
        module = CourseModule(course=course, title="第一章", position=1)
        db.session.add_all([course, module])
        db.session.flush()
        for n in range(lessons):
            db.session.add(Lesson(module=module, course_id=course.id, title=f"第{n + 1}课",
                                  body_md="## 要点\n\n正文", minutes=minutes, position=n + 1))
        db.session.commit()
        return course

    def enrol(self, course: Course, person, org=None, due=None) -> Enrollment:
        enrollment = Enrollment(course_id=course.id, person_id=person.id,
                                organization_id=org.id if org else None, due_date=due)
        db.session.add(enrollment)
        db.session.commit()
        return enrollment

    def study(self, person, lesson: Lesson, start: datetime, seconds: int) -> StudyRecord:
        record = StudyRecord(person_id=person.id, lesson_id=lesson.id, course_id=lesson.course_id,
                             started_at=start, ended_at=start + timedelta(seconds=seconds),
                             seconds=seconds)
        db.session.add(record)
        db.session.commit()
        return record


@pytest.fixture
def cf(ctx):
    return CourseFactory()


@pytest.fixture
def course_world(make, cf):
    """A high-risk enterprise with a safety manager enrolled in one course, and its staff logins."""
    from datetime import date

    from lms.models import Post
    from lms.roles import Role

    make.rules()
    ent = make.org("无锡甲化工", high_risk=True, industry="hazardous_chemicals")
    person = make.person("李安全", org=ent, post=Post.SAFETY_MANAGER)
    course = cf.course(ent)
    enrollment = cf.enrol(course, person, ent, due=date(2030, 1, 1))
    make.account("learner", Role.LEARNER, org=ent, person=person)
    make.account("admin", Role.ENTERPRISE_ADMIN, org=ent)
    make.account("trainer", Role.TRAINER, org=ent)
    make.account("reg", Role.REGULATOR, region_code="320200")
    return {"ent": ent, "person": person, "course": course, "enrollment": enrollment, "cf": cf}
