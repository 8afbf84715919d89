"""The study-time ledger: heartbeats extend one open record per person, on the server's clock.

A beat credits the wall-clock time since the previous credited instant, and only when it arrives
within the allowed gap; a beat for another lesson closes the open record first. Forged beats
(future client time, another person's enrolment, a lesson outside the enrolment) credit nothing
and are audited.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, insert, select, update

from courses.clock import local_date, local_midnight, period_bounds
from courses.models import Course, CourseStatus, Enrollment, Lesson, StudyRecord
from lms.audit import record_event
from lms.extensions import db


@dataclass(frozen=True)
class Beat:
    """One heartbeat as received; ``client_time`` is only checked, never used for crediting."""

    person_id: int
    enrollment_id: int
    lesson_id: int
    now: datetime
    client_time: datetime | None = None
    stop: bool = False


@dataclass(frozen=True)
class Policy:
    """Limits that decide what a beat may credit."""

    max_gap: timedelta
    clock_skew: timedelta
    tz: ZoneInfo


@dataclass(frozen=True)
class BeatResult:
    """What a beat did: seconds credited, or why it was refused."""

    credited: int = 0
    refused: str | None = None


def heartbeat(beat: Beat, policy: Policy, *, actor=None) -> BeatResult:
    """Apply one heartbeat to the ledger (flushes; the caller commits)."""
    reason, course_id, open_row = _check(beat, policy)
    if reason:
        record_event("courses.heartbeat_refused", actor=actor, reason=reason,
                     person_id=beat.person_id, enrollment_id=beat.enrollment_id,
                     lesson_id=beat.lesson_id,
                     client_time=beat.client_time.isoformat() if beat.client_time else None)
        return BeatResult(refused=reason)
    credited, still_open = 0, False
    if open_row is not None and open_row.lesson_id == beat.lesson_id:
        credited, still_open = _extend(beat, policy, open_row, course_id)
    elif open_row is not None:
        _switch_lesson(beat, policy, open_row, actor)
    if beat.stop and still_open:
        close_open(beat.person_id)
    elif not beat.stop and not still_open:
        _open(beat.person_id, beat.lesson_id, course_id, beat.now)
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
                   StudyRecord.ended_at.label("open_ended_at"))
            .join(Course, Course.id == Enrollment.course_id)
            .join(Lesson, Lesson.id == bindparam("lesson_id"))
            .outerjoin(StudyRecord, StudyRecord.open_person_id == bindparam("person_id"))
            .where(Enrollment.id == bindparam("enrollment_id")))


def _check(beat: Beat, policy: Policy) -> tuple[str | None, int | None, _OpenRow | None]:
    """Why the beat is forged (or None), the lesson's course and the person's open record.

    One statement reads the enrolment, the lesson and the open record: a beat is the hottest
    request of the application, so it pays to save a round trip.
    """
    if beat.client_time is not None and beat.client_time > beat.now + policy.clock_skew:
        return "future_time", None, None
    # On the session's connection (same transaction): a plain column select needs no ORM layer.
    params = {"enrollment_id": beat.enrollment_id, "lesson_id": beat.lesson_id,
              "person_id": beat.person_id}
    row = db.session.connection().execute(_beat_context(), params).first()
    if row is None:
        return "unknown_lesson", None, None
    if row.person_id != beat.person_id:
        return "other_person", None, None
    if row.lesson_course_id != row.course_id or row.status != CourseStatus.PUBLISHED:
        return "lesson_not_assigned", None, None
    open_row = None if row.open_id is None else _OpenRow(row.open_id, row.open_lesson_id,
                                                          row.open_ended_at)
    return None, row.course_id, open_row


def _switch_lesson(beat: Beat, policy: Policy, open_row, actor) -> None:
    """Close the open record of another lesson; a live one means two lessons at once."""
    if beat.now - open_row.ended_at <= policy.max_gap and not beat.stop:
        record_event("courses.heartbeat_refused", actor=actor, reason="overlapping_lessons",
                     person_id=beat.person_id, enrollment_id=beat.enrollment_id, lesson_id=beat.lesson_id,
                     open_lesson_id=open_row.lesson_id)
    close_open(beat.person_id)


def _extend(beat: Beat, policy: Policy, open_row, course_id: int) -> tuple[int, bool]:
    """Credit the time since the last credited instant; return (seconds, record still open).

    A gap longer than allowed closes the record: the clock had stopped in between.
    """
    elapsed = beat.now - open_row.ended_at
    if elapsed > policy.max_gap:
        close_open(beat.person_id)
        return 0, False
    seconds = int(min(elapsed, policy.max_gap).total_seconds())
    if seconds <= 0:
        return 0, True
    # The credited end advances by whole seconds, so fractions carry over to the next beat.
    new_end = open_row.ended_at + timedelta(seconds=seconds)
    boundary = local_midnight(local_date(new_end, policy.tz), policy.tz)
    if boundary > open_row.ended_at:
        return _split_at_midnight(beat, open_row, boundary, new_end, course_id), True
    changed = db.session.execute(
        update(StudyRecord)
        .where(StudyRecord.id == open_row.id, StudyRecord.ended_at == open_row.ended_at)
        .values(seconds=StudyRecord.seconds + seconds, ended_at=new_end)).rowcount
    # Zero rows: a concurrent beat credited this stretch already.
    return (seconds if changed else 0), True


def _split_at_midnight(beat: Beat, open_row, boundary: datetime, new_end: datetime,
                       course_id: int) -> int:
    """Credit up to local midnight on the old record and the rest on a new one."""
    before = int((boundary - open_row.ended_at).total_seconds())
    changed = db.session.execute(
        update(StudyRecord)
        .where(StudyRecord.id == open_row.id, StudyRecord.ended_at == open_row.ended_at)
        .values(seconds=StudyRecord.seconds + before, ended_at=boundary,
                open_person_id=None)).rowcount
    if not changed:
        return 0
    after = int((new_end - boundary).total_seconds())
    db.session.execute(insert(StudyRecord).values(
        person_id=beat.person_id, lesson_id=beat.lesson_id, course_id=course_id,
        started_at=boundary, ended_at=new_end, seconds=after, open_person_id=beat.person_id))
    return before + after


def _open(person_id: int, lesson_id: int, course_id: int, now: datetime) -> None:
    db.session.execute(insert(StudyRecord).values(
        person_id=person_id, lesson_id=lesson_id, course_id=course_id, started_at=now,
        ended_at=now, seconds=0, open_person_id=person_id))


def close_open(person_id: int) -> None:
    """Close the person's open record, if any (nothing more is credited)."""
    db.session.execute(update(StudyRecord).where(StudyRecord.open_person_id == person_id)
                       .values(open_person_id=None))


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
