"""The attempt's life: start, autosave, submit and grade, deadlines, and the invigilator's actions.

Every change checks and changes in one statement: a save is one INSERT ... ON CONFLICT DO UPDATE that
also requires the attempt to be in progress before its deadline and the item to be on its paper,
and overwrites only an older sequence number; a submission is one conditional UPDATE, so the
candidate, the deadline worker on any number of machines and the invigilator submit it once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Boolean, Integer, and_, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from exams.attempts.models import AttemptEvent, AttemptStatus, ExamAnswer, ExamAttempt, SittingKind
from exams.attempts.results import announce_pass
from exams.centres.models import Attendance, Registration, SessionStatus
from exams.grading import score_answer
from exams.models import Paper, PaperItem
from lms.audit import record_event
from lms.clock import local_date, local_tz
from lms.extensions import db
from lms.i18n import _l
from lms.models.base import UTCDateTime
from lms.transitions import AlreadyChanged, change_or_raise


class AttemptRefused(ValueError):
    """The attempt (or a save to it) is refused; ``code`` names why, ``message`` says it."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = message


# --- start ------------------------------------------------------------------------------------

def start_attempt(reg: Registration, now: datetime) -> ExamAttempt:
    """Start (or return the running) attempt of a checked-in candidate in an open session.

    The paper was frozen when registration closed, so starting is a read and one INSERT; the
    deadline is the paper's duration from now, but never past the end of the session.
    """
    session = reg.session
    if session.status is not SessionStatus.OPEN:
        raise AttemptRefused("not_open", _l("The exam has not been opened yet."))
    if not reg.is_active or reg.attendance is not Attendance.PRESENT:
        raise AttemptRefused("not_checked_in", _l("You have not been checked in."))
    existing = attempt_of(reg.id)
    if existing is not None:
        return existing
    if reg.paper_id is None:
        raise AttemptRefused("no_paper", _l("No paper was frozen for this registration."))
    paper = db.session.get(Paper, reg.paper_id)
    deadline = min(now + timedelta(minutes=paper.duration_minutes), session.ends_at)
    attempt = ExamAttempt(kind=SittingKind.CENTRE, registration_id=reg.id, paper_id=reg.paper_id,
                          started_at=now, deadline_at=deadline, status=AttemptStatus.IN_PROGRESS)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # the same candidate pressed start twice at once
        return attempt_of(reg.id)
    record_event("exams.attempt.started", actor=None, target=attempt, organization_id=session.centre_id,
                 ticket=reg.ticket_number, deadline=deadline.isoformat())
    return attempt


def start_online(kind: SittingKind, account_id: int, paper: Paper, deadline: datetime, now: datetime,
                 **owner) -> ExamAttempt:
    """Start an attempt sat online by ``account_id`` (an assessment or a mock) on ``paper``.

    ``owner`` names the sitting (``assignment_id=`` or ``practice_attempt_id=``), whose unique
    column keeps one attempt per sitting: a second start at the same moment returns the first.
    """
    attempt = ExamAttempt(kind=kind, account_id=account_id, paper_id=paper.id, started_at=now,
                          deadline_at=deadline, status=AttemptStatus.IN_PROGRESS, **owner)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        ((column, value),) = owner.items()
        return db.session.scalar(select(ExamAttempt).where(getattr(ExamAttempt, column) == value))
    audit(attempt, "started", None, deadline=deadline.isoformat())
    return attempt


def attempt_of(registration_id: int) -> ExamAttempt | None:
    """The registration's attempt, if started."""
    return db.session.scalar(select(ExamAttempt).where(ExamAttempt.registration_id == registration_id))


# --- autosave ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Saved:
    """What a save achieved: "saved", or "kept" when a newer (or the same) save was already there."""

    outcome: str
    seq: int


def _upsert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def save_answer(attempt_id: int, item_id: int, choice: list[int], flagged: bool, seq: int,
                now: datetime) -> Saved:
    """Store one answer if the attempt takes answers now; idempotent and ordered by ``seq``.

    The caller checked ``choice`` against the item (:func:`check_choice`). Refusals raise
    AttemptRefused with the reason, found by reading only after the write did nothing.
    """
    dialect = db.session.get_bind().dialect.name
    table = ExamAnswer.__table__
    source = (select(ExamAttempt.id, PaperItem.id, literal(choice, table.c.choice.type),
                     literal(bool(flagged), Boolean()), literal(int(seq), Integer()),
                     literal(now, UTCDateTime()))
              .join(PaperItem, PaperItem.paper_id == ExamAttempt.paper_id)
              .where(ExamAttempt.id == attempt_id, PaperItem.id == item_id,
                     ExamAttempt.status == AttemptStatus.IN_PROGRESS, ExamAttempt.deadline_at > now))
    if db.session.execute(answer_upsert(dialect, source)).rowcount == 1:
        return Saved("saved", seq)
    return _why_not_saved(attempt_id, item_id, seq, now)


def answer_upsert(dialect: str, source):
    """INSERT the row ``source`` selects (attempt, item, choice, flagged, seq, saved_at) or, for
    an answer already there, UPDATE it only when the new sequence number is higher."""
    table = ExamAnswer.__table__
    insert = _upsert(dialect)(table).from_select(
        ["attempt_id", "paper_item_id", "choice", "flagged", "seq", "saved_at"], source)
    statement = insert.on_conflict_do_update(
        index_elements=["attempt_id", "paper_item_id"],
        set_={"choice": insert.excluded.choice, "flagged": insert.excluded.flagged,
              "seq": insert.excluded.seq, "saved_at": insert.excluded.saved_at},
        where=table.c.seq < insert.excluded.seq)
    # rowcount of an INSERT is kept only when asked for (it is for UPDATE and DELETE anyway).
    return statement.execution_options(preserve_rowcount=True)


def _why_not_saved(attempt_id: int, item_id: int, seq: int, now: datetime) -> Saved:
    """Explain a save that wrote nothing: a newer save is there (fine), or the attempt refuses."""
    stored = db.session.scalar(select(ExamAnswer.seq).where(ExamAnswer.attempt_id == attempt_id,
                                                            ExamAnswer.paper_item_id == item_id))
    attempt = db.session.get(ExamAttempt, attempt_id)
    if attempt is None:
        raise AttemptRefused("no_attempt", _l("There is no such attempt."))
    if attempt.status is AttemptStatus.PAUSED:
        raise AttemptRefused("paused", _l("The invigilator has paused your exam; answers wait until "
                                          "it resumes."))
    if attempt.status is AttemptStatus.TERMINATED:
        raise AttemptRefused("terminated", _l("Your exam was ended by the invigilator."))
    if attempt.status is AttemptStatus.SUBMITTED or attempt.deadline_at <= now:
        raise AttemptRefused("over", _l("The time is up: your exam has been handed in."))
    item = db.session.get(PaperItem, item_id)
    if item is None or item.paper_id != attempt.paper_id:
        raise AttemptRefused("item", _l("This question is not on your paper."))
    if stored is not None and stored >= seq:
        return Saved("kept", stored)
    raise AttemptRefused("unknown", _l("The answer could not be saved; try again."))


def check_choice(item: PaperItem, choice: list) -> list[int]:
    """The choice as sorted option positions of ``item``, or AttemptRefused for a bad one."""
    try:
        picked = sorted({int(c) for c in choice})
    except (TypeError, ValueError):
        raise AttemptRefused("option", _l("That option does not exist.")) from None
    count = len(item.option_order) if item.option_order else 2
    if any(c < 0 or c >= count for c in picked):
        raise AttemptRefused("option", _l("That option does not exist."))
    if item.qtype != "multiple" and len(picked) > 1:
        raise AttemptRefused("option", _l("Choose one option for this question."))
    return picked


# --- submission and grading -------------------------------------------------------------------

def submit(attempt: ExamAttempt, now: datetime, *, by: str, actor=None) -> ExamAttempt:
    """Hand the attempt in once (candidate, or the server at the deadline) and grade it."""
    conditions = [ExamAttempt.status == AttemptStatus.IN_PROGRESS]
    if by == "deadline":
        conditions.append(ExamAttempt.deadline_at <= now)
    change_or_raise(attempt, *conditions, status=AttemptStatus.SUBMITTED, submitted_at=now,
                    submitted_by=by)
    db.session.refresh(attempt)
    grade(attempt, now)
    audit(attempt, "submitted", actor, by=by, points=attempt.points, passed=attempt.passed)
    return attempt


def grade(attempt: ExamAttempt, now: datetime) -> None:
    """Objective scoring of every item (partial credit where the paper says so); the result is
    written to the attempt and handed to the sitting's result writer (the registration, the
    assessment assignment, the mock round), where the rest of the system reads it."""
    paper = attempt.paper
    answers = {a.paper_item_id: a.choice for a in db.session.scalars(
        select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id))}
    earned = 0.0
    for item in paper.items:
        _right, points = score_answer(item.qtype, item.key, answers.get(item.id, []), item.points,
                                      paper.partial_credit)
        earned += points
    attempt.points = round(earned, 2)
    attempt.passed = earned >= paper.pass_mark
    RESULT_WRITERS[attempt.kind](attempt, now)


def percent_of(attempt: ExamAttempt) -> float:
    """The attempt's points on the 100-point scale results are kept in."""
    total = attempt.paper.total_points
    return round(attempt.points * 100 / total, 1) if total else 0.0


def _write_registration_result(attempt: ExamAttempt, now: datetime) -> None:
    """An exam-centre result goes to the registration, where limits and prerequisites read it."""
    reg = attempt.registration
    reg.score = percent_of(attempt)
    reg.passed = attempt.passed
    reg.result_on = local_date(now, local_tz())
    db.session.flush()
    announce_pass(attempt)


#: Where each kind of sitting keeps its result; the assessment and mock packages add theirs.
RESULT_WRITERS: dict[SittingKind, Callable[[ExamAttempt, datetime], None]] = {
    SittingKind.CENTRE: _write_registration_result,
}


def submit_due(now: datetime) -> int:
    """Submit every attempt past its deadline; safe with many workers (each is submitted once)."""
    done = 0
    due = list(db.session.scalars(select(ExamAttempt.id).where(
        ExamAttempt.status == AttemptStatus.IN_PROGRESS, ExamAttempt.deadline_at <= now)
        .order_by(ExamAttempt.deadline_at).limit(500)))
    for attempt_id in due:
        attempt = db.session.get(ExamAttempt, attempt_id)
        try:
            submit(attempt, now, by="deadline")
        except AlreadyChanged:
            db.session.rollback()
            continue
        db.session.commit()
        done += 1
    return done


# --- the invigilator's actions ----------------------------------------------------------------

def extend(attempt: ExamAttempt, minutes: int, actor, now: datetime, reason: str) -> None:
    """Give extra time (a running or paused attempt)."""
    db.session.refresh(attempt)
    seconds = int(minutes) * 60
    # The new deadline is computed here (date arithmetic in SQL differs between databases); the
    # UPDATE applies only while the deadline is still the one read, so a concurrent change wins
    # cleanly. A running attempt past its deadline is the worker's to submit, not to extend.
    change_or_raise(attempt, ExamAttempt.deadline_at == attempt.deadline_at,
                    or_(ExamAttempt.status == AttemptStatus.PAUSED,
                        and_(ExamAttempt.status == AttemptStatus.IN_PROGRESS, ExamAttempt.deadline_at > now)),
                    deadline_at=attempt.deadline_at + timedelta(seconds=seconds),
                    extra_seconds=ExamAttempt.extra_seconds + seconds)
    _event(attempt, "extended", actor, now, reason, minutes=minutes)


def pause(attempt: ExamAttempt, actor, now: datetime, reason: str = "") -> None:
    """Stop the clock: no answers are taken until it resumes."""
    change_or_raise(attempt, ExamAttempt.status == AttemptStatus.IN_PROGRESS, ExamAttempt.deadline_at > now,
                    status=AttemptStatus.PAUSED, paused_at=now)
    _event(attempt, "paused", actor, now, reason)


def resume(attempt: ExamAttempt, actor, now: datetime) -> None:
    """Restart the clock; the pause is added to the deadline."""
    db.session.refresh(attempt)
    if attempt.status is not AttemptStatus.PAUSED or attempt.paused_at is None:
        raise AlreadyChanged("not paused")
    stopped = int((now - attempt.paused_at).total_seconds())
    change_or_raise(attempt, ExamAttempt.status == AttemptStatus.PAUSED,
                    ExamAttempt.paused_at == attempt.paused_at,
                    status=AttemptStatus.IN_PROGRESS, paused_at=None,
                    deadline_at=attempt.deadline_at + timedelta(seconds=stopped),
                    paused_seconds=ExamAttempt.paused_seconds + stopped)
    _event(attempt, "resumed", actor, now, "", seconds=stopped)


def terminate(attempt: ExamAttempt, actor, now: datetime, reason: str) -> None:
    """End the attempt for misconduct; that session's score is cancelled (暂行办法 第21条)."""
    change_or_raise(attempt, ExamAttempt.status.in_([AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED]),
                    status=AttemptStatus.TERMINATED, submitted_at=now, submitted_by="invigilator",
                    terminated_reason=reason, points=None, passed=False)
    reg = attempt.registration
    reg.score, reg.passed, reg.score_cancelled = None, False, True
    reg.result_on = local_date(now, local_tz())
    _event(attempt, "terminated", actor, now, reason)


def allow_move(attempt: ExamAttempt, actor, now: datetime) -> None:
    """Let the candidate sign in at another seat and carry on."""
    change_or_raise(attempt, ExamAttempt.status.in_([AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED]),
                    ExamAttempt.move_allowed.is_(False), move_allowed=True)
    _event(attempt, "move_allowed", actor, now, "")


def _event(attempt: ExamAttempt, kind: str, actor, now: datetime, reason: str, **data) -> None:
    db.session.add(AttemptEvent(attempt_id=attempt.id, kind=kind, detail=reason, at=now,
                                actor_id=getattr(actor, "id", None), data=data))
    audit(attempt, kind, actor, reason=reason, **data)


#: Who an online attempt's audit record names and which organisation it is filed under, by kind.
ONLINE_AUDIT: dict[SittingKind, Callable[[ExamAttempt], tuple[int | None, dict]]] = {}


def audit(attempt: ExamAttempt, what: str, actor, **data) -> None:
    """Record an attempt's state change: by ticket under the exam centre for a seat, by sitting
    (``exams.sitting.*``) under the enterprise for an online attempt."""
    if attempt.kind is SittingKind.CENTRE:
        reg = attempt.registration
        record_event(f"exams.attempt.{what}", actor=actor, target=attempt,
                     organization_id=reg.session.centre_id, ticket=reg.ticket_number, **data)
        return
    organization_id, names = ONLINE_AUDIT[attempt.kind](attempt)
    record_event(f"exams.sitting.{what}", actor=actor, target=attempt, organization_id=organization_id,
                 **names, **data)


def note_page_event(attempt: ExamAttempt, kind: str, now: datetime) -> None:
    """A focus loss or reconnect reported by the candidate's page, shown on the console."""
    db.session.add(AttemptEvent(attempt_id=attempt.id, kind=kind, at=now, data={}))


def seconds_left(attempt: ExamAttempt, now: datetime) -> int:
    """Time left on the server's clock (frozen while paused)."""
    if attempt.status is AttemptStatus.PAUSED and attempt.paused_at is not None:
        return max(0, int((attempt.deadline_at - attempt.paused_at).total_seconds()))
    if attempt.status is not AttemptStatus.IN_PROGRESS:
        return 0
    return max(0, int((attempt.deadline_at - now).total_seconds()))

