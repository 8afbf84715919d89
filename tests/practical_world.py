"""A practical exam under way: the exam-day world plus a practical session (低压电工, two practical
rooms with an examiner each), candidates who passed the theory, checked in or marked absent."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from centres_world import NOW, Day, add_room, add_session, build_day
from sqlalchemy import select

from exams.centres.freeze import close_registration
from exams.centres.models import (
    Attendance,
    ExamSession,
    Registration,
    Room,
    RoomKind,
    SessionKind,
    SessionStaff,
    SessionStatus,
    StaffDuty,
)
from exams.centres.registration import register
from lms.extensions import db
from lms.roles import Role

#: 08:55 Beijing time on the exam day (the session runs 09:00-11:00).
MORNING = datetime(2026, 12, 15, 0, 55, tzinfo=UTC)
#: During the practical exam.
DURING = datetime(2026, 12, 15, 2, 0, tzinfo=UTC)
#: The candidates' theory pass (valid 12 months, so on the exam day too).
THEORY_ON = date(2026, 11, 5)
THEORY_POINTS = 88.0


@dataclass
class Practical:
    """The practical session and who is where."""

    day: Day
    session: ExamSession
    room: Room
    other_room: Room
    #: By candidate: in room P1 present (0, 1, 2), absent (3), not checked in (4); present in P2 (5).
    regs: list[Registration]


def theory_pass(day: Day, person, *, on: date = THEORY_ON, points: float = THEORY_POINTS,
                code: str | None = None) -> Registration:
    """A released theory result of ``person`` for the same operation."""
    code = code or f"TH-{person.id}-{on:%m%d}"
    starts = datetime(on.year, on.month, on.day, 1, 0, tzinfo=UTC)
    session = add_session(day.centre, day.blueprint, day.bank, [day.room], day.accounts["centre_admin"],
                          code=code, status=SessionStatus.RESULTS_RELEASED, starts_at=starts,
                          ends_at=starts.replace(hour=3))
    reg = Registration(session_id=session.id, person_id=person.id, employment_id=day.employment(person).id,
                       organization_id=day.employment(person).organization_id, ticket_number=f"T{code}",
                       registered_by_id=day.accounts["centre_admin"].id, passed=points >= 80, score=points,
                       result_on=on)
    db.session.add(reg)
    db.session.flush()
    return reg


def build_practical(make, *, code: str = "PR-20261215-1.2") -> Practical:
    """The practical world, committed, with the session open."""
    day = build_day(make)
    admin = day.accounts["centre_admin"]
    room = add_room(day.centre, "P1", seats=5, kind=RoomKind.PRACTICAL)
    other = add_room(day.centre, "P2", seats=2, kind=RoomKind.PRACTICAL)
    day.accounts["examiner"] = make.account("examiner", Role.PRACTICAL_EXAMINER, org=day.centre)
    day.accounts["examiner2"] = make.account("examiner2", Role.PRACTICAL_EXAMINER, org=day.centre)
    people = day.employees[:6]
    for person in people:
        theory_pass(day, person)
    session = add_session(day.centre, None, day.bank, [room, other], admin, code=code,
                          kind=SessionKind.PRACTICAL)
    session.title = "低压电工作业实际操作考试"
    session.staff = [SessionStaff(account=day.accounts["invigilator"], duty=StaffDuty.INVIGILATOR),
                     SessionStaff(account=day.accounts["examiner"], duty=StaffDuty.EXAMINER, room=room),
                     SessionStaff(account=day.accounts["examiner2"], duty=StaffDuty.EXAMINER, room=other)]
    db.session.commit()
    for person in people:
        register(session, person, day.employment(person), admin, NOW, health_commitment=True)
    db.session.commit()
    close_registration(session, admin, NOW)
    session.status = SessionStatus.OPEN
    regs = [db.session.scalar(select(Registration).where(Registration.session_id == session.id,
                                                         Registration.person_id == p.id)) for p in people]
    # Seats fixed by hand, so each test knows who is at which station.
    stations = [*room.seats, other.seats[0]]
    for reg in regs:
        reg.seat_id = None
    db.session.flush()
    for reg, seat in zip(regs, stations, strict=True):
        reg.seat_id = seat.id
    for i in (0, 1, 2, 5):
        regs[i].attendance, regs[i].checked_in_at = Attendance.PRESENT, MORNING
    regs[3].attendance = Attendance.ABSENT
    db.session.commit()
    return Practical(day, session, room, other, regs)


#: A full sheet scoring 90 with every critical item passed (items of the 1.2 checklist).
GOOD = {"item-K1.1": "10", "item-K1.2": "5", "item-K1.3": "5", "item-K2.1": "pass", "item-K2.2": "15",
        "item-K2.3": "10", "item-K3.1": "15", "item-K4.1": "15", "item-K4.2": "5"}
