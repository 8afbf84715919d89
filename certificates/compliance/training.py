"""Training coverage: whether each employment on the job is behind an hour rule whose deadline has
passed. Working that out needs the study ledger, so a background job does it for the facts not
yet checked today (new or changed people first, then everyone once a day)."""

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import case, func, or_, select, update

from certificates.compliance.models import ComplianceFact
from certificates.compliance.summaries import GROUP_SIZE, apply_deltas
from courses.requirements import Calculator
from lms.clock import local_tz
from lms.extensions import db
from lms.rules import RuleMissing


def due_people(today: date, limit: int = GROUP_SIZE) -> list[int]:
    """People with a fact whose training was not worked out today, changed people first."""
    stale = or_(ComplianceFact.training_checked_on.is_(None), ComplianceFact.training_checked_on < today)
    # Grouped, not DISTINCT: PostgreSQL refuses ORDER BY expressions outside a DISTINCT select list.
    never_checked_first = func.min(case((ComplianceFact.training_checked_on.is_(None), 0), else_=1))
    return list(db.session.scalars(
        select(ComplianceFact.person_id).where(stale).group_by(ComplianceFact.person_id)
        .order_by(never_checked_first, ComplianceFact.person_id).limit(limit)))


def behind_by_employment(person_ids: list[int], today: date) -> dict[int, bool] | None:
    """Employment id -> behind an overdue hour rule; None when the hour rules are not loaded."""
    try:
        found = Calculator(local_tz()).for_people(person_ids, today.year)
    except RuleMissing:
        return None
    behind: dict[int, bool] = defaultdict(bool)
    for requirements in found.values():
        for requirement in requirements:
            behind[requirement.employment_id] |= requirement.status(today) == "overdue"
    return behind


def refresh_training(today: date, limit: int = GROUP_SIZE) -> int:
    """Work out the training of one group of due people and move the counts; the caller commits."""
    people = due_people(today, limit)
    if not people:
        return 0
    behind = behind_by_employment(people, today)
    delta: dict[tuple, Counter] = defaultdict(Counter)
    rows = db.session.execute(select(ComplianceFact.__table__).where(ComplianceFact.person_id.in_(people)))
    for row in rows.all():
        is_behind = None if behind is None else behind.get(row.employment_id, False)
        known = int(bool(row.on_job) and is_behind is not None)
        late = int(known and bool(is_behind))
        key = (row.organization_id, row.post, row.category)
        delta[key]["training_known"] += known - row.training_known
        delta[key]["training_behind"] += late - row.training_behind
        db.session.execute(update(ComplianceFact.__table__).where(
            ComplianceFact.employment_id == row.employment_id).values(
            behind_hours=is_behind, training_checked_on=today, training_known=known, training_behind=late))
    apply_deltas(delta)
    return len(people)
