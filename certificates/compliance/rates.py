"""Read the compliance figures: a region's total and its children (regions below it and the
enterprises placed directly in it), one enterprise's people, and the enterprises furthest from
100%. Today's figures come from the kept counts; any other day is worked out from the base tables."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, select

from certificates.compliance.facts import RULE_KEYS, Fact, Inputs, facts_on
from certificates.compliance.models import MEASURES, ComplianceFact, OrgCounts, OrgTotals, RegionCounts
from certificates.compliance.summaries import GROUP_SIZE, RATE_SCALE, catch_up, needs_catch_up
from lms.extensions import db
from lms.models import Employment, Organization, OrgKind, Person, Post, Region
from lms.rules import RuleTable


@dataclass(frozen=True)
class Filters:
    """The slices a page or an export asks for; None means all."""

    industry: str | None = None
    post: str | None = None
    category: str | None = None
    high_risk: bool | None = None

    @property
    def is_empty(self) -> bool:
        """True when nothing is filtered: the enterprises' one-row totals can answer."""
        return not (self.industry or self.post or self.category) and self.high_risk is None

    def region_clauses(self, model=RegionCounts) -> list:
        """WHERE clauses on count rows keyed by industry and high-risk flag."""
        clauses = self.count_clauses(model)
        if self.industry:
            clauses.append(model.industry == self.industry)
        if self.high_risk is not None:
            clauses.append(model.high_risk.is_(self.high_risk))
        return clauses

    def count_clauses(self, model) -> list:
        """WHERE clauses on any count row (post and category)."""
        clauses = []
        if self.post:
            clauses.append(model.post == self.post)
        if self.category:
            clauses.append(model.category == self.category)
        return clauses

    def org_clauses(self) -> list:
        """WHERE clauses on Organization for the enterprise-level filters."""
        clauses = []
        if self.industry:
            clauses.append(Organization.industry == self.industry)
        if self.high_risk is not None:
            clauses.append(Organization.is_high_risk.is_(self.high_risk))
        return clauses

    def admits(self, fact: Fact, org: Organization) -> bool:
        """True when a fact of ``org`` falls inside these filters."""
        return ((not self.post or fact.post == self.post)
                and (not self.category or fact.category == self.category)
                and (not self.industry or (org.industry or "") == self.industry)
                and (self.high_risk is None or bool(org.is_high_risk) == self.high_risk))


@dataclass
class Figures:
    """Sums of the measures and the three rates read from them."""

    values: dict = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))
    #: False for a past or future day: training is worked out for today only.
    training_available: bool = True

    def __getattr__(self, name: str):
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        raise AttributeError(name)

    def add(self, other: dict) -> None:
        """Add a row of measures."""
        for name in MEASURES:
            self.values[name] += int(other.get(name) or 0)

    @property
    def not_certified(self) -> int:
        return self.values["key_on_job"] - self.values["certified"]

    @property
    def certified_rate(self) -> float | None:
        """持证上岗率: certified / key-post employments on the job (None when there are none)."""
        return _ratio(self.values["certified"], self.values["key_on_job"])

    @property
    def pass_rate(self) -> float | None:
        """培训考核合格率: passing assessments in force / employments on the job at high-risk enterprises."""
        return _ratio(self.values["hr_passed"], self.values["hr_on_job"])

    @property
    def training_rate(self) -> float | None:
        """Training coverage: not behind an overdue hour rule / employments worked out."""
        if not self.training_available:
            return None
        known = self.values["training_known"]
        return _ratio(known - self.values["training_behind"], known)


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@dataclass
class Row:
    """One line of a drill-down: a region or an enterprise with its figures."""

    kind: str  # "region" or "enterprise"
    id: int
    code: str
    name_zh: str
    name_en: str
    figures: Figures

    def name(self, locale: str) -> str:
        """The name in the requested locale (enterprises have one name)."""
        return self.name_en if locale.startswith("en") else self.name_zh


@dataclass
class Overview:
    """A region's figures, its children's (the child regions, then one page of the enterprises
    placed directly in it), and the day they are for."""

    region: Region
    on: date
    total: Figures
    children: list[Row]
    #: Enterprises placed directly in the region, over all pages.
    enterprise_count: int = 0
    page: int = 1
    per_page: int = 50

    @property
    def pages(self) -> int:
        """How many pages the region's own enterprises fill (at least one)."""
        return max(1, -(-self.enterprise_count // self.per_page))


@dataclass(frozen=True)
class Paging:
    """Which page of a region's enterprises to show, and in which order ("name" or "certified_rate")."""

    page: int = 1
    per_page: int = 50
    sort: str = "name"

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.per_page


def ensure_current(today: date) -> None:
    """Apply the calendar's changes due by ``today`` before reading the kept counts."""
    if needs_catch_up(today):
        catch_up(today)
        db.session.commit()


def _measure_sums(model) -> list:
    return [func.coalesce(func.sum(getattr(model, m)), 0).label(m) for m in MEASURES]


def overview(region: Region, filters: Filters, on: date, today: date, paging: Paging = Paging()) -> Overview:
    """The region and its children on ``on`` (kept counts when ``on`` is today)."""
    if on != today:
        return _overview_on(region, filters, on, paging)
    ensure_current(today)
    total = Figures()
    row = db.session.execute(select(*_measure_sums(RegionCounts)).where(
        RegionCounts.region_id == region.id, *filters.region_clauses())).one()
    total.add(row._asdict())
    enterprises, count = _direct_enterprises(region, filters, paging)
    return Overview(region, on, total, _child_regions(region, filters) + enterprises, count,
                    paging.page, paging.per_page)


def _child_regions(region: Region, filters: Filters) -> list[Row]:
    query = (select(Region.id, Region.code, Region.name_zh, Region.name_en, *_measure_sums(RegionCounts))
             .join(RegionCounts, RegionCounts.region_id == Region.id)
             .where(Region.parent_id == region.id, *filters.region_clauses())
             .group_by(Region.id, Region.code, Region.name_zh, Region.name_en).order_by(Region.code))
    return [_row("region", r) for r in db.session.execute(query)]


def _direct_enterprises(region: Region, filters: Filters, paging: Paging) -> tuple[list[Row], int]:
    """One page of the enterprises placed directly in the region, and how many there are."""
    here = [Organization.region_id == region.id, Organization.kind == OrgKind.ENTERPRISE]
    if not filters.is_empty:
        # A slice of the enterprises' count rows: grouped and ordered in full, then paged.
        rows = _by_rate(enterprise_rows(here, filters)) if paging.sort == "certified_rate" else \
            enterprise_rows(here, filters)
        return rows[paging.offset:paging.offset + paging.per_page], len(rows)
    count = db.session.scalar(select(func.count()).select_from(OrgTotals).join(
        Organization, Organization.id == OrgTotals.organization_id).where(*here))
    name = by_code_point(Organization.name)
    order = ([OrgTotals.rate_key.is_(None), OrgTotals.rate_key, OrgTotals.shortfall.desc(), name]
             if paging.sort == "certified_rate" else [name])
    query = _totals_query(here).order_by(*order).offset(paging.offset).limit(paging.per_page)
    return [_row("enterprise", r) for r in db.session.execute(query)], count


def _totals_query(where: list):
    """Enterprises with their one-row totals, in the column order _row reads."""
    return (select(Organization.id, Organization.code, Organization.name.label("name_zh"),
                   Organization.name.label("name_en"), *[getattr(OrgTotals, m) for m in MEASURES])
            .join(OrgTotals, OrgTotals.organization_id == Organization.id).where(*where))


def _by_rate(rows: list[Row]) -> list[Row]:
    """Lowest certified-on-the-job rate first; enterprises without key-post staff last."""
    return sorted(rows, key=lambda r: (r.figures.certified_rate is None, r.figures.certified_rate or 0,
                                       -r.figures.not_certified, r.name_zh))


def enterprise_rows(where: Iterable, filters: Filters, *, order_by=None,
                    limit: int | None = None) -> list[Row]:
    """Enterprises matching ``where`` with their kept figures."""
    query = (select(Organization.id, Organization.code, Organization.name.label("name_zh"),
                    Organization.name.label("name_en"), *_measure_sums(OrgCounts))
             .join(OrgCounts, OrgCounts.organization_id == Organization.id)
             .where(Organization.kind == OrgKind.ENTERPRISE, *where, *filters.org_clauses(),
                    *filters.count_clauses(OrgCounts))
             .group_by(Organization.id, Organization.code, Organization.name))
    query = query.order_by(*(order_by if order_by is not None else [by_code_point(Organization.name)]))
    if limit:
        query = query.limit(limit)
    return [_row("enterprise", r) for r in db.session.execute(query)]


def by_code_point(column):
    """Order names by their characters' code points, as SQLite does and Python's sort does.

    PostgreSQL would otherwise sort by the database's locale, which is several times slower on
    Chinese names (the gap list of a large enterprise sorts thousands) and differs by server.
    """
    return column.collate("C") if db.session.get_bind().dialect.name == "postgresql" else column


def _row(kind: str, r) -> Row:
    # A region's page builds a row per enterprise: read the sums by position, not by name.
    values = {name: int(value or 0) for name, value in zip(MEASURES, r[4:], strict=True)}
    return Row(kind, r.id, r.code, r.name_zh, r.name_en, Figures(values))


def furthest_enterprises(region: Region, filters: Filters, today: date, limit: int = 10) -> list[Row]:
    """Enterprises at or below ``region`` furthest from a 100% certified-on-the-job rate: lowest
    rate first, then the most key-post staff without a valid certificate."""
    ensure_current(today)
    if filters.is_empty:
        # An index walk over the enterprises' ranked totals, stopping at ``limit``.
        below = [OrgTotals.region_path.startswith(region.path), OrgTotals.rate_key < RATE_SCALE]
        query = (_totals_query(below).order_by(OrgTotals.rate_key, OrgTotals.shortfall.desc(),
                                               by_code_point(Organization.name)).limit(limit))
        return [_row("enterprise", r) for r in db.session.execute(query)]
    # With filters every enterprise's count rows are summed and ranked (slower; no kept rank).
    where = [Organization.region_id.in_(region.subtree_ids()), OrgCounts.key_on_job > 0]
    rows = [r for r in enterprise_rows(where, filters) if (r.figures.certified_rate or 0) < 1
            and r.figures.certified_rate is not None]
    return _by_rate(rows)[:limit]


def enterprise_figures(org: Organization, filters: Filters, on: date, today: date) -> Figures:
    """One enterprise's figures on ``on``."""
    if on != today:
        facts = _facts_of_orgs([org], on, Organization.id == org.id)
        return _aggregate(facts, {org.id: org}, filters)
    ensure_current(today)
    figures = Figures()
    row = db.session.execute(select(*_measure_sums(OrgCounts)).where(
        OrgCounts.organization_id == org.id, *filters.count_clauses(OrgCounts))).one()
    figures.add(row._asdict())
    return figures


@dataclass
class PersonLine:
    """One employment of an enterprise with where it stands: the gap list's row."""

    employment: Employment
    person: Person
    fact: Fact | ComplianceFact


def people(org: Organization, filters: Filters, on: date, today: date) -> list[PersonLine]:
    """The enterprise's employments on the job on ``on``, gaps first."""
    employments = {e.id: e for e in db.session.scalars(
        select(Employment).where(Employment.organization_id == org.id))}
    if on == today:
        ensure_current(today)
        facts = list(db.session.scalars(select(ComplianceFact).where(
            ComplianceFact.organization_id == org.id, ComplianceFact.on_job == 1)))
    else:
        facts = [f for f in facts_on(Inputs.load(organization_id=org.id), on)
                 if f.measures["on_job"]]
    lines = []
    persons = {p.id: p for p in db.session.scalars(select(Person).where(
        Person.id.in_([f.person_id for f in facts])))}
    for fact in facts:
        if (filters.post and fact.post != filters.post
                or filters.category and fact.category != filters.category):
            continue
        lines.append(PersonLine(employments[fact.employment_id], persons[fact.person_id], fact))
    lines.sort(key=lambda line: (_gap_rank(line.fact), line.person.name))
    return lines


#: The gap list's tabs as conditions on the kept fact rows (the same 0/1 measures the counts sum).
TAB_MEASURES = {"all": "on_job", "review_overdue": "review_overdue", "expiring_30": "expiring_30",
                "expiring_60": "expiring_60", "expiring_90": "expiring_90",
                "training_behind": "training_behind"}


def tab_clause(tab: str):
    """The WHERE clause of a gap-list tab on ComplianceFact."""
    if tab == "not_certified":
        return and_(ComplianceFact.key_on_job == 1, ComplianceFact.certified == 0)
    return getattr(ComplianceFact, TAB_MEASURES.get(tab, "on_job")) == 1


def tab_counts(figures: Figures) -> dict[str, int]:
    """How many lines each tab holds, read from an enterprise's kept sums."""
    return {tab: figures.values[measure] for tab, measure in TAB_MEASURES.items()} | {
        "not_certified": figures.not_certified}


def people_page(org: Organization, filters: Filters, tab: str, paging: Paging,
                today: date) -> tuple[list[PersonLine], int]:
    """One page of today's gap list of one tab, gaps first, read from the kept facts; and how many
    lines the tab holds. A large enterprise's list is read a page at a time."""
    ensure_current(today)
    where = [ComplianceFact.organization_id == org.id, ComplianceFact.on_job == 1, tab_clause(tab),
             *filters.count_clauses(ComplianceFact)]
    total = db.session.scalar(select(func.count()).select_from(ComplianceFact).where(*where))
    rank = case((and_(ComplianceFact.key_on_job == 1, ComplianceFact.certified == 0), 0),
                (ComplianceFact.key_on_job == 1, 1), else_=2)
    rows = db.session.execute(
        select(ComplianceFact, Employment, Person)
        .join(Employment, Employment.id == ComplianceFact.employment_id)
        .join(Person, Person.id == ComplianceFact.person_id).where(*where)
        .order_by(rank, by_code_point(Person.name), ComplianceFact.employment_id)
        .offset(paging.offset).limit(paging.per_page)).all()
    return [PersonLine(employment, person, fact) for fact, employment, person in rows], total


def _gap_rank(fact) -> int:
    key_post = Post(fact.post).is_key_post
    if key_post and fact.certificate_id is None:
        return 0
    return 1 if key_post else 2


def _overview_on(region: Region, filters: Filters, on: date, paging: Paging) -> Overview:
    """Work a past (or future) day out from the base tables: exact, slower on large regions."""
    inside = Organization.region_id.in_(region.subtree_ids())
    orgs = {o.id: o for o in db.session.scalars(select(Organization).where(
        Organization.kind == OrgKind.ENTERPRISE, inside))}
    facts = _facts_of_orgs(list(orgs.values()), on, inside)
    children_regions = {r.id: r for r in db.session.scalars(
        select(Region).where(Region.parent_id == region.id))}
    region_of = {o.id: o.region for o in orgs.values()}
    rows: dict[tuple, Row] = {}
    total = Figures(training_available=False)
    for fact in facts:
        org = orgs[fact.organization_id]
        if not filters.admits(fact, org):
            continue
        total.add(fact.measures)
        child = next((c for c in children_regions.values() if region_of[org.id].is_within(c)), None)
        if child is not None:
            key = ("region", child.id)
            rows.setdefault(key, Row("region", child.id, child.code, child.name_zh, child.name_en,
                                     Figures(training_available=False)))
        elif org.region_id == region.id:
            key = ("enterprise", org.id)
            rows.setdefault(key, Row("enterprise", org.id, org.code, org.name, org.name,
                                     Figures(training_available=False)))
        else:
            continue
        rows[key].figures.add(fact.measures)
    children = sorted((r for r in rows.values() if r.kind == "region"), key=lambda r: r.code)
    enterprises = sorted((r for r in rows.values() if r.kind == "enterprise"), key=lambda r: r.name_zh)
    if paging.sort == "certified_rate":
        enterprises = _by_rate(enterprises)
    shown = enterprises[paging.offset:paging.offset + paging.per_page]
    return Overview(region, on, total, children + shown, len(enterprises), paging.page, paging.per_page)


def _facts_of_orgs(orgs: list[Organization], on: date, where) -> list[Fact]:
    """Facts on ``on`` of every employment at these enterprises (``where`` selects them in SQL),
    a group of people at a time."""
    org_ids = {o.id for o in orgs}
    people = sorted(set(db.session.scalars(select(Employment.person_id).join(
        Organization, Organization.id == Employment.organization_id).where(where))))
    rules = RuleTable.load(RULE_KEYS)
    facts: list[Fact] = []
    for start in range(0, len(people), GROUP_SIZE):
        found = facts_on(Inputs.load(people[start:start + GROUP_SIZE]), on, rules)
        facts.extend(f for f in found if f.organization_id in org_ids)
    return facts


def _aggregate(facts: list[Fact], orgs: dict, filters: Filters) -> Figures:
    figures = Figures(training_available=False)
    for fact in facts:
        if filters.admits(fact, orgs[fact.organization_id]):
            figures.add(fact.measures)
    return figures
