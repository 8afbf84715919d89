"""Counts behind the courses package's dashboard tiles."""

from sqlalchemy import func, select

from courses import perms
from courses.access import authorable_clause
from courses.enrolment import progress
from courses.models import Course, CourseStatus, Enrollment
from courses.requirements import Calculator
from lms import clock
from lms.authz import grants_with
from lms.clock import local_tz
from lms.extensions import db
from lms.models import Employment, Organization, OrgKind


def has_person(account) -> bool:
    """Only an account linked to a person has training of its own."""
    return account.person_id is not None


def courses_to_finish(account) -> int | None:
    """The person's assigned or enrolled courses not yet complete."""
    if account.person_id is None:
        return None
    course_ids = db.session.scalars(select(Enrollment.course_id)
                                    .where(Enrollment.person_id == account.person_id)).all()
    return sum(1 for course_id in course_ids if not progress(account.person_id, course_id).complete)


def overdue_requirements(account) -> int | None:
    """The person's statutory requirements of this year past their deadline and not met."""
    if account.person is None:
        return None
    today = clock.today()
    found = Calculator(local_tz()).for_person(account.person, today.year)
    return sum(1 for requirement in found if requirement.status(today) == "overdue")


def employees_behind(account) -> int | None:
    """Current employees of the admin's own enterprises with a requirement of this year overdue."""
    # Only grants on an enterprise: a system admin's whole country is no tile to compute per page view.
    org_ids = {g.organization_id for g in grants_with(account, perms.ASSIGN) if g.organization_id}
    if not org_ids:
        return None
    person_ids = db.session.scalars(
        select(Employment.person_id).join(Organization, Employment.organization_id == Organization.id)
        .where(Organization.id.in_(org_ids), Organization.kind == OrgKind.ENTERPRISE,
               Employment.end_date.is_(None)).distinct()).all()
    today = clock.today()
    found = Calculator(local_tz()).for_people(person_ids, today.year)
    return sum(1 for reqs in found.values() if any(r.status(today) == "overdue" for r in reqs))


def draft_courses(account) -> int:
    """Courses the trainer may author that are still drafts."""
    return db.session.scalar(select(func.count()).select_from(Course).where(
        authorable_clause(account, perms.AUTHOR), Course.status == CourseStatus.DRAFT))
