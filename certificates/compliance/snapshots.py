"""Monthly snapshots of every region's figures, for the trend charts: taken from the kept counts
on the first worker round of each month, or worked out from the base tables for past months."""

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import func, select

from certificates.compliance.facts import RULE_KEYS, Inputs, facts_on
from certificates.compliance.models import MEASURES, ComplianceSnapshot, RegionCounts
from certificates.compliance.rates import Figures, Filters, ensure_current
from certificates.compliance.summaries import GROUP_SIZE, roll_up
from lms.extensions import db
from lms.models import Employment, Region
from lms.rules import RuleTable

_KEY = ("region_id", "industry", "high_risk", "post", "category")


def has_snapshot(month_start: date) -> bool:
    """True when a snapshot was taken on or after the first of that month (and before the next)."""
    following = date(month_start.year + month_start.month // 12, month_start.month % 12 + 1, 1)
    return db.session.scalar(select(ComplianceSnapshot.id).where(
        ComplianceSnapshot.taken_on >= month_start,
        ComplianceSnapshot.taken_on < following).limit(1)) is not None


def take_snapshot(today: date) -> int:
    """Copy today's region counts into a snapshot dated today, unless this month has one; the caller
    commits. Several workers may race: the unique key lets only one set of rows in."""
    if has_snapshot(today.replace(day=1)):
        return 0
    ensure_current(today)
    rows = [{c: getattr(r, c) for c in _KEY + MEASURES} for r in db.session.scalars(select(RegionCounts))
            if any(getattr(r, m) for m in MEASURES)]
    return _insert(rows, today)


def snapshot_as_of(day: date) -> int:
    """Work the region figures of a past day out from the base tables and keep them as that day's
    snapshot (training coverage is not known for past days and is left at zero)."""
    if db.session.scalar(select(ComplianceSnapshot.id).where(ComplianceSnapshot.taken_on == day).limit(1)):
        return 0
    by_org: dict[tuple, Counter] = defaultdict(Counter)
    people = list(db.session.scalars(select(Employment.person_id).distinct().order_by(Employment.person_id)))
    rules = RuleTable.load(RULE_KEYS)
    for start in range(0, len(people), GROUP_SIZE):
        for fact in facts_on(Inputs.load(people[start:start + GROUP_SIZE]), day, rules):
            by_org[(fact.organization_id, fact.post, fact.category)].update(fact.measures)
    sums = roll_up(by_org)
    rows = [dict(zip(_KEY, key, strict=True)) | {m: counter.get(m, 0) for m in MEASURES}
            for key, counter in sums.items() if any(counter.values())]
    return _insert(rows, day)


def _insert(rows: list[dict], day: date) -> int:
    if rows:
        db.session.execute(ComplianceSnapshot.__table__.insert(), [r | {"taken_on": day} for r in rows])
    return len(rows)


def trend(region: Region, filters: Filters, months: int = 24) -> list[tuple[date, Figures]]:
    """The region's figures at each snapshot, oldest first (at most ``months`` of them)."""
    sums = [func.coalesce(func.sum(getattr(ComplianceSnapshot, m)), 0).label(m) for m in MEASURES]
    query = (select(ComplianceSnapshot.taken_on, *sums)
             .where(ComplianceSnapshot.region_id == region.id, *filters.region_clauses(ComplianceSnapshot))
             .group_by(ComplianceSnapshot.taken_on).order_by(ComplianceSnapshot.taken_on.desc()).limit(months))
    points = []
    for row in db.session.execute(query):
        figures = Figures(training_available=bool(row.training_known))
        figures.add(row._asdict())
        points.append((row.taken_on, figures))
    return points[::-1]
