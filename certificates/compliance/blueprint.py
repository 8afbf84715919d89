"""The compliance pages' blueprint and who may see which region or enterprise."""

from datetime import date

from flask import Blueprint, abort
from flask_login import current_user
from sqlalchemy import select

from certificates.permissions import COMPLIANCE_VIEW
from lms.authz import can_access_region, ensure_org, grants_with
from lms.extensions import db
from lms.models import Organization, OrgKind, Region, RegionLevel
from lms.regions import region_by_code
from lms.roles import Role

bp = Blueprint("compliance", __name__, url_prefix="/compliance", template_folder="templates")


def home_regions(account) -> list[Region]:
    """The regions an account oversees: its regulator grants, or every province for a system admin."""
    grants = grants_with(account, COMPLIANCE_VIEW)
    if any(g.role == Role.SYSTEM_ADMIN for g in grants):
        return list(db.session.scalars(select(Region).where(Region.level == RegionLevel.PROVINCE)
                                       .order_by(Region.code)))
    return sorted({g.region for g in grants if g.region is not None}, key=lambda r: r.code)


def home_enterprises(account) -> list[Organization]:
    """The enterprises an account administers (grants on one enterprise)."""
    grants = grants_with(account, COMPLIANCE_VIEW)
    return sorted({g.organization for g in grants
                   if g.organization is not None and g.organization.kind == OrgKind.ENTERPRISE},
                  key=lambda o: o.name)


def region_or_404(code: str, account=None) -> Region:
    """The region with this code when the account may see all of it, else 404 (it looks absent)."""
    region = region_by_code(code)
    if region is None or not can_access_region(account or current_user, COMPLIANCE_VIEW, region):
        abort(404)
    return region


def enterprise_or_404(org_id: int) -> Organization:
    """The enterprise when the current account may see it (its region or itself), else 404."""
    org = db.session.get(Organization, org_id)
    if org is None or org.kind != OrgKind.ENTERPRISE:
        abort(404)
    return ensure_org(COMPLIANCE_VIEW, org)


def parse_day(text: str | None, today: date) -> date:
    """An as-of date from a query string (ISO), today when absent; ValueError when malformed."""
    if not text:
        return today
    return date.fromisoformat(text)
