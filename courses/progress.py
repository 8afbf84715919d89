"""Who is ahead and who is behind: per-course and per-requirement tables for an enterprise."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from courses.enrolment import Progress, lesson_plan
from courses.models import Enrollment, StudyRecord
from courses.requirements import Calculator, Requirement, RuleBook
from lms.extensions import db
from lms.models import Employment, Organization, Person


@dataclass(frozen=True)
class CourseRow:
    """One assignee of a course and where they stand."""

    person: Person
    enrollment: Enrollment
    progress: Progress
    status: str


def enrolment_status(enrollment: Enrollment, progress: Progress, today: date) -> str:
    """complete, overdue, not_started or in_progress."""
    if progress.complete:
        return "complete"
    if enrollment.due_date and enrollment.due_date < today:
        return "overdue"
    return "not_started" if progress.seconds == 0 else "in_progress"


def course_table(org: Organization, course_id: int, today: date) -> list[CourseRow]:
    """Every assignee of the course in the enterprise; those behind first."""
    plan = lesson_plan(course_id)
    enrollments = db.session.execute(select(Enrollment, Person).join(Person).where(
        Enrollment.organization_id == org.id, Enrollment.course_id == course_id)).all()
    studied = _lesson_seconds([p.id for _e, p in enrollments], course_id)
    rows = []
    for enrollment, person in enrollments:
        mine = studied.get(person.id, {})
        done = sum(1 for lid, planned in plan.items() if mine.get(lid, 0) >= planned)
        progress = Progress(done, len(plan), sum(mine.values()))
        rows.append(CourseRow(person, enrollment, progress,
                              enrolment_status(enrollment, progress, today)))
    order = {"overdue": 0, "not_started": 1, "in_progress": 2, "complete": 3}
    return sorted(rows, key=lambda r: (order[r.status], r.progress.percent, r.person.name))


def _lesson_seconds(person_ids: list[int], course_id: int) -> dict[int, dict[int, int]]:
    rows = db.session.execute(
        select(StudyRecord.person_id, StudyRecord.lesson_id, func.sum(StudyRecord.seconds))
        .where(StudyRecord.course_id == course_id, StudyRecord.person_id.in_(person_ids))
        .group_by(StudyRecord.person_id, StudyRecord.lesson_id))
    result: dict[int, dict[int, int]] = {}
    for person_id, lesson_id, seconds in rows:
        result.setdefault(person_id, {})[lesson_id] = int(seconds or 0)
    return result


@dataclass(frozen=True)
class PersonRow:
    """An employee and their requirements of the year."""

    employment: Employment
    requirements: list[Requirement]

    def worst(self, today: date) -> str:
        statuses = {r.status(today) for r in self.requirements}
        return next((s for s in ("overdue", "open", "met") if s in statuses), "met")


def people_table(org: Organization, year: int, today: date, tz: ZoneInfo, page: int = 1,
                 rules: RuleBook | None = None):
    """Page ``page`` of current employees with this year's requirements of their post here."""
    # The whole page is computed as one group: the same few queries for one employee or fifty.
    employees = db.paginate(select(Employment).join(Person).where(
        Employment.organization_id == org.id, Employment.end_date.is_(None))
        .options(contains_eager(Employment.person))
        .order_by(Employment.post, Person.name), page=page, per_page=50, error_out=False)
    found = Calculator(tz, rules or RuleBook()).for_people([e.person_id for e in employees.items], year)
    rows = [PersonRow(e, [r for r in found[e.person_id] if r.employment_id == e.id])
            for e in employees.items]
    return employees, rows
