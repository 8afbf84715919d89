"""Drill-result pages: an organization's results by class and drill, and a regulator's overview."""

from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from courses.drills import perms, stats
from courses.drills.labels import DRILL_LABELS
from courses.drills.models import DrillResult
from lms.authz import ensure_org, org_scope_clause, requires
from lms.clock import local_tz, period_bounds, today
from lms.extensions import db
from lms.i18n import current_locale
from lms.models import Organization, OrgKind

bp = Blueprint("drills", __name__, url_prefix="/courses/drills", template_folder="../templates")


def chosen_period() -> tuple[int, stats.Period]:
    """The local calendar year named by ?year= (this year by default) as UTC bounds."""
    this_year = today().year
    year = request.args.get("year", type=int) or this_year
    if not 2000 <= year <= this_year + 1:
        year = this_year
    start, end = period_bounds(date(year, 1, 1), date(year, 12, 31), local_tz())
    return year, stats.Period(start, end)


def _organizations() -> list[Organization]:
    """Schools and enterprises in scope, plus any other organization that has reported a run."""
    reported = select(DrillResult.organization_id)
    return db.session.scalars(select(Organization).where(
        org_scope_clause(current_user, perms.VIEW),
        Organization.kind.in_([OrgKind.SCHOOL, OrgKind.ENTERPRISE]) | Organization.id.in_(reported))
        .order_by(Organization.name)).all()


def _chosen_org(orgs: list[Organization]) -> Organization | None:
    """The organization named by ?org= (404 when out of scope), else the first one with runs."""
    org_id = request.args.get("org", type=int)
    if org_id:
        return ensure_org(perms.VIEW, db.session.get(Organization, org_id))
    with_runs = set(db.session.scalars(select(DrillResult.organization_id).distinct().where(
        DrillResult.organization_id.in_([o.id for o in orgs]))))
    return next((o for o in orgs if o.id in with_runs), orgs[0] if orgs else None)


def _language() -> str:
    return "en" if current_locale().startswith("en") else "zh_CN"


@bp.get("/")
@requires(perms.VIEW)
def results():
    orgs = _organizations()
    org = _chosen_org(orgs)
    year, period = chosen_period()
    drill = request.args.get("drill") if request.args.get("drill") in DRILL_LABELS else None
    class_name = request.args.get("class") or None
    context = {"orgs": orgs, "org": org, "year": year, "drill": drill, "class_name": class_name,
               "drills": DRILL_LABELS, "this_year": today().year,
               "mistake_window": stats.MISTAKE_WINDOW}
    if org is not None:
        filters = (org.id, period, drill, class_name)
        context.update(
            total=stats.org_total(*filters), rows=stats.by_class_and_drill(*filters),
            mistakes=stats.common_mistakes(org.id, period, _language(), drill, class_name),
            runs=stats.recent_runs(*filters, page=request.args.get("page", 1, type=int)),
            classes=stats.class_names(org.id))
    return render_template("courses/drills/results.html", **context)


@bp.get("/runs/<int:result_id>")
@requires(perms.VIEW)
def run(result_id: int):
    result = db.session.get(DrillResult, result_id)
    if result is None:
        abort(404)
    ensure_org(perms.VIEW, result.organization)
    return render_template("courses/drills/run.html", result=result)


@bp.get("/region")
@requires(perms.OVERSEE)
def region():
    year, period = chosen_period()
    rows = stats.region_rows(org_scope_clause(current_user, perms.OVERSEE), period)
    total = stats.Tally(runs=sum(t.runs for _o, t, _d in rows), passed=sum(t.passed for _o, t, _d in rows))
    silent = sum(1 for _o, t, _d in rows if not t.runs)
    return render_template("courses/drills/region.html", rows=rows, year=year, total=total,
                           silent=silent, drills=DRILL_LABELS, this_year=today().year)
