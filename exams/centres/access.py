"""Who sees which sessions and registrations; anything outside the caller's scope answers 404."""

from flask import abort
from sqlalchemy import and_, false, or_, select

from exams.centres.models import ExamSession, Registration, SessionStatus
from exams.permissions import CENTRE_MANAGE, CHECK_IN, REGISTER
from lms.authz import can_access_org, grants_with, has_permission, org_scope_clause
from lms.extensions import db
from lms.models import Account, Organization, OrgKind, Region
from lms.roles import Role


def centres_clause(account: Account, perm: str):
    """Exam centres inside the account's scope for ``perm`` (a condition on Organization)."""
    return and_(Organization.kind == OrgKind.EXAM_CENTRE, org_scope_clause(account, perm))


def managed_centres(account: Account, perm: str = CENTRE_MANAGE) -> list[Organization]:
    """The exam centres the account works for under ``perm``, by name."""
    return list(db.session.scalars(select(Organization).where(centres_clause(account, perm))
                                   .order_by(Organization.name)))


def is_centre_staff(account: Account, perm: str) -> bool:
    """True when one of the account's grants carrying ``perm`` is placed at an exam centre (or global)."""
    return any(g.role == Role.SYSTEM_ADMIN or (g.organization is not None
                                               and g.organization.kind == OrgKind.EXAM_CENTRE)
               for g in grants_with(account, perm))


def _provinces_of(grants) -> list[str]:
    """Path prefixes of the provinces the grants lie in."""
    found = set()
    for grant in grants:
        region = grant.region or (grant.organization.region if grant.organization else None)
        if region is not None:
            found.add("/" + region.path.strip("/").split("/")[0] + "/")
    return sorted(found)


def sessions_clause(account: Account, perm: str):
    """Sessions the account may see under ``perm``.

    Centre staff see their centres' sessions in every state. Under REGISTER, enterprise admins also
    see the sessions open for registration at centres of their province (the exam body's published
    plan) and any session their enterprises' candidates are registered for.
    """
    own = ExamSession.centre_id.in_(select(Organization.id).where(centres_clause(account, perm)))
    if perm != REGISTER or any(g.role == Role.SYSTEM_ADMIN for g in grants_with(account, perm)):
        return own
    enterprise_grants = [g for g in grants_with(account, perm)
                         if g.region_id is not None or (g.organization is not None
                                                        and g.organization.kind != OrgKind.EXAM_CENTRE)]
    provinces = _provinces_of(enterprise_grants)
    if not provinces:
        return own
    in_province = select(Organization.id).join(Region, Organization.region_id == Region.id).where(
        Organization.kind == OrgKind.EXAM_CENTRE, or_(*[Region.path.startswith(p) for p in provinces]))
    mine = select(Registration.session_id).where(
        Registration.organization_id.in_(select(Organization.id).where(org_scope_clause(account, perm))))
    return or_(own, and_(ExamSession.centre_id.in_(in_province),
                         ExamSession.status == SessionStatus.PUBLISHED),
               ExamSession.id.in_(mine))


def session_or_404(session_id: int, perm: str) -> ExamSession:
    """The session if the account may see it under ``perm``, else 404."""
    from flask_login import current_user

    found = db.session.scalar(select(ExamSession).where(ExamSession.id == session_id,
                                                        sessions_clause(current_user, perm)))
    if found is None:
        abort(404)
    return found


def manages_session(account: Account, session: ExamSession, perm: str = CENTRE_MANAGE) -> bool:
    """True when the account is staff of the session's centre under ``perm``."""
    return has_permission(account, perm) and can_access_org(account, perm, session.centre)


def registrations_clause(account: Account, session: ExamSession):
    """Registrations of ``session`` the account may see: all for its centre's staff, else those of
    enterprises in the account's registration scope."""
    if manages_session(account, session, REGISTER) or manages_session(account, session, CHECK_IN):
        return Registration.session_id == session.id
    if not has_permission(account, REGISTER):
        return false()
    return and_(Registration.session_id == session.id,
                Registration.organization_id.in_(
                    select(Organization.id).where(org_scope_clause(account, REGISTER))))


def registration_or_404(registration_id: int) -> Registration:
    """A registration the account may see (its session's centre staff or its enterprise), else 404."""
    from flask_login import current_user

    reg = db.session.get(Registration, registration_id)
    if reg is None:
        abort(404)
    visible = db.session.scalar(select(Registration.id).where(
        Registration.id == reg.id, registrations_clause(current_user, reg.session)))
    if visible is None:
        abort(404)
    return reg
