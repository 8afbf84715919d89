"""Enrolment: bulk assignment by post, category, department or roster selection; self-enrolment."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from courses.ledger import seconds_by_lesson
from courses.models import Catalogue, Course, CourseStatus, Enrollment, EnrollmentSource, Lesson
from lms.audit import record_event
from lms.extensions import db
from lms.models import Account, Employment, Organization, Person


class EnrolmentRefused(ValueError):
    """The course cannot be taken this way."""


@dataclass(frozen=True)
class Selection:
    """Which current employees of an enterprise to assign to; empty fields do not filter."""

    post: str | None = None
    operation_category: str | None = None
    department: str | None = None
    person_ids: tuple[int, ...] = ()


def select_people(org: Organization, selection: Selection) -> list[int]:
    """Ids of the enterprise's current employees matching the selection."""
    query = select(Employment.person_id).where(Employment.organization_id == org.id,
                                               Employment.end_date.is_(None))
    if selection.post:
        query = query.where(Employment.post == selection.post)
    if selection.operation_category:
        query = query.where(Employment.operation_category == selection.operation_category)
    if selection.department:
        query = query.where(Employment.department == selection.department)
    if selection.person_ids:
        query = query.where(Employment.person_id.in_(selection.person_ids))
    return sorted(set(db.session.scalars(query)))


def assign(actor: Account, org: Organization, courses: list[Course], person_ids: list[int],
           due: date | None, now: datetime) -> int:
    """Enrol the people in the courses (existing enrolments are kept); return how many were added."""
    if any(c.status is not CourseStatus.PUBLISHED for c in courses):
        raise EnrolmentRefused("not_published")
    added = 0
    for course in courses:
        have = set(db.session.scalars(select(Enrollment.person_id).where(
            Enrollment.course_id == course.id, Enrollment.person_id.in_(person_ids))))
        for person_id in person_ids:
            if person_id not in have:
                db.session.add(Enrollment(course_id=course.id, person_id=person_id,
                                          organization_id=org.id, assigned_by_id=actor.id,
                                          assigned_at=now, due_date=due,
                                          source=EnrollmentSource.ASSIGNED))
                added += 1
    db.session.flush()
    record_event("courses.assigned", actor=actor, organization_id=org.id, added=added,
                 course_ids=[c.id for c in courses], people=len(person_ids),
                 due=due.isoformat() if due else None)
    return added


def self_enrol(actor: Account, course: Course, person: Person, now: datetime) -> Enrollment:
    """Enrol a person in a published public course."""
    if course.catalogue is not Catalogue.PUBLIC or course.status is not CourseStatus.PUBLISHED:
        raise EnrolmentRefused("not_public")
    existing = db.session.scalar(select(Enrollment).where(Enrollment.course_id == course.id,
                                                          Enrollment.person_id == person.id))
    if existing:
        return existing
    enrollment = Enrollment(course_id=course.id, person_id=person.id, assigned_at=now,
                            source=EnrollmentSource.SELF)
    db.session.add(enrollment)
    db.session.flush()
    record_event("courses.self_enrolled", actor=actor, target=enrollment, course_id=course.id)
    return enrollment


@dataclass(frozen=True)
class Progress:
    """How far a person is through a course."""

    lessons_done: int
    lessons_total: int
    seconds: int

    @property
    def percent(self) -> int:
        return 100 * self.lessons_done // self.lessons_total if self.lessons_total else 0

    @property
    def complete(self) -> bool:
        return self.lessons_total > 0 and self.lessons_done == self.lessons_total


def lesson_plan(course_id: int) -> dict[int, int]:
    """Planned seconds per lesson of a course."""
    rows = db.session.execute(select(Lesson.id, Lesson.minutes).where(Lesson.course_id == course_id))
    return {lesson_id: minutes * 60 for lesson_id, minutes in rows}


def progress(person_id: int, course_id: int, plan: dict[int, int] | None = None) -> Progress:
    """Lessons done (credited time reached the planned length) and total seconds credited."""
    plan = lesson_plan(course_id) if plan is None else plan
    studied = seconds_by_lesson(person_id, course_id)
    done = sum(1 for lesson_id, planned in plan.items() if studied.get(lesson_id, 0) >= planned)
    return Progress(done, len(plan), sum(studied.values()))
