"""Results after grading: the release deadline, who sees a result when, the per-type breakdown and
verification digest of the score report, and the pass announcement for certificates.

A result reaches the candidate and their enterprise only once the session's results are released
(SessionStatus.RESULTS_RELEASED); the centre's staff see it as soon as it is graded.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from exams.attempts.models import AttemptStatus, ExamAnswer, ExamAttempt
from exams.attempts.signals import exam_passed
from exams.centres.access import manages_session, registrations_clause
from exams.centres.models import (
    Attendance,
    ExamSession,
    Registration,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
)
from exams.grading import score_answer
from exams.models import QuestionType
from exams.permissions import CHECK_IN, REGISTER
from lms.authz import has_permission
from lms.clock import local_date, local_tz
from lms.extensions import db
from lms.i18n import _l
from lms.models import Account
from lms.rules import rule_at

#: Rule giving the working days after the exam within which results are published (令30号 第15条).
RELEASE_RULE = "exam.results_publish_working_days"
#: Exams with no practical part: a pass of the theory paper is the whole result.
THEORY_ONLY = (SessionKind.PRINCIPAL, SessionKind.SAFETY_MANAGER)
#: Rule of the practical's pass mark (the same as the theory's: 暂行办法 第9条); a practical session
#: has no paper to carry one.
PRACTICAL_PASS_MARK_RULE = "special_ops.exam.pass_mark"
#: Registration.score is on a 100-point scale, whatever the paper's own total.
FULL_SCALE = 100.0
#: Attempt states in which the candidate may still be answering.
UNFINISHED = (AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED)

STATE_LABELS = {
    "withdrawn": _l("Withdrawn"),
    "session_cancelled": _l("Session cancelled"),
    "registered": _l("Registered"),
    "checked_in": _l("Checked in"),
    "absent": _l("Absent"),
    "in_progress": _l("Exam in progress"),
    "handed_in": _l("Handed in"),
    "pending_release": _l("Result pending release"),
    "passed": _l("Passed"),
    "failed": _l("Failed"),
    "cancelled": _l("Score cancelled"),
}
#: States whose result (points, pass mark, score report) is shown.
RESULT_STATES = ("passed", "failed", "cancelled")
TYPE_ORDER = [t.value for t in QuestionType]


# --- release ----------------------------------------------------------------------------------

def exam_day(session: ExamSession) -> date:
    """The local date the session's exam takes place."""
    return local_date(session.starts_at, local_tz())


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start``; working days are Monday to Friday.

    Public holidays and the weekends worked in their place (调休) are not modelled: the deadline
    may fall on a holiday, which only makes it stricter.
    """
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def release_deadline(session: ExamSession) -> date:
    """The last day to release the session's results: the exam date plus the rule's working days."""
    on = exam_day(session)
    days = rule_at(RELEASE_RULE, on, session.centre.region).value
    return add_working_days(on, int(days))


def unfinished_attempts(session: ExamSession) -> int:
    """Attempts of the session still in progress or paused; results wait until there are none."""
    return db.session.scalar(
        select(func.count()).select_from(ExamAttempt)
        .join(Registration, Registration.id == ExamAttempt.registration_id)
        .where(Registration.session_id == session.id, ExamAttempt.status.in_(UNFINISHED)))


def released(session: ExamSession) -> bool:
    """True once the session's results are released to candidates and enterprises."""
    return session.status is SessionStatus.RESULTS_RELEASED


# --- who sees what ----------------------------------------------------------------------------

def is_centre_staff(account: Account, session: ExamSession) -> bool:
    """The account works at the session's centre (registers or checks candidates in there)."""
    return manages_session(account, session, REGISTER) or manages_session(account, session, CHECK_IN)


def enterprise_sees(account: Account, reg: Registration) -> bool:
    """The account registers candidates for the registration's enterprise."""
    if not has_permission(account, REGISTER):
        return False
    return db.session.scalar(select(Registration.id).where(
        Registration.id == reg.id, registrations_clause(account, reg.session))) is not None


def has_result(reg: Registration) -> bool:
    """The registration was graded (or its score cancelled)."""
    return reg.score_cancelled or reg.passed is not None


def may_read_report(account: Account, reg: Registration) -> bool:
    """The candidate and their enterprise after release, the centre's staff at once; no one before
    there is a result."""
    if not reg.is_active or not has_result(reg):
        return False
    if is_centre_staff(account, reg.session):
        return True
    if not released(reg.session):
        return False
    if account.person_id is not None and account.person_id == reg.person_id:
        return True
    return enterprise_sees(account, reg)


def result_state(reg: Registration, attempt: ExamAttempt | None, *, visible: bool) -> str:
    """Where the candidate stands, as a key of STATE_LABELS; the result only when ``visible``."""
    session = reg.session
    if not reg.is_active:
        return "withdrawn"
    if session.status is SessionStatus.CANCELLED:
        return "session_cancelled"
    if has_result(reg):
        if visible:
            return "cancelled" if reg.score_cancelled else ("passed" if reg.passed else "failed")
        return "pending_release" if session.status is SessionStatus.CLOSED else "handed_in"
    if attempt is not None:
        return "in_progress" if attempt.status in UNFINISHED else "handed_in"
    if reg.attendance is Attendance.ABSENT:
        return "absent"
    return "checked_in" if reg.attendance is Attendance.PRESENT else "registered"


@dataclass(frozen=True)
class ResultRow:
    """One registration as a results page shows it."""

    registration: Registration
    attempt: ExamAttempt | None
    state: str
    visible: bool

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def shows_result(self) -> bool:
        """Points, pass mark and the score report are shown."""
        return self.state in RESULT_STATES

    @property
    def points(self) -> float | None:
        if not self.shows_result or self.registration.score_cancelled:
            return None
        if self.attempt is not None:
            return self.attempt.points
        return self.registration.score

    @property
    def total(self) -> float | None:
        return total_of(self.registration)

    @property
    def pass_mark(self) -> float | None:
        return pass_mark_of(self.registration)


def total_of(reg: Registration) -> float:
    """The most points of the registration's exam: its paper's, else the 100-point scale of
    Registration.score (a practical session has no paper)."""
    paper = reg.paper
    return paper.total_points if paper is not None else FULL_SCALE


def pass_mark_of(reg: Registration) -> float | None:
    """The pass mark the result was judged against: the frozen paper's, else (a practical session)
    the rule in force on the exam day."""
    paper = reg.paper
    if paper is not None:
        return paper.pass_mark
    session = reg.session
    if session.kind is not SessionKind.PRACTICAL:
        return None
    return float(rule_at(PRACTICAL_PASS_MARK_RULE, exam_day(session), session.centre.region).value)


def _attempts_by_registration(reg_ids: list[int]) -> dict[int, ExamAttempt]:
    if not reg_ids:
        return {}
    return {a.registration_id: a for a in db.session.scalars(
        select(ExamAttempt).where(ExamAttempt.registration_id.in_(reg_ids)))}


def _rows(registrations: list[Registration], visible) -> list[ResultRow]:
    attempts = _attempts_by_registration([r.id for r in registrations])
    rows = []
    for reg in registrations:
        seen = visible(reg)
        attempt = attempts.get(reg.id)
        rows.append(ResultRow(reg, attempt, result_state(reg, attempt, visible=seen), seen))
    return rows


def candidate_rows(person_id: int) -> list[ResultRow]:
    """The person's registrations, latest exam first; results only of released sessions."""
    regs = list(db.session.scalars(
        select(Registration).join(ExamSession, ExamSession.id == Registration.session_id)
        .where(Registration.person_id == person_id)
        .options(joinedload(Registration.session).joinedload(ExamSession.centre),
                 joinedload(Registration.paper))
        .order_by(ExamSession.starts_at.desc(), Registration.id.desc())))
    return _rows(regs, lambda reg: released(reg.session))


def session_rows(session: ExamSession, account: Account) -> list[ResultRow]:
    """The session's active registrations the account may see; results at once for centre staff,
    after release for enterprises."""
    staff = is_centre_staff(account, session)
    regs = list(db.session.scalars(
        select(Registration).where(registrations_clause(account, session),
                                   Registration.status == RegistrationStatus.ACTIVE)
        .options(joinedload(Registration.person), joinedload(Registration.organization),
                 joinedload(Registration.paper))
        .order_by(Registration.organization_id, Registration.ticket_number)))
    return _rows(regs, lambda _reg: staff or released(session))


def tally(rows: list[ResultRow]) -> dict[str, int]:
    """Rows per state."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return counts


# --- the score report's facts -----------------------------------------------------------------

@dataclass(frozen=True)
class TypeScore:
    """Right answers and points of one question type on the paper."""

    qtype: str
    right: int
    count: int
    points: float
    max_points: float


def breakdown(attempt: ExamAttempt) -> list[TypeScore]:
    """Per question type: items answered right out of the items on the paper, and points."""
    paper = attempt.paper
    answers = {a.paper_item_id: a.choice for a in db.session.scalars(
        select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id))}
    found: dict[str, list] = {}
    for item in paper.items:
        right, points = score_answer(item.qtype, item.key, answers.get(item.id, []), item.points,
                                     paper.partial_credit)
        entry = found.setdefault(item.qtype, [0, 0, 0.0, 0.0])
        entry[0] += int(right)
        entry[1] += 1
        entry[2] += points
        entry[3] += item.points
    ordered = sorted(found, key=lambda t: TYPE_ORDER.index(t) if t in TYPE_ORDER else len(TYPE_ORDER))
    return [TypeScore(t, found[t][0], found[t][1], round(found[t][2], 2), round(found[t][3], 2))
            for t in ordered]


def outcome(reg: Registration) -> str:
    """"passed", "failed" or "cancelled"."""
    if reg.score_cancelled:
        return "cancelled"
    return "passed" if reg.passed else "failed"


def result_facts(reg: Registration, attempt: ExamAttempt | None, types: list[TypeScore]) -> dict:
    """What the score report states, in a language-neutral form; its digest verifies a printout."""
    paper = reg.paper
    return {
        "ticket": reg.ticket_number,
        "name": reg.person.name,
        "id": reg.person.masked_id,
        "session": reg.session.code,
        "exam_date": exam_day(reg.session).isoformat(),
        "paper": paper.id if paper is not None else None,
        "points": None if reg.score_cancelled else (attempt.points if attempt is not None else reg.score),
        "total": total_of(reg) if paper is not None or reg.session.kind is SessionKind.PRACTICAL else None,
        "pass_mark": pass_mark_of(reg),
        "outcome": outcome(reg),
        "result_on": reg.result_on.isoformat() if reg.result_on else None,
        "by_type": {t.qtype: [t.right, t.count, t.points] for t in types},
    }


def digest(facts: dict) -> str:
    """SHA-256 of the facts in canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the pass announcement --------------------------------------------------------------------

def announce_pass(attempt: ExamAttempt) -> bool:
    """Send ``exam_passed`` when the graded attempt completes a pass; True when sent.

    Called once at the end of grading (which runs once per submission). Only exams without a
    practical part are complete here. A special-operations theory pass is never announced on its
    own: the pass is announced when the examiner signs off a passing practical sheet
    (exams.practical.services.announce_practical_pass), with the points of the candidate's latest
    theory pass still valid on the practical's exam day as ``theory_points`` and the sheet's total
    as ``practical_points``.
    """
    reg = attempt.registration
    if attempt.status is not AttemptStatus.SUBMITTED or not attempt.passed or reg.score_cancelled:
        return False
    session = reg.session
    if session.kind not in THEORY_ONLY:
        return False
    exam_passed.send(attempt, person_id=reg.person_id, employment_id=reg.employment_id,
                     exam_kind=session.kind.value, operation_subtype=session.operation_subtype,
                     theory_points=reg.score, practical_points=None, passed_on=reg.result_on)
    return True


def release_blocker(session) -> str | None:
    """Why the session's results cannot be released yet: attempts still running or paused."""
    waiting = unfinished_attempts(session)
    if not waiting:
        return None
    return str(_l("%(n)d attempt(s) are still in progress or paused; release the results once they "
                  "are handed in.", n=waiting))
