"""Statutory training requirements per person, computed from the rule set (never hard-coded).

Every requirement belongs to one calendar year: initial and pre-job training to the year the
employment starts (hours from the start date to the year's end count), annual retraining to each
later year, retraining after a transfer or a long absence to the year it is triggered, and review
training to the year of the certificate review. The rule value used is the one in force on the
requirement's deadline, and each result names the rule key, value and version.

People are computed in groups (a page of employees, a region's summary): the rules are read once,
and employments, induction records, absences, external training and study time are each read in
one query for the whole group, so the number of queries does not grow with the number of people.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from courses.models import ExternalTraining, InductionRecord, StudyRecord, WorkAbsence
from courses.signals import review_dates_wanted
from lms.clock import local_midnight
from lms.extensions import db
from lms.models import Employment, Organization, Person, Post
from lms.rules import RuleAnswer, RuleMissing, RuleTable

KEY_POSTS = (Post.PRINCIPAL, Post.SAFETY_MANAGER)


@dataclass(frozen=True)
class Requirement:
    """One training obligation with what is done and what is missing."""

    kind: str
    employment_id: int
    organization: str
    post: str
    rule: RuleAnswer
    unit: str
    required: float
    done: float
    period_start: date
    period_end: date
    deadline: date
    levels_done: tuple = ()
    #: Of ``done``, the class hours of training held elsewhere (ExternalTraining).
    external: float = 0.0

    @property
    def missing(self) -> float:
        """What is still to do (never negative)."""
        return round(max(0.0, self.required - self.done), 2)

    @property
    def met(self) -> bool:
        return self.missing == 0

    def status(self, today: date) -> str:
        """met, overdue or open."""
        if self.met:
            return "met"
        return "overdue" if today > self.deadline else "open"


class RuleBook:
    """Rule look-ups for one computation, answered from a table read once (many people share keys)."""

    def __init__(self, table: RuleTable | None = None):
        self._table = table

    @property
    def table(self) -> RuleTable:
        """The preloaded rule values (read on first use)."""
        if self._table is None:
            self._table = RuleTable.load()
        return self._table

    def at(self, key: str, on: date, org: Organization) -> RuleAnswer:
        """The value of ``key`` in force on ``on`` where ``org`` is, most local scope first."""
        return self.table.at(key, on, org.region)

    def try_at(self, key: str, on: date, org: Organization) -> RuleAnswer | None:
        """Like :meth:`at`, None when no value is in force."""
        try:
            return self.at(key, on, org)
        except RuleMissing:
            return None


def floor_hours(hours: float) -> float:
    """Hours rounded down to hundredths, so a requirement never looks met early."""
    return math.floor(hours * 100 + 1e-9) / 100


def tier(org: Organization, *, employee_rule: bool) -> str:
    """Which value of a rule applies: construction (employee rules only), high_risk or general."""
    if employee_rule and org.industry == "construction":
        return "construction"
    return "high_risk" if org.is_high_risk else "general"


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clipped to the month's end."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for candidate in range(day.day, 27, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    return date(year, month, min(day.day, 28))


#: People per round of queries: keeps the IN lists well inside every database's parameter limit.
GROUP_SIZE = 500


@dataclass(frozen=True)
class _Induction:
    organization_id: int
    level: str
    held_on: date
    class_hours: float


@dataclass(frozen=True)
class _Absence:
    organization_id: int
    left_on: date
    returned_on: date


@dataclass(frozen=True)
class _External:
    ended_on: date
    class_hours: float


@dataclass
class GroupFacts:
    """Employments, induction records, absences and external training of a group, one query each."""

    employments: dict[int, list[Employment]] = field(default_factory=dict)
    inductions: dict[int, list[_Induction]] = field(default_factory=dict)
    absences: dict[int, list[_Absence]] = field(default_factory=dict)
    externals: dict[int, list[_External]] = field(default_factory=dict)
    #: Known certificate review dates by (person id, operation sub-type), from review_dates_wanted.
    reviews: dict[tuple[int, str], list[date]] = field(default_factory=dict)

    @classmethod
    def load(cls, person_ids: list[int]) -> "GroupFacts":
        """Read the facts of ``person_ids`` (organizations and their regions come along)."""
        facts = cls()
        employments = db.session.scalars(select(Employment).where(Employment.person_id.in_(person_ids))
                                         .options(joinedload(Employment.organization)
                                                  .joinedload(Organization.region))
                                         .order_by(Employment.id))
        for e in employments:
            facts.employments.setdefault(e.person_id, []).append(e)
        inductions = db.session.execute(select(
            InductionRecord.person_id, InductionRecord.organization_id, InductionRecord.level,
            InductionRecord.held_on, InductionRecord.class_hours)
            .where(InductionRecord.person_id.in_(person_ids)).order_by(InductionRecord.id))
        for person_id, *row in inductions:
            facts.inductions.setdefault(person_id, []).append(_Induction(*row))
        absences = db.session.execute(select(
            WorkAbsence.person_id, WorkAbsence.organization_id, WorkAbsence.left_on,
            WorkAbsence.returned_on).where(WorkAbsence.person_id.in_(person_ids)).order_by(WorkAbsence.id))
        for person_id, *row in absences:
            facts.absences.setdefault(person_id, []).append(_Absence(*row))
        externals = db.session.execute(select(
            ExternalTraining.person_id, ExternalTraining.ended_on, ExternalTraining.class_hours)
            .where(ExternalTraining.person_id.in_(person_ids)).order_by(ExternalTraining.id))
        for person_id, *row in externals:
            facts.externals.setdefault(person_id, []).append(_External(*row))
        for _receiver, known in review_dates_wanted.send(person_ids):
            facts.reviews.update(known or {})
        return facts

    def active(self, person_id: int, year: int) -> list[Employment]:
        """The person's employments that overlap ``year``."""
        first, last = date(year, 1, 1), date(year, 12, 31)
        return [e for e in self.employments.get(person_id, [])
                if e.start_date <= last and (e.end_date is None or e.end_date >= first)]

    def induction_hours(self, e: Employment, start: date, end: date) -> float:
        """Class hours of induction records held for this employment's enterprise in the period."""
        return float(sum(r.class_hours for r in self._inductions_at(e) if start <= r.held_on <= end))

    def induction_levels(self, e: Employment, since: date) -> set[str]:
        """Induction levels held for this employment's enterprise on or after ``since``."""
        return {r.level for r in self._inductions_at(e) if r.held_on >= since}

    def external_hours(self, person_id: int, start: date, end: date) -> float:
        """Class hours of the person's training held elsewhere that ended in the period."""
        return float(sum(r.class_hours for r in self.externals.get(person_id, [])
                         if start <= r.ended_on <= end))

    def absences_at(self, e: Employment) -> list[_Absence]:
        """The person's recorded absences from this employment's enterprise."""
        return [a for a in self.absences.get(e.person_id, []) if a.organization_id == e.organization_id]

    def _inductions_at(self, e: Employment) -> list[_Induction]:
        return [r for r in self.inductions.get(e.person_id, []) if r.organization_id == e.organization_id]


class StudyLedger:
    """Credited study seconds of a group of people, summed between the local dates asked for."""

    # One grouped query sums each person's records into buckets cut at every local midnight that
    # starts or ends a period; any of those periods is then a sum of whole buckets.

    def __init__(self, cuts: list[date], sums: dict[int, dict[int, int]]):
        self.cuts = {day: index for index, day in enumerate(cuts)}
        self.sums = sums

    @classmethod
    def load(cls, person_ids: list[int], periods: list[tuple[date, date]], tz: ZoneInfo) -> "StudyLedger":
        """Read the sums for ``periods`` (local dates, inclusive) of ``person_ids``."""
        cuts = sorted({day for start, end in periods for day in (start, end + timedelta(days=1))})
        if not cuts:
            return cls([], {})
        instants = [local_midnight(day, tz) for day in cuts]
        bucket = case(*[(StudyRecord.started_at < instant, index)
                        for index, instant in enumerate(instants[1:])], else_=len(cuts) - 1)
        # Group in an outer query: PostgreSQL cannot match a CASE with bound parameters in SELECT
        # to the same CASE repeated in GROUP BY.
        rows = select(StudyRecord.person_id, bucket.label("bucket"), StudyRecord.seconds).where(
            StudyRecord.person_id.in_(person_ids), StudyRecord.started_at >= instants[0],
            StudyRecord.started_at < instants[-1]).subquery()
        sums: dict[int, dict[int, int]] = {}
        for person_id, index, seconds in db.session.execute(
                select(rows.c.person_id, rows.c.bucket, func.sum(rows.c.seconds))
                .group_by(rows.c.person_id, rows.c.bucket)):
            sums.setdefault(person_id, {})[index] = int(seconds or 0)
        return cls(cuts, sums)

    def seconds(self, person_id: int, start: date, end: date) -> int:
        """Credited study seconds started on local dates ``start`` .. ``end``."""
        mine = self.sums.get(person_id, {})
        first, after = self.cuts[start], self.cuts[end + timedelta(days=1)]
        return sum(mine.get(index, 0) for index in range(first, after))


@dataclass(frozen=True)
class _Pending:
    """An hours requirement whose hours done are filled in once the study ledger is read."""

    kind: str
    employment: Employment
    rule: RuleAnswer
    minutes: RuleAnswer
    start: date
    end: date
    deadline: date
    induction: bool


class Calculator:
    """Compute requirements for a year, for one person or a whole group in a fixed number of queries."""

    def __init__(self, tz: ZoneInfo, rules: RuleBook | None = None):
        self.tz = tz
        self.rules = rules or RuleBook()

    def for_person(self, person: Person, year: int) -> list[Requirement]:
        """All requirements of ``person`` that belong to ``year``."""
        return self.for_people([person.id], year)[person.id]

    def for_people(self, person_ids: list[int], year: int) -> dict[int, list[Requirement]]:
        """All requirements of ``year`` for each of ``person_ids`` (an empty list for none)."""
        ids = list(dict.fromkeys(person_ids))
        result: dict[int, list[Requirement]] = {}
        for first in range(0, len(ids), GROUP_SIZE):
            result.update(self._for_group(ids[first:first + GROUP_SIZE], year))
        return result

    def _for_group(self, ids: list[int], year: int) -> dict[int, list[Requirement]]:
        facts = GroupFacts.load(ids)
        planned = {pid: [r for e in facts.active(pid, year) for r in self._for_employment(e, year, facts)]
                   for pid in ids}
        pending = [r for found in planned.values() for r in found if isinstance(r, _Pending)]
        ledger = StudyLedger.load(ids, [(p.start, p.end) for p in pending], self.tz)
        return {pid: [self._finish(r, facts, ledger) for r in found] for pid, found in planned.items()}

    def _finish(self, found: "Requirement | _Pending", facts: GroupFacts, ledger: StudyLedger) -> Requirement:
        if isinstance(found, Requirement):
            return found
        e = found.employment
        done = ledger.seconds(e.person_id, found.start, found.end) / (60 * float(found.minutes.value))
        if found.induction:
            done += facts.induction_hours(e, found.start, found.end)
        external = facts.external_hours(e.person_id, found.start, found.end)
        return Requirement(found.kind, e.id, e.organization.name, e.post.value, found.rule,
                           "class_hours", float(found.rule.value), floor_hours(done + external),
                           found.start, found.end, found.deadline, external=external)

    def _for_employment(self, e: Employment, year: int, facts: GroupFacts) -> list:
        found = []
        if e.start_date.year == year:
            found.append(self._initial(e) if e.post in KEY_POSTS else self._prejob(e))
        else:
            found.append(self._annual(e, year))
        found.extend(self._retraining(e, year, facts))
        if e.post is Post.SPECIAL_OPERATIONS:
            found.extend(self._review(e, year, facts))
        return [r for r in found if r is not None]

    def _initial(self, e: Employment) -> _Pending | None:
        org = e.organization
        months = self.rules.try_at(
            f"assessment.principal_safety_manager.deadline_months.{tier(org, employee_rule=False)}",
            e.start_date, org)
        if months is None:
            return None
        deadline = add_months(e.start_date, int(months.value))
        key = f"hours.principal_safety_manager.initial.{tier(org, employee_rule=False)}"
        return self._hours("initial", e, key, e.start_date, date(e.start_date.year, 12, 31), deadline)

    def _prejob(self, e: Employment) -> _Pending | None:
        key = f"hours.new_employee.prejob.{tier(e.organization, employee_rule=True)}"
        return self._hours("prejob", e, key, e.start_date, date(e.start_date.year, 12, 31),
                           e.start_date, induction=True)

    def _annual(self, e: Employment, year: int) -> _Pending | None:
        org = e.organization
        if e.post in KEY_POSTS:
            key = f"hours.principal_safety_manager.annual.{tier(org, employee_rule=False)}"
        else:
            key = f"hours.employee.annual.{tier(org, employee_rule=True)}"
        last = date(year, 12, 31)
        return self._hours("annual", e, key, date(year, 1, 1), last, last)

    def _hours(self, kind, e, key, start, end, deadline, *, induction=False) -> _Pending | None:
        org = e.organization
        rule = self.rules.try_at(key, deadline, org)
        minutes = self.rules.try_at("hours.class_hour_minutes", deadline, org)
        if rule is None or minutes is None:
            return None
        return _Pending(kind, e, rule, minutes, start, end, deadline, induction)

    def _retraining(self, e: Employment, year: int, facts: GroupFacts) -> list[Requirement]:
        found = []
        for trigger in self._retraining_triggers(e, year, facts):
            rule = self.rules.try_at("retraining.transfer_or_absence", trigger, e.organization)
            if rule is None:
                continue
            levels = tuple(rule.value["levels"])
            held = facts.induction_levels(e, trigger)
            done = tuple(level for level in levels if level in held)
            found.append(Requirement("retraining", e.id, e.organization.name, e.post.value, rule,
                                     "levels", float(len(levels)), float(len(done)), trigger,
                                     date(year, 12, 31), trigger, levels_done=done))
        return found

    def _retraining_triggers(self, e: Employment, year: int, facts: GroupFacts) -> list[date]:
        """Dates in ``year`` when this employment needs workshop- and team-level retraining."""
        triggers = []
        earlier = [o for o in facts.employments.get(e.person_id, []) if o.id != e.id
                   and o.organization_id == e.organization_id and o.end_date is not None
                   and o.end_date <= e.start_date]
        if earlier and e.start_date.year == year:
            triggers.append(e.start_date)  # a transfer to another post in the same enterprise
        rule_years = self.rules.try_at("retraining.transfer_or_absence", date(year, 12, 31),
                                       e.organization)
        if rule_years is not None:
            for absence in facts.absences_at(e):
                long_enough = add_months(absence.left_on, 12 * int(rule_years.value["absence_years"]))
                if absence.returned_on.year == year and absence.returned_on >= long_enough:
                    triggers.append(absence.returned_on)
        return triggers

    def _review(self, e: Employment, year: int, facts: GroupFacts) -> list[_Pending]:
        found = []
        for review_on in review_dates(e, year, self.rules, facts.reviews):
            rule = self.rules.try_at("special_ops.certificate.review_training_hours", review_on,
                                     e.organization)
            if rule is None:
                continue  # no review training in force on that date (e.g. after 2026-06-01)
            found.append(self._hours("review", e, rule.key, date(year, 1, 1), review_on,
                                     review_on))
        return found


def review_dates(e: Employment, year: int, rules: RuleBook,
                 known: dict[tuple[int, str], list[date]] | None = None) -> list[date]:
    """Certificate review dates in ``year``: the real ones where the certificates are known
    (``known``, from review_dates_wanted), else every review interval (rule
    special_ops.certificate.review_interval_years) after the start."""
    if known and (e.person_id, e.operation_subtype) in known:
        return [day for day in known[(e.person_id, e.operation_subtype)] if day.year == year]
    interval = rules.try_at("special_ops.certificate.review_interval_years", e.start_date,
                            e.organization)
    if interval is None or not isinstance(interval.value, dict):
        return []
    step = int(interval.value["standard"])
    found, k = [], 1
    while e.start_date.year + k * step <= year:
        if e.start_date.year + k * step == year:
            found.append(add_months(e.start_date, 12 * k * step))
        k += 1
    return found
