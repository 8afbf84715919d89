"""An exam under way: the exam-day world with registration closed, the session open on its morning
and candidates checked in; helpers to start attempts."""

from datetime import UTC, datetime

from centres_world import NOW, Day, build_day

from exams.centres.freeze import close_registration
from exams.centres.models import Attendance, SessionStatus
from exams.centres.registration import register
from lms.extensions import db

#: 08:55 Beijing time on the exam day (the session runs 09:00-11:00).
MORNING = datetime(2026, 12, 15, 0, 55, tzinfo=UTC)


def build_exam(make, candidates: int = 4) -> Day:
    """The exam-day world with ``candidates`` registered, seated, checked in, and the session open."""
    day = build_day(make)
    for person in day.employees[:candidates]:
        register(day.session, person, day.employment(person), day.accounts["centre_admin"], NOW,
                 health_commitment=True)
    db.session.commit()
    close_registration(day.session, day.accounts["centre_admin"], NOW)
    day.session.status = SessionStatus.OPEN
    for reg in registrations(day):
        reg.attendance, reg.checked_in_at = Attendance.PRESENT, MORNING
    db.session.commit()
    return day


def registrations(day: Day) -> list:
    """The session's registrations by ticket."""
    from sqlalchemy import select

    from exams.centres.models import Registration

    return list(db.session.scalars(select(Registration).where(Registration.session_id == day.session.id)
                                   .order_by(Registration.ticket_number)))


def stored(attempt) -> dict:
    """The answers the database holds for ``attempt``: item id -> (choice, flagged, seq)."""
    from sqlalchemy import select

    from exams.attempts.models import ExamAnswer

    db.session.expire_all()
    return {a.paper_item_id: (a.choice, a.flagged, a.seq) for a in db.session.scalars(
        select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id))}


def refusals() -> list[str]:
    """The reasons of the refused saves in the audit log, oldest first."""
    from sqlalchemy import select

    from lms.models import AuditEvent

    db.session.expire_all()
    return [e.details["save_refusal"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "exams.attempt.save_refused").order_by(AuditEvent.id))]
