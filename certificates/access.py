"""Who may see a certificate: the officers of its region, its holder, its holder's employer."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from certificates.models import Certificate
from certificates.permissions import EMPLOYER_VIEW, ISSUE
from lms.authz import has_permission, org_scope_clause
from lms.extensions import db
from lms.models import Employment, Organization


def _orgs(perm: str):
    return select(Organization.id).where(org_scope_clause(current_user, perm))


def certificates_clause(perm: str):
    """Certificates of people employed (at the pass) by an organisation in the account's scope."""
    employments = select(Employment.id).where(Employment.organization_id.in_(_orgs(perm)))
    return Certificate.employment_id.in_(employments)


def viewer_of(cert: Certificate) -> str | None:
    """"officer", "employer" or "holder" when the signed-in account may see ``cert``, else None."""
    if not current_user.is_authenticated:
        return None
    in_scope = select(Certificate.id).where(Certificate.id == cert.id)
    if has_permission(current_user, ISSUE) and db.session.scalar(in_scope.where(certificates_clause(ISSUE))):
        return "officer"
    if has_permission(current_user, EMPLOYER_VIEW) and db.session.scalar(
            in_scope.where(certificates_clause(EMPLOYER_VIEW))):
        return "employer"
    if current_user.person_id is not None and cert.person_id == current_user.person_id:
        return "holder"
    return None


def certificate_or_404(cert_id: int, *roles: str) -> tuple[Certificate, str]:
    """The certificate and how the account sees it, or 404 (also when not in ``roles``)."""
    cert = db.session.get(Certificate, cert_id)
    viewer = viewer_of(cert) if cert is not None else None
    if viewer is None or (roles and viewer not in roles):
        abort(404)
    return cert, viewer



