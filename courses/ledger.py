"""The study-time ledger: heartbeats extend one open record per person, on the server's clock.

A beat credits the wall-clock time since the previous credited instant, and only when it arrives
within the allowed gap; a beat for another lesson closes the open record first. Forged beats
(future client time, another person's enrolment, a lesson outside the enrolment) credit nothing
and are audited.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from courses.models import Course, CourseStatus, Enrollment, Lesson, StudyRecord
from lms.audit import record_event
from lms.clock import local_date, local_midnight, local_tz, period_bounds
from lms.extensions import db
from lms.models import Account


@dataclass(frozen=True)
class Beat:
    """One heartbeat as received; ``client_time`` is only checked, never used for crediting."""

    person_id: int
    enrollment_id: int
    lesson_id: int
    now: datetime
    client_time: datetime | None = None
    stop: bool = False
    #: Address the beat came from, kept in the audit event if the beat is refused.
    source_ip: str | None = None
    #: When the study ticket that vouched for the beat was signed (None: a signed-in session).
    ticket_issued_at: datetime | None = None


@dataclass(frozen=True)
class Policy:
    """Limits that decide what a beat may credit."""

    max_gap: timedelta
    clock_skew: timedelta
    tz: ZoneInfo


def current_policy() -> Policy:
    """The limits configured for the current app."""
    config = current_app.config
    return Policy(max_gap=timedelta(seconds=config["COURSES_MAX_GAP_SECONDS"]),
                  clock_skew=timedelta(seconds=config["COURSES_CLOCK_SKEW_SECONDS"]), tz=local_tz())


@dataclass(frozen=True)
class BeatResult:
    """What a beat did: seconds credited, or why it was refused."""

    credited: int = 0
    refused: str | None = None


def record_beats(beats: Sequence[tuple[Beat, object]], policy: Policy) -> list[BeatResult]:
    """Apply (beat, actor) pairs in order in one transaction and commit it, then their audit events.

    One commit for many beats is what lets a durable (fsynced) database keep up with them.
    """
    with db.engine.begin() as conn:
        results = [heartbeat(beat, policy, actor=actor, conn=conn) for beat, actor in beats]
    session = db.session()
    if session.in_transaction():
        session.commit()
    return results


def heartbeat(beat: Beat, policy: Policy, *, actor=None, conn: Connection | None = None) -> BeatResult:
    """Apply one heartbeat to the ledger; the caller commits.

    The ledger rows are written on ``conn`` (default: the ORM session's connection); audit events
    of refused beats always go through the session.
    """
    conn = conn if conn is not None else db.session.connection()
    reason, course_id, open_row = _check(conn, beat, policy)
    if reason:
        record_event("courses.heartbeat_refused", actor=actor, ip=beat.source_ip, reason=reason,
                     person_id=beat.person_id, enrollment_id=beat.enrollment_id,
                     lesson_id=beat.lesson_id,
                     client_time=beat.client_time.isoformat() if beat.client_time else None)
        return BeatResult(refused=reason)
    credited, still_open = 0, False
    if open_row is not None and open_row.lesson_id == beat.lesson_id:
        credited, still_open = _extend(conn, beat, policy, open_row, course_id)
    elif open_row is not None:
        _switch_lesson(conn, beat, policy, open_row, actor)
    if beat.stop and still_open:
        _close_open(conn, beat.person_id)
    elif not beat.stop and not still_open:
        _open(conn, beat.person_id, beat.lesson_id, course_id, beat.now)
    return BeatResult(credited=credited)


@dataclass(frozen=True)
class _OpenRow:
    id: int
    lesson_id: int
    ended_at: datetime


@cache
def _beat_context():
    """The statement _check runs, built once: constructing it cost more than running it."""
    return (select(Enrollment.person_id, Enrollment.course_id, Course.status,
                   Lesson.course_id.label("lesson_course_id"), StudyRecord.id.label("open_id"),
                   StudyRecord.lesson_id.label("open_lesson_id"),
                   StudyRecord.ended_at.label("open_ended_at"), Account.signed_out_at)
            .join(Course, Course.id == Enrollment.course_id)
            .join(Lesson, Lesson.id == bindparam("lesson_id"))
            .outerjoin(StudyRecord, StudyRecord.open_person_id == bindparam("person_id"))
            .outerjoin(Account, Account.person_id == Enrollment.person_id)
            .where(Enrollment.id == bindparam("enrollment_id")))


def _check(conn: Connection, beat: Beat, policy: Policy) -> tuple[str | None, int | None, _OpenRow | None]:
    """Why the beat is forged (or None), the lesson's course and the person's open record.

    One statement reads the enrolment, the lesson and the open record: a beat is the hottest
    request of the application, so it pays to save a round trip.
    """
    if beat.client_time is not None and beat.client_time > beat.now + policy.clock_skew:
        return "future_time", None, None
    # A plain column select needs no ORM layer.
    params = {"enrollment_id": beat.enrollment_id, "lesson_id": beat.lesson_id,
              "person_id": beat.person_id}
    row = conn.execute(_beat_context(), params).first()
    if row is None:
        return "unknown_lesson", None, None
    if row.person_id != beat.person_id:
        return "other_person", None, None
    if row.lesson_course_id != row.course_id or row.status != CourseStatus.PUBLISHED:
        return "lesson_not_assigned", None, None
    if (beat.ticket_issued_at is not None and row.signed_out_at is not None
            and beat.ticket_issued_at < row.signed_out_at):
        # The learner signed out after this page was opened: a tab left open on a shared
        # computer must not go on crediting them while someone else uses it.
        return "signed_out", None, None
    open_row = None if row.open_id is None else _OpenRow(row.open_id, row.open_lesson_id,
                                                          row.open_ended_at)
    return None, row.course_id, open_row


def _switch_lesson(conn: Connection, beat: Beat, policy: Policy, open_row, actor) -> None:
    """Close the open record of another lesson; a live one means two lessons at once."""
    if beat.now - open_row.ended_at <= policy.max_gap and not beat.stop:
        record_event("courses.heartbeat_refused", actor=actor, ip=beat.source_ip,
                     reason="overlapping_lessons",
                     person_id=beat.person_id, enrollment_id=beat.enrollment_id, lesson_id=beat.lesson_id,
                     open_lesson_id=open_row.lesson_id)
    _close_open(conn, beat.person_id)


def _extend(conn: Connection, beat: Beat, policy: Policy, open_row,
            course_id: int) -> tuple[int, bool]:
    """Credit the time since the last credited instant; return (seconds, record still open).

    A gap longer than allowed closes the record: the clock had stopped in between.
    """
    elapsed = beat.now - open_row.ended_at
    if elapsed > policy.max_gap:
        _close_open(conn, beat.person_id)
        return 0, False
    seconds = int(min(elapsed, policy.max_gap).total_seconds())
    if seconds <= 0:
        return 0, True
    # The credited end advances by whole seconds, so fractions carry over to the next beat.
    new_end = open_row.ended_at + timedelta(seconds=seconds)
    boundary = local_midnight(local_date(new_end, policy.tz), policy.tz)
    if boundary > open_row.ended_at:
        return _split_at_midnight(conn, beat, open_row, boundary, new_end, course_id), True
    changed = conn.execute(_write(conn, "extend"), dict(
        record_id=open_row.id, seen_end=open_row.ended_at, add=seconds, new_end=new_end,
        still_open=beat.person_id)).rowcount
    # Zero rows: a concurrent beat credited this stretch already.
    return (seconds if changed else 0), True


def _split_at_midnight(conn: Connection, beat: Beat, open_row, boundary: datetime,
                       new_end: datetime, course_id: int) -> int:
    """Credit up to local midnight on the old record and the rest on a new one."""
    before = int((boundary - open_row.ended_at).total_seconds())
    changed = conn.execute(_write(conn, "extend"), dict(
        record_id=open_row.id, seen_end=open_row.ended_at, add=before, new_end=boundary,
        still_open=None)).rowcount
    if not changed:
        return 0
    after = int((new_end - boundary).total_seconds())
    opened = conn.execute(_write(conn, "open"), dict(
        person=beat.person_id, lesson=beat.lesson_id, course=course_id, start=boundary,
        end=new_end, credited=after)).rowcount
    return before + (after if opened else 0)


def _open(conn: Connection, person_id: int, lesson_id: int, course_id: int, now: datetime) -> None:
    # Nothing happens if another beat of the person (a second tab) opened a record meanwhile.
    conn.execute(_write(conn, "open"), dict(person=person_id, lesson=lesson_id, course=course_id,
                                            start=now, end=now, credited=0))


def _close_open(conn: Connection, person_id: int) -> None:
    """Close the person's open record, if any (nothing more is credited)."""
    conn.execute(_write(conn, "close"), {"person": person_id})


def _write(conn: Connection, name: str):
    return _write_statements(conn.dialect.name)[name]


#: INSERT constructs that can skip a row violating a unique index (one open record per person).
_INSERT_OR_SKIP = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


@cache
def _write_statements(dialect: str) -> dict:
    """The ledger's writes as Core statements built once: beats are the hottest requests, and
    building or running ORM-enabled UPDATEs costs several times what SQLite needs to run them."""
    t = StudyRecord.__table__
    when = t.c.ended_at.type
    open_record = _INSERT_OR_SKIP[dialect](t).on_conflict_do_nothing()
    return {
        "extend": update(t)
        .where(t.c.id == bindparam("record_id"), t.c.ended_at == bindparam("seen_end", type_=when))
        .values(seconds=t.c.seconds + bindparam("add"), ended_at=bindparam("new_end", type_=when),
                open_person_id=bindparam("still_open")),
        "open": open_record.values(
            person_id=bindparam("person"), lesson_id=bindparam("lesson"),
            course_id=bindparam("course"), started_at=bindparam("start", type_=when),
            ended_at=bindparam("end", type_=when), seconds=bindparam("credited"),
            open_person_id=bindparam("person")),
        "close": update(t).where(t.c.open_person_id == bindparam("person"))
        .values(open_person_id=None),
    }


def seconds_by_person(person_ids, start, end, tz: ZoneInfo) -> dict[int, int]:
    """Credited seconds per person for study started on local dates ``start`` .. ``end``."""
    lo, hi = period_bounds(start, end, tz)
    rows = db.session.execute(
        select(StudyRecord.person_id, func.sum(StudyRecord.seconds))
        .where(StudyRecord.person_id.in_(list(person_ids)), StudyRecord.started_at >= lo,
               StudyRecord.started_at < hi)
        .group_by(StudyRecord.person_id)).all()
    return {pid: int(total or 0) for pid, total in rows}


def seconds_by_lesson(person_id: int, course_id: int) -> dict[int, int]:
    """Credited seconds per lesson of one course for one person."""
    rows = db.session.execute(
        select(StudyRecord.lesson_id, func.sum(StudyRecord.seconds))
        .where(StudyRecord.person_id == person_id, StudyRecord.course_id == course_id)
        .group_by(StudyRecord.lesson_id)).all()
    return {lid: int(total or 0) for lid, total in rows}
