"""Recompute every compliance figure from the base tables and list where the kept facts and counts
differ: the check that the incremental upkeep never drifts."""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from certificates.compliance.facts import RULE_KEYS, Inputs, facts_on
from certificates.compliance.models import MEASURES, ComplianceFact, OrgCounts, OrgTotals, RegionCounts
from certificates.compliance.summaries import (
    _FACT_COLUMNS,
    GROUP_SIZE,
    RECORD_MEASURES,
    catch_up,
    rate_key,
    roll_up,
)
from certificates.compliance.training import behind_by_employment
from lms.extensions import db
from lms.models import Employment, Organization, Region
from lms.rules import RuleTable


@dataclass
class Report:
    """What verification found; ``ok`` when nothing differs."""

    employments: int = 0
    calendar_moved: int = 0
    training_pending: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def verify(today: date, progress: Callable[[int], None] | None = None) -> Report:
    """Compare the kept figures on ``today`` with a recomputation; the caller commits the
    calendar catch-up this applies first (reads apply it too)."""
    report = Report(calendar_moved=catch_up(today))
    db.session.flush()
    stored = {row.employment_id: row for row in db.session.execute(select(ComplianceFact.__table__))}
    by_person: dict[int, list] = defaultdict(list)
    for row in stored.values():
        by_person[row.person_id].append(row)
    people = list(db.session.scalars(select(Employment.person_id).distinct().order_by(Employment.person_id)))
    rules = RuleTable.load(RULE_KEYS)
    seen: set[int] = set()
    for start in range(0, len(people), GROUP_SIZE):
        group = people[start:start + GROUP_SIZE]
        for fact in facts_on(Inputs.load(group), today, rules):
            seen.add(fact.employment_id)
            _compare_fact(report, fact, stored.get(fact.employment_id))
        _compare_training(report, [r for p in group for r in by_person.get(p, [])], today)
        if progress:
            progress(len(group))
    report.employments = len(seen)
    for employment_id in sorted(set(stored) - seen):
        report.differences.append(f"fact {employment_id}: kept for an employment that no longer exists")
    _compare_counts(report, stored.values())
    return report


def _compare_fact(report: Report, fact, row) -> None:
    if row is None:
        report.differences.append(f"fact {fact.employment_id}: missing")
        return
    for column in _FACT_COLUMNS:
        if getattr(row, column) != getattr(fact, column):
            report.differences.append(f"fact {fact.employment_id}: {column} kept {getattr(row, column)!r}, "
                                      f"recomputed {getattr(fact, column)!r}")
    for name in RECORD_MEASURES:
        if getattr(row, name) != fact.measures[name]:
            report.differences.append(f"fact {fact.employment_id}: {name} kept {getattr(row, name)}, "
                                      f"recomputed {fact.measures[name]}")


def _compare_training(report: Report, rows: list, today: date) -> None:
    """Training worked out today must match the hour rules now; the rest waits for the job."""
    checked = [r for r in rows if r.training_checked_on == today]
    report.training_pending += len(rows) - len(checked)
    if not checked:
        return
    behind = behind_by_employment(sorted({r.person_id for r in checked}), today)
    for row in checked:
        expected = None if behind is None else behind.get(row.employment_id, False)
        if row.behind_hours != expected:
            report.differences.append(f"fact {row.employment_id}: training behind kept {row.behind_hours!r}, "
                                      f"recomputed {expected!r}")


def _compare_counts(report: Report, facts) -> None:
    """The enterprise and region rows must be the sums of the fact rows."""
    by_org: dict[tuple, Counter] = defaultdict(Counter)
    for row in facts:
        by_org[(row.organization_id, row.post, row.category)].update({m: getattr(row, m) for m in MEASURES})
    kept_org = {(r.organization_id, r.post, r.category): r for r in db.session.scalars(select(OrgCounts))}
    _compare_rows(report, "enterprise counts", by_org, kept_org)
    by_region = roll_up(by_org)
    kept_region = {(r.region_id, r.industry, r.high_risk, r.post, r.category): r
                   for r in db.session.scalars(select(RegionCounts))}
    _compare_rows(report, "region counts", by_region, kept_region)
    _compare_totals(report, by_org)


def _compare_totals(report: Report, by_org: dict[tuple, Counter]) -> None:
    """Each enterprise's total row: the sums of its count rows, its region path and its rank."""
    totals: dict[int, Counter] = defaultdict(Counter)
    for (org_id, _post, _category), counter in by_org.items():
        totals[org_id].update(counter)
    paths = dict(db.session.execute(select(Organization.id, Region.path).join(
        Region, Region.id == Organization.region_id)).all())
    kept = {r.organization_id: r for r in db.session.scalars(select(OrgTotals))}
    _compare_rows(report, "enterprise totals", {(k,): v for k, v in totals.items()},
                  {(k,): v for k, v in kept.items()})
    for org_id, row in kept.items():
        want = totals.get(org_id, Counter())
        expected = (paths.get(org_id), rate_key(want.get("certified", 0), want.get("key_on_job", 0)),
                    want.get("key_on_job", 0) - want.get("certified", 0))
        if (row.region_path, row.rate_key, row.shortfall) != expected:
            kept_values = (row.region_path, row.rate_key, row.shortfall)
            report.differences.append(f"enterprise totals ({org_id},): path, rank and shortfall kept "
                                      f"{kept_values}, recomputed {expected}")


def _compare_rows(report: Report, what: str, expected: dict, kept: dict) -> None:
    for key in sorted(set(expected) | set(kept), key=repr):
        want = expected.get(key, Counter())
        row = kept.get(key)
        for name in MEASURES:
            have = getattr(row, name) if row is not None else 0
            if have != want.get(name, 0):
                report.differences.append(f"{what} {key}: {name} kept {have}, recomputed {want.get(name, 0)}")
