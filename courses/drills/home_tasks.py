"""Counts behind the drill results' dashboard tiles: runs reported this year."""

from datetime import date

from sqlalchemy import func, select

from courses.drills import perms
from courses.drills.models import DrillResult
from lms.authz import visible_org_ids
from lms.clock import local_tz, period_bounds, today
from lms.extensions import db


def _runs_this_year(account, perm: str) -> int:
    year = today().year
    start, end = period_bounds(date(year, 1, 1), date(year, 12, 31), local_tz())
    return db.session.scalar(select(func.count()).select_from(DrillResult).where(
        DrillResult.organization_id.in_(visible_org_ids(account, perm)),
        DrillResult.started_at >= start, DrillResult.started_at < end))


def own_runs(account) -> int:
    """Runs of this year reported by the account's school or enterprise."""
    return _runs_this_year(account, perms.VIEW)


def region_runs(account) -> int:
    """Runs of this year reported from the regulator's region."""
    return _runs_this_year(account, perms.OVERSEE)
