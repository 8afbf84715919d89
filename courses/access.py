"""Who may see which courses and whose training: query clauses on top of lms.authz."""

from flask import abort
from sqlalchemy import or_, select

from courses.models import Catalogue, Course, CourseStatus, Enrollment
from lms.authz import has_permission, visible_org_ids
from lms.extensions import db
from lms.models import Account, Employment, Organization, OrgKind


def own_org_ids(account: Account) -> set[int]:
    """Organizations the account belongs to through a grant or the person's employments."""
    ids = {g.organization_id for g in account.grants if g.organization_id is not None}
    if account.person_id is not None:
        ids |= set(db.session.scalars(select(Employment.organization_id).where(
            Employment.person_id == account.person_id, Employment.end_date.is_(None))))
    return ids


def catalogue_clause(account: Account):
    """Published courses the account may browse: public, national, or its own enterprise's."""
    shared = select(Organization.id).where(Organization.kind != OrgKind.ENTERPRISE)
    return (Course.status == CourseStatus.PUBLISHED) & or_(
        Course.catalogue == Catalogue.PUBLIC,
        Course.owner_org_id.in_(shared),
        Course.owner_org_id.in_(own_org_ids(account)),
    )


def can_browse(account: Account, course: Course) -> bool:
    """True when the course shows in the account's catalogue."""
    return db.session.scalar(select(Course.id).where(Course.id == course.id,
                                                     catalogue_clause(account))) is not None


def authorable_clause(account: Account, perm: str):
    """Courses whose owner lies in the account's scope for ``perm``."""
    return Course.owner_org_id.in_(visible_org_ids(account, perm))


def authorable_course_or_404(account: Account, perm: str, course_id: int) -> Course:
    """The course when the account may author it, else 404."""
    course = db.session.scalar(select(Course).where(Course.id == course_id,
                                                    authorable_clause(account, perm)))
    if course is None or not has_permission(account, perm):
        abort(404)
    return course


def own_enrollment(account: Account, course_id: int) -> Enrollment | None:
    """The account's person's enrolment in the course, if any."""
    if account.person_id is None:
        return None
    return db.session.scalar(select(Enrollment).where(Enrollment.course_id == course_id,
                                                      Enrollment.person_id == account.person_id))
