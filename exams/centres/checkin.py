"""Check-in at the exam-room door, incidents noted in the room, and the exam-room record (考场记录).

Every refusal is recorded in the audit log and changes nothing else; every change is one
conditional statement, so a double scan or two invigilators at once change a row only once.
"""

import re
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from exams.centres.access import sessions_clause
from exams.centres.models import (
    Attendance,
    ExamSession,
    Incident,
    IncidentKind,
    Registration,
    RegistrationStatus,
    Room,
    RoomRecord,
    Seat,
    SessionRoom,
    SessionStaff,
    SessionStatus,
    StaffDuty,
)
from exams.permissions import CHECK_IN
from lms.audit import record_event
from lms.clock import local_midnight, local_tz
from lms.extensions import db
from lms.i18n import _
from lms.idcard import mask_id_number, normalize_id_number
from lms.models import Account, Person
from lms.transitions import change_if
from lms.web.templating import local_time_text

#: Sessions whose candidates may be checked in at the door.
ACCEPTING = (SessionStatus.REGISTRATION_CLOSED, SessionStatus.OPEN)
#: Sessions whose rooms' records may be signed off.
SIGNABLE = (SessionStatus.OPEN, SessionStatus.CLOSED)
#: Sessions listed on the check-in landing page.
LISTED = (SessionStatus.PUBLISHED, SessionStatus.REGISTRATION_CLOSED, SessionStatus.OPEN,
          SessionStatus.CLOSED)

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


class CheckinRefused(Exception):
    """A check-in step refused for a reason the invigilator is told (``code`` goes to the log)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def hm(instant: datetime | None) -> str:
    """Local wall-clock time HH:MM of an instant."""
    return local_time_text(instant, "%H:%M")


def not_accepting_reason(session: ExamSession) -> str | None:
    """Why the session takes no check-ins now, or None when it does."""
    if session.status in ACCEPTING:
        return None
    if session.status in (SessionStatus.DRAFT, SessionStatus.PUBLISHED):
        return _("Check-in starts when registration for this session has closed.")
    if session.status is SessionStatus.CANCELLED:
        return _("This session was cancelled: there is no check-in.")
    return _("This session is over: check-in has ended.")


def checkin_sessions(account: Account, now: datetime) -> list[tuple[ExamSession, bool]]:
    """Today's and later sessions the account may check in for, its assigned ones first."""
    assigned = set(db.session.scalars(select(SessionStaff.session_id).where(
        SessionStaff.account_id == account.id)))
    start = local_midnight(now.astimezone(local_tz()).date(), local_tz())
    found = db.session.scalars(select(ExamSession).where(
        sessions_clause(account, CHECK_IN), ExamSession.status.in_(LISTED),
        ExamSession.starts_at >= start).order_by(ExamSession.starts_at, ExamSession.code)).all()
    return sorted(((s, s.id in assigned) for s in found), key=lambda pair: not pair[1])


def todays_session_count(account: Account, now: datetime) -> int | None:
    """Sessions of today taking check-ins in the account's scope (None hides a zero tile)."""
    tz = local_tz()
    day = now.astimezone(tz).date()
    start = local_midnight(day, tz)
    count = db.session.scalar(select(func.count(ExamSession.id)).where(
        sessions_clause(account, CHECK_IN), ExamSession.status.in_(ACCEPTING),
        ExamSession.starts_at >= start,
        ExamSession.starts_at < local_midnight(day + timedelta(days=1), tz)))
    return count or None


def session_rooms(session: ExamSession) -> list[Room]:
    """The rooms the session uses, in the order they were added."""
    return [sr.room for sr in session.rooms]


def default_room(session: ExamSession, account: Account) -> Room | None:
    """The room the account is assigned to in the session, else the session's first room."""
    for staff in session.staff:
        if staff.account_id == account.id and staff.room is not None:
            return staff.room
    rooms = session_rooms(session)
    return rooms[0] if rooms else None


def is_id_number(text: str) -> bool:
    """True when ``text`` has the shape of a resident ID number (18 characters, last may be X)."""
    return bool(_ID_SHAPE.match(normalize_id_number(text)))


def shown_query(query: str) -> str:
    """What the log keeps of a scan: the ticket number, or the ID number masked."""
    number = normalize_id_number(query)
    return mask_id_number(number) if is_id_number(number) else query.strip()[:32]


def refuse(session: ExamSession, code: str, message: str, actor: Account, *, query: str = "",
           registration: Registration | None = None) -> CheckinRefused:
    """Record the refusal in the audit log and return the exception to raise."""
    record_event("exams.checkin.refused", actor=actor, target=registration or session,
                 organization_id=session.centre_id, checkin_refusal=code, session=session.code,
                 query=shown_query(query) if query else "")
    return CheckinRefused(code, message)


def _match(session: ExamSession, query: str) -> Registration | None:
    """The session's registration with this ticket number or ID number."""
    number = normalize_id_number(query)
    if is_id_number(number):
        return db.session.scalar(select(Registration).join(Person, Registration.person_id == Person.id)
                                 .where(Registration.session_id == session.id, Person.id_number == number))
    return db.session.scalar(select(Registration).where(Registration.session_id == session.id,
                                                        Registration.ticket_number == query.strip()))


def find_candidate(session: ExamSession, room: Room | None, query: str, actor: Account) -> Registration:
    """The registration a scan or typed number names, checked for this session and room."""
    if not query.strip():
        raise CheckinRefused("empty", _("Scan a ticket or type a ticket or ID number."))
    reason = not_accepting_reason(session)
    if reason:
        raise refuse(session, "not_accepting", reason, actor, query=query)
    reg = _match(session, query)
    if reg is None:
        other = None if is_id_number(query) else db.session.scalar(
            select(Registration).where(Registration.ticket_number == query.strip()))
        if other is not None:
            raise refuse(session, "other_session", _(
                "This ticket is for another session, not for %(code)s.", code=session.code),
                actor, query=query)
        raise refuse(session, "unknown", _("No candidate with this ticket or ID number in this session."),
                     actor, query=query)
    check_candidate(session, room, reg, actor)
    return reg


def check_candidate(session: ExamSession, room: Room | None, reg: Registration, actor: Account) -> None:
    """Refuse a withdrawn registration or one seated in another room than the invigilator's."""
    reason = not_accepting_reason(session)
    if reason:
        raise refuse(session, "not_accepting", reason, actor, registration=reg)
    if reg.status is not RegistrationStatus.ACTIVE:
        raise refuse(session, "withdrawn", _("This registration was withdrawn: the candidate may not sit."),
                     actor, registration=reg)
    seated = reg.seat.room if reg.seat is not None else None
    if room is not None and seated is not None and seated.id != room.id:
        raise refuse(session, "other_room", _("Seated in room %(room)s, not in this room.",
                                              room=f"{seated.code} {seated.name}"),
                     actor, registration=reg)


def _accepting_now():
    """Condition: the registration's session still takes check-ins (read in the same statement)."""
    return Registration.session_id.in_(select(ExamSession.id).where(ExamSession.status.in_(ACCEPTING)))


def mark_present(session: ExamSession, room: Room | None, reg: Registration, actor: Account,
                 now: datetime) -> bool:
    """Check the candidate in; False when they were checked in already (a double scan)."""
    check_candidate(session, room, reg, actor)
    changed = change_if(reg, Registration.attendance.in_([Attendance.EXPECTED, Attendance.ABSENT]),
                        Registration.status == RegistrationStatus.ACTIVE, _accepting_now(),
                        attendance=Attendance.PRESENT, checked_in_at=now, checked_in_by_id=actor.id)
    db.session.refresh(reg)
    if not changed:
        if reg.attendance is Attendance.PRESENT:
            return False
        raise refuse(session, "changed", _("The registration changed meanwhile: look it up again."),
                     actor, registration=reg)
    record_event("exams.checkin.present", actor=actor, target=reg, organization_id=session.centre_id,
                 ticket=reg.ticket_number, session=session.code)
    return True


def mark_absent(session: ExamSession, room: Room | None, reg: Registration, actor: Account,
                now: datetime) -> bool:
    """Mark an expected candidate absent; False when already marked absent."""
    check_candidate(session, room, reg, actor)
    changed = change_if(reg, Registration.attendance == Attendance.EXPECTED,
                        Registration.status == RegistrationStatus.ACTIVE, _accepting_now(),
                        attendance=Attendance.ABSENT)
    db.session.refresh(reg)
    if not changed:
        if reg.attendance is Attendance.ABSENT:
            return False
        if reg.attendance is Attendance.PRESENT:
            raise refuse(session, "already_present", _(
                "Already checked in at %(time)s: a present candidate cannot be marked absent.",
                time=hm(reg.checked_in_at)), actor, registration=reg)
        raise refuse(session, "changed", _("The registration changed meanwhile: look it up again."),
                     actor, registration=reg)
    record_event("exams.checkin.absent", actor=actor, target=reg, organization_id=session.centre_id,
                 ticket=reg.ticket_number, session=session.code)
    return True


def record_incident(session: ExamSession, room: Room | None, reg: Registration | None,
                    kind: IncidentKind, note: str, actor: Account, now: datetime) -> Incident:
    """Note an incident in the room, for the whole room or for one candidate."""
    incident = Incident(session_id=session.id, room_id=room.id if room else None,
                        registration_id=reg.id if reg else None, kind=kind, note=note.strip(),
                        recorded_by_id=actor.id, recorded_at=now)
    db.session.add(incident)
    db.session.flush()
    record_event("exams.incident.recorded", actor=actor, target=incident,
                 organization_id=session.centre_id, kind=kind.value, session=session.code,
                 ticket=reg.ticket_number if reg else "")
    return incident


def note_identity_doubt(session: ExamSession, room: Room | None, reg: Registration, reason: str,
                        actor: Account, now: datetime) -> Incident:
    """An identity doubt at the door; the candidate's check-in state is left as it was."""
    check_candidate(session, room, reg, actor)
    return record_incident(session, room, reg, IncidentKind.IDENTITY_DOUBT, reason, actor, now)


def roster(session: ExamSession, room: Room | None) -> list[Registration]:
    """Active registrations of the room by seat; candidates without a seat are listed in every room."""
    query = (select(Registration).outerjoin(Seat, Registration.seat_id == Seat.id)
             .join(Person, Registration.person_id == Person.id)
             .where(Registration.session_id == session.id,
                    Registration.status == RegistrationStatus.ACTIVE))
    if room is not None:
        query = query.where(or_(Seat.room_id == room.id, Registration.seat_id.is_(None)))
    # The page shows each row's person and seat: load them with the rows, not one query per row.
    query = query.options(contains_eager(Registration.seat), contains_eager(Registration.person))
    return list(db.session.scalars(query.order_by(Seat.label, Person.name)))


def counts(rows: list[Registration]) -> dict[str, int]:
    """Registered, expected, present and absent among the roster's rows."""
    tally = {a.value: 0 for a in Attendance}
    for reg in rows:
        tally[reg.attendance.value] += 1
    return {"registered": len(rows), **tally}


def incidents(session: ExamSession, room: Room | None) -> list[Incident]:
    """Incidents of the session noted for this room (or for no room), newest first."""
    query = select(Incident).where(Incident.session_id == session.id)
    if room is not None:
        query = query.where(or_(Incident.room_id == room.id, Incident.room_id.is_(None)))
    return list(db.session.scalars(query.order_by(Incident.recorded_at.desc(), Incident.id.desc())))


def room_record(session: ExamSession, room: Room | None) -> RoomRecord | None:
    """The signed room record of the session's room, if any."""
    if room is None:
        return None
    return db.session.scalar(select(RoomRecord).where(RoomRecord.session_id == session.id,
                                                      RoomRecord.room_id == room.id))


def _invigilators(session: ExamSession, room: Room) -> list[SessionStaff]:
    return [s for s in session.staff if s.duty is StaffDuty.INVIGILATOR
            and (s.room_id is None or s.room_id == room.id)]


def may_sign_off(account: Account, session: ExamSession, room: Room | None) -> bool:
    """An invigilator assigned to the session signs; with no one assigned, any check-in staff may."""
    if room is None:
        return False
    assigned = [s for s in session.staff if s.duty is StaffDuty.INVIGILATOR]
    if not assigned:
        return True
    return any(s.account_id == account.id for s in _invigilators(session, room))


def _summary(session: ExamSession, room: Room, signer: Account) -> dict:
    tally = counts(roster(session, room))
    names = [s.account.display_name or s.account.username for s in _invigilators(session, room)]
    return {"registered": tally["registered"], "present": tally["present"],
            "absent": tally["registered"] - tally["present"],
            "incidents": len([i for i in incidents(session, room) if i.room_id == room.id]),
            "invigilators": names or [signer.display_name or signer.username]}


def already_signed(session: ExamSession, record: RoomRecord, actor: Account) -> CheckinRefused:
    """Log and return the refusal of a second sign-off, naming who signed and when."""
    who = record.signed_by.display_name or record.signed_by.username
    return refuse(session, "already_signed", _("Already signed off by %(name)s at %(time)s.",
                                               name=who, time=hm(record.signed_at)), actor)


def sign_off(session: ExamSession, room: Room, remarks: str, actor: Account, now: datetime) -> RoomRecord:
    """Sign the room's record once, freezing its counts; a second sign-off is refused."""
    if session.status not in SIGNABLE:
        raise refuse(session, "not_signable", _("The room record can be signed off once the session "
                                                "is open."), actor)
    if not may_sign_off(actor, session, room):
        raise refuse(session, "not_assigned", _("Only an invigilator assigned to this session and room "
                                                "may sign off its record."), actor)
    existing = room_record(session, room)
    if existing is not None:
        raise already_signed(session, existing, actor)
    record = RoomRecord(session_id=session.id, room_id=room.id, remarks=remarks.strip(),
                        signed_by_id=actor.id, signed_at=now, summary=_summary(session, room, actor))
    db.session.add(record)
    # Two sign-offs in the same moment: the unique (session, room) key refuses the second flush,
    # and the view then reports the record that stands (already_signed).
    db.session.flush()
    record_event("exams.room_record.signed", actor=actor, target=record,
                 organization_id=session.centre_id, session=session.code, room=room.code,
                 **{k: v for k, v in record.summary.items() if k != "invigilators"})
    return record


def session_room_or_none(session: ExamSession, room_id: int | None) -> Room | None | bool:
    """The session's room with this id; False when the id names no room of the session."""
    if room_id is None:
        return None
    room = db.session.scalar(select(Room).join(SessionRoom, SessionRoom.room_id == Room.id).where(
        SessionRoom.session_id == session.id, Room.id == room_id))
    return room if room is not None else False
