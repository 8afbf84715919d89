"""Eligibility to sit a session (报考条件), checked from the data with the rules in force on the
exam date; every check names the rule and version it used, so a refusal always says why.

Checks are computed for many candidates at once (a spreadsheet of 2,000 rows): the context loads
rules, earlier sittings, bars, overlapping sessions and training requirements in a fixed number of
queries, and :meth:`Eligibility.check` is then pure.
"""

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import and_, select

from courses.requirements import Calculator, RuleBook, add_months
from exams.centres.models import (
    ExamBar,
    ExamSession,
    Registration,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
)
from lms.clock import local_date, local_tz
from lms.extensions import db
from lms.models import Education, Employment, Person, Post
from lms.rules import RuleAnswer, RuleMissing, RuleTable

#: Words the education rule uses for operation categories (lms/data/operation_categories.json).
EDUCATION_RULE_CATEGORIES = {"hazardous_chemicals": "9"}
#: Checks an admin may set aside with a written reason; the others describe facts no reason changes
#: (the wrong exam, a missing health commitment, a bar, an overlapping sitting).
OVERRIDABLE = frozenset({"min_age", "max_age", "education", "training", "theory_pass", "attempts",
                         "makeup"})
#: Training requirements that must be complete before the exam whatever their deadline.
ENTRY_TRAINING = ("initial", "prejob")
#: Review training belongs to a certificate already held (the certificate's own lifecycle), not to
#: sitting an exam.
NOT_FOR_EXAMS = ("review",)


@dataclass(frozen=True)
class Check:
    """One eligibility condition as evaluated: the rule it applies and whether the candidate meets it."""

    check: str
    ok: bool
    key: str | None = None
    version: str | None = None
    params: dict = field(default_factory=dict)

    @property
    def overridable(self) -> bool:
        return self.check in OVERRIDABLE

    def as_dict(self) -> dict:
        """Plain data for the registration's JSON column and the staged import."""
        return asdict(self)


def _passed(checks: list[Check]) -> bool:
    return all(c.ok for c in checks)


@dataclass
class Verdict:
    """All checks for one candidate and whether they admit them, with or without an override."""

    checks: list[Check]

    @property
    def eligible(self) -> bool:
        return _passed(self.checks)

    @property
    def refusals(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def overridable(self) -> bool:
        """True when every refusal may be set aside with a written reason."""
        return bool(self.refusals) and all(c.overridable for c in self.refusals)


def age_on(born: date, day: date) -> int:
    """Full years of age (周岁) on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_male(id_number: str) -> bool:
    """GB 11643: the 17th character is odd for men."""
    return int(id_number[16]) % 2 == 1


def exam_date_of(session: ExamSession) -> date:
    """The local date of the session's start: the date whose rules apply."""
    return local_date(session.starts_at, local_tz())


class Eligibility:
    """Everything needed to check candidates for one session, loaded once."""

    def __init__(self, session: ExamSession, person_ids: list[int], rules: RuleTable | None = None):
        self.session = session
        self.exam_date = exam_date_of(session)
        self.region = session.centre.region
        self.rules = rules or RuleTable.load()
        ids = list(dict.fromkeys(person_ids))
        self._sittings = self._load_sittings(ids)
        self._bars = self._load_bars(ids)
        self._requirements = self._load_requirements(ids)

    # --- loading -----------------------------------------------------------------------------
    def _load_sittings(self, ids: list[int]) -> dict[int, list[tuple[Registration, ExamSession]]]:
        """Every other active registration of these people, with its session."""
        found: dict[int, list] = {}
        for first in range(0, len(ids), 500):
            rows = db.session.execute(
                select(Registration, ExamSession).join(ExamSession, Registration.session_id == ExamSession.id)
                .where(Registration.person_id.in_(ids[first:first + 500]),
                       Registration.status == RegistrationStatus.ACTIVE,
                       Registration.session_id != self.session.id,
                       ExamSession.status != SessionStatus.CANCELLED))
            for reg, session in rows:
                found.setdefault(reg.person_id, []).append((reg, session))
        return found

    def _load_bars(self, ids: list[int]) -> dict[int, list[ExamBar]]:
        found: dict[int, list] = {}
        for first in range(0, len(ids), 500):
            for bar in db.session.scalars(select(ExamBar).where(
                    ExamBar.person_id.in_(ids[first:first + 500]),
                    and_(ExamBar.starts_on <= self.exam_date, ExamBar.ends_on > self.exam_date))):
                found.setdefault(bar.person_id, []).append(bar)
        return found

    def _load_requirements(self, ids: list[int]) -> dict[int, list]:
        calculator = Calculator(local_tz(), RuleBook(self.rules))
        return calculator.for_people(ids, self.exam_date.year) if ids else {}

    def _rule(self, key: str) -> RuleAnswer | None:
        try:
            return self.rules.at(key, self.exam_date, self.region)
        except RuleMissing:
            return None

    # --- checks ------------------------------------------------------------------------------
    def check(self, person: Person, employment: Employment, *, health_commitment: bool) -> Verdict:
        """Evaluate every condition for ``person`` sitting this session through ``employment``."""
        checks = [self._fits(employment)]
        if not checks[0].ok:
            return Verdict(checks)
        checks.append(Check("health", health_commitment))
        if self.session.post == Post.SPECIAL_OPERATIONS.value:
            checks += self._age(person)
            checks.append(self._education(person, employment))
        checks.append(self._training(employment))
        checks += self._history(person)
        checks.append(self._bar(person))
        checks.append(self._overlap(person))
        return Verdict([c for c in checks if c is not None])

    def _fits(self, employment: Employment) -> Check:
        """The employment is on the job in the post (and operation sub-type) the session examines."""
        session = self.session
        ok = (employment.post.value == session.post
              and (session.operation_subtype is None
                   or employment.operation_subtype == session.operation_subtype)
              and (employment.end_date is None or employment.end_date >= self.exam_date))
        return Check("fits", ok, params={"post": session.post, "subtype": session.operation_subtype or "",
                                         "held_post": employment.post.value,
                                         "held_subtype": employment.operation_subtype or ""})

    def _age(self, person: Person) -> list[Check]:
        age = age_on(person.birth_date, self.exam_date)
        found = []
        minimum = self._rule("special_ops.min_age")
        if minimum is not None:
            found.append(Check("min_age", age >= int(minimum.value), minimum.key, minimum.version,
                               {"age": age, "limit": int(minimum.value)}))
        maximum = self._rule("special_ops.max_age")
        if maximum is not None:
            limit = int(maximum.value["male" if is_male(person.id_number) else "female"])
            # Retirement comes with the birthday of that age, so from then on the candidate is out.
            found.append(Check("max_age", age < limit, maximum.key, maximum.version,
                               {"age": age, "limit": limit}))
        return found

    def _education(self, person: Person, employment: Employment) -> Check | None:
        rule = self._rule("special_ops.education")
        if rule is None:
            return None
        needed = required_education(rule.value, employment.operation_category or "")
        if needed is None:
            return Check("education", True, rule.key, rule.version, {"needed": ""})
        held = person.education
        ok = held is not None and Education(held).rank >= Education(needed).rank
        return Check("education", ok, rule.key, rule.version, {"needed": needed, "held": held or ""})

    def _training(self, employment: Employment) -> Check:
        """Training requirements of the employment: entry training in full, the rest when due."""
        due = [r for r in self._requirements.get(employment.person_id, [])
               if r.employment_id == employment.id and r.kind not in NOT_FOR_EXAMS
               and (r.kind in ENTRY_TRAINING or r.deadline <= self.exam_date)]
        missing = [r for r in due if not r.met]
        if not missing:
            first = due[0].rule if due else None
            return Check("training", True, first.key if first else None, first.version if first else None)
        worst = missing[0]
        return Check("training", False, worst.rule.key, worst.rule.version,
                     {"kind": worst.kind, "required": worst.required, "done": worst.done,
                      "unit": worst.unit})

    def _history(self, person: Person) -> list[Check]:
        """The practical's theory prerequisite, the make-up's earlier failure, the attempt limit."""
        sittings = self._sittings.get(person.id, [])
        found = []
        if self.session.kind is SessionKind.PRACTICAL:
            found.append(self._theory_pass(sittings))
        if self.session.kind is SessionKind.MAKEUP:
            found.append(self._makeup(sittings))
        found.append(self._attempts(sittings))
        return [c for c in found if c is not None]

    def _same_exam(self, session: ExamSession, part: str) -> bool:
        return (session.part == part and session.post == self.session.post
                and session.operation_subtype == self.session.operation_subtype)

    def _results(self, sittings, part: str) -> list[Registration]:
        """Graded, uncancelled results of the same exam part, oldest first."""
        graded = [reg for reg, s in sittings if self._same_exam(s, part) and reg.passed is not None
                  and not reg.score_cancelled and reg.result_on is not None]
        return sorted(graded, key=lambda r: r.result_on)

    def _theory_pass(self, sittings) -> Check:
        rule = self._rule("special_ops.exam.score_valid_months")
        months = int(rule.value) if rule else 0
        passes = [r for r in self._results(sittings, "theory") if r.passed]
        valid = [r for r in passes if self.exam_date < add_months(r.result_on, months)]
        params = {"months": months}
        if passes:
            params["passed_on"] = passes[-1].result_on.isoformat()
        return Check("theory_pass", bool(valid), getattr(rule, "key", None), getattr(rule, "version", None),
                     params)

    def _makeup(self, sittings) -> Check:
        """A make-up session is for candidates whose latest theory result is a fail."""
        results = self._results(sittings, "theory")
        return Check("makeup", bool(results) and not results[-1].passed)

    def _attempts(self, sittings) -> Check | None:
        """Sittings since the last pass (and pending ones) against the limit in force on the exam date."""
        part = self.session.part
        rule = self._rule(f"special_ops.exam.{part}_attempts") \
            if self.session.post == Post.SPECIAL_OPERATIONS.value else None
        if rule is None or rule.value == "unlimited":
            return None
        results = self._results(sittings, part)
        if part == "practical":
            # A new theory pass starts the practical count again (after the limit, the candidate
            # sits the theory exam again).
            theory = [r for r in self._results(sittings, "theory") if r.passed]
            since = theory[-1].result_on if theory else None
        else:
            passes = [r for r in results if r.passed]
            since = passes[-1].result_on if passes else None
        failed = [r for r in results if not r.passed and (since is None or r.result_on >= since)]
        pending = [reg for reg, s in sittings if self._same_exam(s, part) and reg.passed is None
                   and s.status not in (SessionStatus.RESULTS_RELEASED,)]
        used = len(failed) + len(pending)
        limit = int(rule.value)
        return Check("attempts", used < limit, rule.key, rule.version,
                     {"used": used, "limit": limit, "failed": len(failed), "pending": len(pending)})

    def _bar(self, person: Person) -> Check:
        bars = self._bars.get(person.id, [])
        if not bars:
            return Check("bar", True)
        bar = bars[0]
        return Check("bar", False, "special_ops.reapply_ban_years_after_fraud", bar.rule_version,
                     {"until": bar.ends_on.isoformat(), "reason": bar.reason.value})

    def _overlap(self, person: Person) -> Check:
        mine = self.session
        clash = [s for _reg, s in self._sittings.get(person.id, [])
                 if s.starts_at < mine.ends_at and mine.starts_at < s.ends_at]
        if not clash:
            return Check("overlap", True)
        return Check("overlap", False, params={"session": clash[0].code})


def required_education(value: dict, category: str) -> str | None:
    """Education the rule asks of an operation category, or None where the rule asks none."""
    if category in {str(c) for c in value.get("none_required_for", [])}:
        return None
    for word, code in EDUCATION_RULE_CATEGORIES.items():
        if code == category and word in value:
            return value[word]
    return value.get("default")

