"""The compliance pages: a regulator's region with its rates, gaps, children and trend; an enterprise
with its gap list of people; the landing page, the navigation entry and the dashboard panels."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_login import current_user
from sqlalchemy import func, or_, select

from certificates.access import certificates_clause
from certificates.compliance import actions as actions_module
from certificates.compliance.blueprint import (
    bp,
    enterprise_or_404,
    home_enterprises,
    home_regions,
    parse_day,
    region_or_404,
)
from certificates.compliance.charts import Series, line_chart
from certificates.compliance.exports import GAP_LABELS, RATES
from certificates.compliance.facts import RULE_KEYS, matches
from certificates.compliance.models import MEASURES, RegionCounts
from certificates.compliance.rates import (
    Figures,
    Filters,
    Paging,
    PersonLine,
    ensure_current,
    enterprise_figures,
    furthest_enterprises,
    overview,
    people,
    people_page,
    tab_counts,
)
from certificates.compliance.snapshots import trend
from certificates.models import Certificate, CertificateStatus
from certificates.permissions import COMPLIANCE_VIEW, EMPLOYER_VIEW, ISSUE
from lms import catalog, clock
from lms.authz import can_access_region, grants_with, has_permission, requires
from lms.extensions import db
from lms.i18n import _, _l, current_locale
from lms.models import Post, Region
from lms.regions import region_by_code
from lms.roles import Role
from lms.rule_labels import rule_label
from lms.rules import RuleMissing, RuleTable

#: How far from today an as-of date may lie: figures for older days are not kept in the base
#: tables reliably, and a far future day is almost always a typing mistake.
YEARS_BACK = 10
DAYS_AHEAD = 366

#: The gap list's tabs: key, label and the test a line passes to be shown.
TABS = {
    "all": _l("All"),
    "not_certified": _l("Not certified"),
    "review_overdue": _l("Review overdue"),
    "expiring_30": _l("Expiring within 30 days"),
    "expiring_60": _l("Expiring within 60 days"),
    "expiring_90": _l("Expiring within 90 days"),
    "training_behind": _l("Training behind"),
}

#: Enterprises placed directly in a region listed per page (a district may hold thousands).
ENTERPRISES_PER_PAGE = 50
#: Lines of an enterprise's gap list per page (a large enterprise employs thousands).
PEOPLE_PER_PAGE = 100

SORTS = {"name": _l("Name"), "certified_rate": _l("Lowest certified-on-the-job rate first")}


def init_app(app) -> None:
    """The navigation entry and the dashboard panels."""
    from lms.web.templating import add_dashboard_panel, add_nav_item

    add_nav_item("compliance", "compliance.index", _l("Compliance"), COMPLIANCE_VIEW)
    add_dashboard_panel("compliance/dashboard_panel.html", dashboard_context, COMPLIANCE_VIEW)


@bp.app_template_global("compliance_percent")
def percent(share: float | None) -> str:
    """A rate as a percentage with one decimal, or a dash when there is nothing to divide by."""
    return "—" if share is None else format_percent(share, "#,##0.0%")


# --- request arguments -------------------------------------------------------------------------

@dataclass
class Asked:
    """What the page was asked for: filters, the day, the order and a message about the day."""

    filters: Filters
    on: date
    today: date
    sort: str
    args: dict
    day_error: str | None = None


def _choice(name: str, allowed) -> str | None:
    value = request.args.get(name, "").strip()
    return value if value in allowed else None


def read_request() -> Asked:
    """The filters, as-of day and order from the query string; unknown values mean "all"."""
    today = clock.today()
    industry = _choice("industry", {i["code"] for i in catalog.industries()})
    post = _choice("post", {p.value for p in Post})
    category = _choice("category", {c["code"] for c in catalog.operation_categories()})
    high_risk = {"yes": True, "no": False}.get(request.args.get("high_risk", ""))
    on, error = _as_of(request.args.get("as_of", "").strip(), today)
    sort = _choice("sort", SORTS) or "name"
    args = {k: v for k, v in (("industry", industry), ("post", post), ("category", category),
                              ("high_risk", request.args.get("high_risk") if high_risk is not None else None),
                              ("as_of", on.isoformat() if on != today else None)) if v}
    return Asked(Filters(industry, post, category, high_risk), on, today, sort, args, error)


def _as_of(text: str, today: date) -> tuple[date, str | None]:
    """The as-of day, or today and a message when the text is no date or lies too far away."""
    first, last = today.replace(year=today.year - YEARS_BACK), today + timedelta(days=DAYS_AHEAD)
    message = _("The as-of date must be a date written as YYYY-MM-DD between %(first)s and %(last)s. "
                "The figures below are for today.", first=first.isoformat(), last=last.isoformat())
    try:
        day = parse_day(text, today)
    except ValueError:
        return today, message
    if not first <= day <= last:
        return today, message
    return day, None


# --- labels and rows ---------------------------------------------------------------------------

def filter_options() -> dict:
    """Choices of the filter form, labelled in the page's language."""
    return {
        "industries": [(i["code"], catalog.label(i)) for i in catalog.industries()],
        "posts": [(p.value, p) for p in Post],
        "categories": [(c["code"], f'{c["code"]} {catalog.label(c)}')
                       for c in catalog.operation_categories()],
    }


def rule_versions(on: date) -> list[tuple[str, str, object, str | None, str]]:
    """(key, label, value, unit, version) of the compliance rules in force on ``on``."""
    table = RuleTable.load(RULE_KEYS)
    found = []
    for key in RULE_KEYS:
        try:
            answer = table.at(key, on)
        except RuleMissing:
            continue
        found.append((key, rule_label(key), answer.value, answer.unit, answer.version))
    return found


def breadcrumb(region: Region) -> list[Region]:
    """The region and those above it that the account may see, highest first."""
    codes = [code for code in region.path.strip("/").split("/") if code]
    chain = [region_by_code(code) for code in codes]
    return [r for r in chain if r is not None and can_access_region(current_user, COMPLIANCE_VIEW, r)]


def _sorted_rows(rows: list, sort: str) -> list:
    if sort != "certified_rate":
        return rows
    def key(row):
        rate = row.figures.certified_rate
        return (rate if rate is not None else 2, row.name(current_locale()))  # no key posts: last

    return sorted(rows, key=key)


def trend_chart(region: Region, filters: Filters) -> tuple[object, list]:
    """The SVG trend of the certified and pass rates, and its points for the table under it."""
    points = trend(region, filters)
    if not points:
        return None, []
    series = [Series(str(_("Certified-on-the-job rate")), [(d, f.certified_rate) for d, f in points]),
              Series(str(_("Pass rate")), [(d, f.pass_rate) for d, f in points])]
    chart = line_chart(series, title=_("Trend of the rates in %(region)s", region=region.display_name(
        current_locale())), description=_("Certified-on-the-job rate and pass rate at each monthly snapshot "
                                          "from %(first)s to %(last)s; the table below gives the numbers.",
                                          first=points[0][0].isoformat(), last=points[-1][0].isoformat()),
        chart_id="trend-chart", y_label=_("Rate (%)"), x_label=_("Month of the snapshot"))
    return chart, points


# --- pages -------------------------------------------------------------------------------------

@bp.get("/")
@requires(COMPLIANCE_VIEW)
def index():
    regions, enterprises = home_regions(current_user), home_enterprises(current_user)
    if len(regions) == 1 and not enterprises:
        return redirect(url_for("compliance.region", code=regions[0].code))
    if len(enterprises) == 1 and not regions:
        return redirect(url_for("compliance.enterprise", org_id=enterprises[0].id))
    return render_template("compliance/index.html", regions=regions, enterprises=enterprises)


@bp.get("/region/<code>")
@requires(COMPLIANCE_VIEW)
def region(code: str):
    place = region_or_404(code)
    asked = read_request()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    view = overview(place, asked.filters, asked.on, asked.today,
                    Paging(page=page, per_page=ENTERPRISES_PER_PAGE, sort=asked.sort))
    chart, points = trend_chart(place, asked.filters)
    return render_template(
        "compliance/region.html", region=place, asked=asked, view=view, sorts=SORTS,
        children=_sorted_rows(view.children, asked.sort), crumbs=breadcrumb(place),
        furthest=furthest_enterprises(place, asked.filters, asked.today, limit=10),
        chart=chart, points=points, rules=rule_versions(asked.on), options=filter_options(), rates=RATES,
        export_args=dict(asked.args, region=place.code))


@dataclass
class LineInfo:
    """What the gap list shows about one line beyond the person: the certificate and the states."""

    certificate: Certificate | None
    linked: bool
    state: str
    state_kind: str  # "ok", "warn" or "bad", for the badge
    days_left: int | None
    cover_until: date | None
    assessment: str
    training: str
    tabs: set


def _measure(fact, name: str) -> int:
    """A 0/1 measure of a kept fact row or of a fact worked out for another day."""
    measures = getattr(fact, "measures", None)
    return int(measures.get(name, 0)) if isinstance(measures, dict) else int(getattr(fact, name) or 0)


def _certificates(lines: list[PersonLine]) -> dict[int, Certificate]:
    """Per employment, the covering certificate or else the latest one of the required kind."""
    person_ids = {line.person.id for line in lines}
    certs = list(db.session.scalars(select(Certificate).where(
        Certificate.person_id.in_(person_ids), Certificate.status != CertificateStatus.PENDING)))
    found = {}
    by_id = {c.id: c for c in certs}
    for line in lines:
        if line.fact.certificate_id in by_id:
            found[line.employment.id] = by_id[line.fact.certificate_id]
            continue
        mine = [c for c in certs if c.person_id == line.person.id and matches(c, line.employment)]
        if mine:
            found[line.employment.id] = max(mine, key=lambda c: (c.issued_on or date.min, c.id))
    return found


def _visible_certificates(ids: list[int]) -> set[int]:
    """The certificates among ``ids`` whose page the account may open."""
    clauses = [certificates_clause(perm) for perm in (ISSUE, EMPLOYER_VIEW)
               if has_permission(current_user, perm)]
    if not ids or not clauses:
        return set()
    return set(db.session.scalars(select(Certificate.id).where(Certificate.id.in_(ids), or_(*clauses))))


def _state(line: PersonLine, windows: tuple) -> tuple[str, str]:
    fact = line.fact
    if not Post(fact.post).is_key_post:
        return str(_("No certificate required")), ""
    if fact.certificate_id is None:
        return str(GAP_LABELS.get(fact.gap or "none", GAP_LABELS["none"])), "bad"
    for days in (30, 60, 90):
        if days in windows:
            return str(_("Valid, cover ends within %(days)s days", days=days)), "warn"
    return str(_("Valid")), "ok"


def _assessment(line: PersonLine) -> str:
    fact = line.fact
    if not _measure(fact, "hr_on_job"):
        return str(_("Not counted (not a high-risk enterprise)"))
    if _measure(fact, "hr_passed"):
        return str(_("Passed, counts until %(day)s", day=fact.assessment_until.isoformat()))
    if fact.assessment_until is not None:
        return str(_("Latest assessment failed"))
    return str(_("No assessment in force"))


def _training(fact, on: date, today: date) -> str:
    behind = getattr(fact, "behind_hours", None)
    if on != today:
        return str(_("Not available for past days"))
    if behind is None:
        return str(_("Not worked out yet"))
    return str(_("Behind an overdue hour requirement")) if behind else str(_("Up to date"))


def line_infos(lines: list[PersonLine], on: date, today: date) -> dict[int, LineInfo]:
    """The gap list's details of every line, keyed by employment id."""
    certs = _certificates(lines)
    visible = _visible_certificates([c.id for c in certs.values()])
    infos = {}
    for line in lines:
        fact = line.fact
        windows = tuple(d for d in (30, 60, 90) if _measure(fact, f"expiring_{d}"))
        tabs = {"all"} | {f"expiring_{d}" for d in windows}
        if _measure(fact, "key_on_job") and not _measure(fact, "certified"):
            tabs.add("not_certified")
        if _measure(fact, "review_overdue"):
            tabs.add("review_overdue")
        if on == today and _measure(fact, "training_behind"):
            tabs.add("training_behind")
        state, kind = _state(line, windows)
        cert = certs.get(line.employment.id)
        infos[line.employment.id] = LineInfo(
            cert, cert is not None and cert.id in visible, state, kind,
            (fact.cover_until - on).days if fact.cover_until else None, fact.cover_until,
            _assessment(line), _training(fact, on, today), tabs)
    return infos


@bp.get("/enterprise/<int:org_id>")
@requires(COMPLIANCE_VIEW)
def enterprise(org_id: int):
    org = enterprise_or_404(org_id)
    asked = read_request()
    figures = enterprise_figures(org, asked.filters, asked.on, asked.today)
    tab = request.args.get("show", "all")
    if tab not in TABS:
        tab = "all"
    paging = Paging(page=max(request.args.get("page", 1, type=int) or 1, 1), per_page=PEOPLE_PER_PAGE)
    if asked.on == asked.today:
        # Today's list is read a page at a time from the kept facts; the tabs count from the sums.
        shown, total = people_page(org, asked.filters, tab, paging, asked.today)
        counts = tab_counts(figures)
        infos = line_infos(shown, asked.on, asked.today)
    else:
        lines = people(org, asked.filters, asked.on, asked.today)
        infos = line_infos(lines, asked.on, asked.today)
        counts = {key: sum(1 for line in lines if key in infos[line.employment.id].tabs) for key in TABS}
        matching = [line for line in lines if tab in infos[line.employment.id].tabs]
        shown, total = matching[paging.offset:paging.offset + paging.per_page], len(matching)
    actions_for = getattr(actions_module, "actions_for", None)
    pages = max(1, -(-total // paging.per_page))
    return render_template(
        "compliance/enterprise.html", org=org, asked=asked, figures=figures, lines=shown, infos=infos,
        tabs=TABS, tab=tab, counts=counts, crumbs=breadcrumb(org.region), options=filter_options(),
        rules=rule_versions(asked.on), rates=RATES,
        actions=actions_for(org, shown) if actions_for and asked.on == asked.today else {},
        export_args=dict(asked.args, org=org.id), page=paging.page, pages=pages, total=total,
        per_page=paging.per_page)


# --- dashboard panels --------------------------------------------------------------------------

def region_total(region: Region) -> Figures:
    """A region's kept figures for today (one query)."""
    sums = [func.coalesce(func.sum(getattr(RegionCounts, m)), 0).label(m) for m in MEASURES]
    figures = Figures()
    figures.add(db.session.execute(select(*sums).where(RegionCounts.region_id == region.id)).one()._asdict())
    return figures


def dashboard_context(account) -> dict | None:
    """The regulator's regions (rates, furthest enterprises) and the admin's enterprises (rates, gaps)."""
    regions = sorted({g.region for g in grants_with(account, COMPLIANCE_VIEW)
                      if g.region is not None and g.role != Role.SYSTEM_ADMIN}, key=lambda r: r.code)[:3]
    enterprises = home_enterprises(account)[:3]
    if not regions and not enterprises:
        return None
    today = clock.today()
    ensure_current(today)
    return {
        "regions": [(r, region_total(r), furthest_enterprises(r, Filters(), today, limit=5))
                    for r in regions],
        "enterprises": [(o, enterprise_figures(o, Filters(), today, today)) for o in enterprises],
    }

