"""Read-side figures: results by class and drill, common mistakes, participation per organization."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Float, case, cast, distinct, func, or_, select

from courses.drills.models import DrillResult
from lms.extensions import db
from lms.models import Organization, OrgKind


@dataclass(frozen=True)
class Period:
    """UTC instants [start, end) a page reports on."""

    start: datetime
    end: datetime

    def clause(self):
        """SQL condition on the run's start time."""
        return (DrillResult.started_at >= self.start) & (DrillResult.started_at < self.end)


@dataclass
class Tally:
    """Runs, passes and distinct classes/participants of a group of runs."""

    runs: int = 0
    passed: int = 0
    participants: int = 0
    classes: int = 0
    average_percent: float | None = None
    last_run: datetime | None = None

    @property
    def pass_rate(self) -> int | None:
        """Share of runs passed, in whole per cent; None without runs."""
        return round(100 * self.passed / self.runs) if self.runs else None


def _tally_columns():
    # The same participant text in two classes is two people ("07" of each class).
    person = func.coalesce(DrillResult.class_name, "") + "|" + DrillResult.participant
    return (func.count(DrillResult.id), func.sum(case((DrillResult.passed, 1), else_=0)),
            func.count(distinct(person)), func.count(distinct(DrillResult.class_name)),
            func.avg(cast(DrillResult.score, Float) * 100 / DrillResult.max_score),
            func.max(DrillResult.started_at))


def _tally(row) -> Tally:
    runs, passed, participants, classes, average, last = row
    return Tally(runs=runs or 0, passed=int(passed or 0), participants=participants or 0,
                 classes=classes or 0, average_percent=float(average) if average is not None else None,
                 last_run=last)


def _filters(org_id: int, period: Period, drill: str | None, class_name: str | None) -> list:
    conditions = [DrillResult.organization_id == org_id, period.clause()]
    if drill:
        conditions.append(DrillResult.drill == drill)
    if class_name:
        conditions.append(DrillResult.class_name == class_name)
    return conditions


def org_total(org_id: int, period: Period, drill=None, class_name=None) -> Tally:
    """Totals over one organization's runs."""
    row = db.session.execute(select(*_tally_columns())
                             .where(*_filters(org_id, period, drill, class_name))).one()
    return _tally(row)


def by_class_and_drill(org_id: int, period: Period, drill=None,
                       class_name=None) -> list[tuple[str | None, str, Tally]]:
    """(class, drill, tally) rows, classes in name order (runs without a class last)."""
    rows = db.session.execute(
        select(DrillResult.class_name, DrillResult.drill, *_tally_columns())
        .where(*_filters(org_id, period, drill, class_name))
        .group_by(DrillResult.class_name, DrillResult.drill))
    result = [(r[0], r[1], _tally(r[2:])) for r in rows]
    return sorted(result, key=lambda item: (item[0] is None, item[0] or "", item[1]))


def class_names(org_id: int) -> list[str]:
    """Every class name the organization has reported."""
    return list(db.session.scalars(select(DrillResult.class_name).distinct().where(
        DrillResult.organization_id == org_id, DrillResult.class_name.is_not(None))
        .order_by(DrillResult.class_name)))


@dataclass
class Mistake:
    """A decision code judged wrong in some runs, with the teaching text the drill gave for it."""

    drill: str
    code: str
    runs: int
    drill_runs: int
    critical: bool
    texts: Counter = field(default_factory=Counter)

    @property
    def share(self) -> int:
        """Per cent of this drill's runs in which the mistake was made."""
        return round(100 * self.runs / self.drill_runs) if self.drill_runs else 0

    @property
    def text(self) -> str:
        """The teaching text sent most often for this mistake."""
        return self.texts.most_common(1)[0][0] if self.texts else self.code


#: Mistakes are counted over at most this many of the latest runs, so a page stays quick.
MISTAKE_WINDOW = 2000


def common_mistakes(org_id: int, period: Period, language: str, drill=None, class_name=None,
                    limit: int = 10) -> list[Mistake]:
    """The most frequent wrong decision codes, counted once per run, most frequent first.

    Only the latest MISTAKE_WINDOW runs count. Texts come from runs played in ``language``
    when there are any, else from any run.
    """
    rows = db.session.execute(select(DrillResult.drill, DrillResult.language, DrillResult.decisions)
                              .where(*_filters(org_id, period, drill, class_name))
                              .order_by(DrillResult.started_at.desc()).limit(MISTAKE_WINDOW))
    found: dict[tuple[str, str], Mistake] = {}
    fallback: dict[tuple[str, str], str] = {}
    drill_runs: Counter = Counter()
    for drill_name, run_language, decisions in rows:
        drill_runs[drill_name] += 1
        for code, wrong in _wrong_once(decisions).items():
            key = (drill_name, code)
            mistake = found.get(key) or found.setdefault(key, Mistake(drill_name, code, 0, 0, False))
            mistake.runs += 1
            mistake.critical = mistake.critical or bool(wrong.get("critical"))
            if run_language == language:
                mistake.texts[wrong.get("text") or ""] += 1
            else:
                fallback.setdefault(key, wrong.get("text") or "")
    for key, mistake in found.items():
        mistake.drill_runs = drill_runs[key[0]]
        if not mistake.texts and key in fallback:
            mistake.texts[fallback[key]] = 1
    return sorted(found.values(), key=lambda m: (-m.runs, not m.critical, m.drill, m.code))[:limit]


def _wrong_once(decisions: list[dict]) -> dict[str, dict]:
    """The first wrong decision per code (a code may repeat within one run, e.g. per door)."""
    wrong: dict[str, dict] = {}
    for decision in decisions or []:
        if not decision.get("correct") and decision.get("code") not in wrong:
            wrong[decision.get("code")] = decision
    return wrong


def recent_runs(org_id: int, period: Period, drill=None, class_name=None, page: int = 1):
    """One page of runs, newest first."""
    query = (select(DrillResult).where(*_filters(org_id, period, drill, class_name))
             .order_by(DrillResult.started_at.desc(), DrillResult.id.desc()))
    return db.paginate(query, page=page, per_page=25, error_out=False)


def region_rows(scope_clause, period: Period) -> list[tuple[Organization, Tally, dict[str, Tally]]]:
    """Per organization in scope: totals and per-drill tallies.

    Every school in scope is listed (a school without runs is what a regulator looks for);
    other organizations appear once they have reported a run.
    """
    reported = select(DrillResult.organization_id).where(period.clause())
    orgs = db.session.scalars(select(Organization).where(
        scope_clause, or_(Organization.kind == OrgKind.SCHOOL, Organization.id.in_(reported)))
        .order_by(Organization.name)).all()
    totals, per_drill = _grouped(period, [o.id for o in orgs])
    return [(org, totals.get(org.id, Tally()), per_drill.get(org.id, {})) for org in orgs]


def _grouped(period: Period, org_ids: list[int]):
    totals: dict[int, Tally] = {}
    per_drill: dict[int, dict[str, Tally]] = {}
    if not org_ids:
        return totals, per_drill
    base = select(DrillResult.organization_id).where(
        period.clause(), DrillResult.organization_id.in_(org_ids))
    for row in db.session.execute(base.add_columns(*_tally_columns())
                                  .group_by(DrillResult.organization_id)):
        totals[row[0]] = _tally(row[1:])
    for row in db.session.execute(base.add_columns(DrillResult.drill, *_tally_columns())
                                  .group_by(DrillResult.organization_id, DrillResult.drill)):
        per_drill.setdefault(row[0], {})[row[1]] = _tally(row[2:])
    return totals, per_drill
