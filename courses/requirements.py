"""Statutory training requirements per person, computed from the rule set (never hard-coded).

Every requirement belongs to one calendar year: initial and pre-job training to the year the
employment starts (hours from the start date to the year's end count), annual retraining to each
later year, retraining after a transfer or a long absence to the year it is triggered, and review
training to the year of the certificate review. The rule value used is the one in force on the
requirement's deadline, and each result names the rule key, value and version.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from courses.clock import period_bounds
from courses.models import InductionRecord, StudyRecord, WorkAbsence
from lms.extensions import db
from lms.models import Employment, Organization, Person, Post
from lms.rules import RuleAnswer, RuleMissing, rule_at

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


@dataclass
class RuleBook:
    """Memoised rule look-ups for one computation (many people share the same keys)."""

    cache: dict = field(default_factory=dict)

    def at(self, key: str, on: date, org: Organization) -> RuleAnswer:
        token = (key, on, org.region_id)
        if token not in self.cache:
            self.cache[token] = rule_at(key, on, org.region)
        return self.cache[token]

    def try_at(self, key: str, on: date, org: Organization) -> RuleAnswer | None:
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


class Calculator:
    """Compute one person's requirements for a year; rules and hours are looked up on demand."""

    def __init__(self, tz: ZoneInfo, rules: RuleBook | None = None):
        self.tz = tz
        self.rules = rules or RuleBook()

    def for_person(self, person: Person, year: int) -> list[Requirement]:
        """All requirements of ``person`` that belong to ``year``."""
        result = []
        for employment in self._employments(person, year):
            result.extend(self._for_employment(employment, year))
        return result

    def _employments(self, person: Person, year: int) -> list[Employment]:
        first, last = date(year, 1, 1), date(year, 12, 31)
        return [e for e in person.employments
                if e.start_date <= last and (e.end_date is None or e.end_date >= first)]

    def _for_employment(self, e: Employment, year: int) -> list[Requirement]:
        found = []
        if e.start_date.year == year:
            found.append(self._initial(e) if e.post in KEY_POSTS else self._prejob(e))
        else:
            found.append(self._annual(e, year))
        found.extend(self._retraining(e, year))
        if e.post is Post.SPECIAL_OPERATIONS:
            found.extend(self._review(e, year))
        return [r for r in found if r is not None]

    def _initial(self, e: Employment) -> Requirement | None:
        org = e.organization
        months = self.rules.try_at(
            f"assessment.principal_safety_manager.deadline_months.{tier(org, employee_rule=False)}",
            e.start_date, org)
        if months is None:
            return None
        deadline = add_months(e.start_date, int(months.value))
        key = f"hours.principal_safety_manager.initial.{tier(org, employee_rule=False)}"
        return self._hours("initial", e, key, e.start_date, date(e.start_date.year, 12, 31), deadline)

    def _prejob(self, e: Employment) -> Requirement:
        key = f"hours.new_employee.prejob.{tier(e.organization, employee_rule=True)}"
        return self._hours("prejob", e, key, e.start_date, date(e.start_date.year, 12, 31),
                           e.start_date, induction=True)

    def _annual(self, e: Employment, year: int) -> Requirement:
        org = e.organization
        if e.post in KEY_POSTS:
            key = f"hours.principal_safety_manager.annual.{tier(org, employee_rule=False)}"
        else:
            key = f"hours.employee.annual.{tier(org, employee_rule=True)}"
        last = date(year, 12, 31)
        return self._hours("annual", e, key, date(year, 1, 1), last, last)

    def _hours(self, kind, e, key, start, end, deadline, *, induction=False) -> Requirement | None:
        org = e.organization
        rule = self.rules.try_at(key, deadline, org)
        minutes = self.rules.try_at("hours.class_hour_minutes", deadline, org)
        if rule is None or minutes is None:
            return None
        seconds = self.studied_seconds(e.person_id, start, end)
        done = seconds / (60 * float(minutes.value))
        if induction:
            done += self.induction_hours(e, start, end)
        return Requirement(kind, e.id, org.name, e.post.value, rule, "class_hours",
                           float(rule.value), floor_hours(done), start, end, deadline)

    def studied_seconds(self, person_id: int, start: date, end: date) -> int:
        """Credited study seconds started on local dates ``start`` .. ``end``."""
        lo, hi = period_bounds(start, end, self.tz)
        rows = db.session.scalars(select(StudyRecord.seconds).where(
            StudyRecord.person_id == person_id, StudyRecord.started_at >= lo,
            StudyRecord.started_at < hi))
        return sum(rows)

    def induction_hours(self, e: Employment, start: date, end: date) -> float:
        """Class hours of induction records held for this employment's enterprise in the period."""
        hours = db.session.scalars(select(InductionRecord.class_hours).where(
            InductionRecord.person_id == e.person_id,
            InductionRecord.organization_id == e.organization_id,
            InductionRecord.held_on >= start, InductionRecord.held_on <= end))
        return float(sum(hours))

    def _retraining(self, e: Employment, year: int) -> list[Requirement]:
        found = []
        for trigger in self._retraining_triggers(e, year):
            rule = self.rules.try_at("retraining.transfer_or_absence", trigger, e.organization)
            if rule is None:
                continue
            levels = tuple(rule.value["levels"])
            held = set(db.session.scalars(select(InductionRecord.level).where(
                InductionRecord.person_id == e.person_id,
                InductionRecord.organization_id == e.organization_id,
                InductionRecord.held_on >= trigger)))
            done = tuple(level for level in levels if level in held)
            found.append(Requirement("retraining", e.id, e.organization.name, e.post.value, rule,
                                     "levels", float(len(levels)), float(len(done)), trigger,
                                     date(year, 12, 31), trigger, levels_done=done))
        return found

    def _retraining_triggers(self, e: Employment, year: int) -> list[date]:
        """Dates in ``year`` when this employment needs workshop- and team-level retraining."""
        triggers = []
        earlier = [o for o in e.person.employments if o.id != e.id
                   and o.organization_id == e.organization_id and o.end_date is not None
                   and o.end_date <= e.start_date]
        if earlier and e.start_date.year == year:
            triggers.append(e.start_date)  # a transfer to another post in the same enterprise
        rule_years = self.rules.try_at("retraining.transfer_or_absence", date(year, 12, 31),
                                       e.organization)
        if rule_years is not None:
            absences = db.session.scalars(select(WorkAbsence).where(
                WorkAbsence.person_id == e.person_id,
                WorkAbsence.organization_id == e.organization_id))
            for absence in absences:
                long_enough = add_months(absence.left_on, 12 * int(rule_years.value["absence_years"]))
                if absence.returned_on.year == year and absence.returned_on >= long_enough:
                    triggers.append(absence.returned_on)
        return triggers

    def _review(self, e: Employment, year: int) -> list[Requirement]:
        found = []
        for review_on in review_dates(e, year, self.rules):
            rule = self.rules.try_at("special_ops.certificate.review_training_hours", review_on,
                                     e.organization)
            if rule is None:
                continue  # no review training in force on that date (e.g. after 2026-06-01)
            found.append(self._hours("review", e, rule.key, date(year, 1, 1), review_on,
                                     review_on))
        return found


#: Callables ``provider(employment, year) -> list[date] | None`` (certificates may register one).
REVIEW_DATE_PROVIDERS: list = []


def review_dates(e: Employment, year: int, rules: RuleBook) -> list[date]:
    """Certificate review dates in ``year``: from a registered provider, else every review
    interval (rule special_ops.certificate.review_interval_years) after the start date."""
    for provider in REVIEW_DATE_PROVIDERS:
        dates = provider(e, year)
        if dates is not None:
            return dates
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
