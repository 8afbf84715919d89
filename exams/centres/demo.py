"""Demo exam day: rooms at the Wuxi centre, a published low-voltage electrician session with
candidates registered through the real checks (the refused ones stay out), and a draft session."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from exams.centres.eligibility import Eligibility
from exams.centres.models import (
    ExamSession,
    Room,
    RoomKind,
    Seat,
    SessionKind,
    SessionRoom,
    SessionStaff,
    SessionStatus,
    StaffDuty,
)
from exams.centres.registration import RegistrationRefused, register
from exams.demo import CENTRE
from exams.models import Blueprint, QuestionBank
from lms.clock import local_tz
from lms.extensions import db
from lms.models import Account, Employment, Organization, OrgKind, Post

#: Candidates the demo enterprise admin registers for the published session.
DEMO_CANDIDATES = 8


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=local_tz()).astimezone(UTC)


def _rooms(centre: Organization) -> list[Room]:
    rooms = [Room(centre=centre, code="T101", name="第一理论考场", kind=RoomKind.THEORY),
             Room(centre=centre, code="T102", name="第二理论考场", kind=RoomKind.THEORY),
             Room(centre=centre, code="P201", name="实操考场", kind=RoomKind.PRACTICAL)]
    for room, count in zip(rooms, (30, 30, 8), strict=True):
        prefix = "S" if room.kind is RoomKind.PRACTICAL else "A"
        room.seats = [Seat(label=f"{prefix}{i:02d}", workstation=f"{room.code}-PC{i:02d}")
                      for i in range(1, count + 1)]
    db.session.add_all(rooms)
    db.session.flush()
    return rooms


def _session(centre, code, title, blueprint, bank, rooms, creator, starts: datetime, status, seed):
    session = ExamSession(
        centre=centre, code=code, title=title, kind=SessionKind.SPECIAL_OPS_THEORY,
        post=Post.SPECIAL_OPERATIONS.value, operation_subtype=blueprint.operation_code,
        blueprint=blueprint, bank_id=bank.id, starts_at=starts, ends_at=starts + timedelta(hours=2),
        registration_closes_at=starts - timedelta(days=7), capacity=sum(r.capacity for r in rooms),
        access_code=f"{seed % 1000000:06d}", status=status, seed=seed, created_by_id=creator.id)
    session.rooms = [SessionRoom(room=r) for r in rooms]
    db.session.add(session)
    db.session.flush()
    return session


def add_demo_sessions(_sender=None, *, today: date, **_kwargs) -> None:
    """Receiver of lms.signals.demo_finished (the exams demo made the bank and blueprints)."""
    centre = db.session.scalar(select(Organization).where(Organization.name == CENTRE,
                                                           Organization.kind == OrgKind.EXAM_CENTRE))
    blueprint = db.session.scalar(select(Blueprint).where(Blueprint.code == "LV-ELEC-THEORY"))
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == "JS-EXAM"))
    admin = db.session.scalar(select(Account).where(Account.username == "centre_admin"))
    if None in (centre, blueprint, bank, admin):
        return
    rooms = _rooms(centre)
    exam_day = today + timedelta(days=14)
    published = _session(centre, f"WX-{exam_day:%Y%m%d}-01", "低压电工作业安全技术理论考试", blueprint, bank,
                         rooms[:2], admin, _local(exam_day, 9), SessionStatus.PUBLISHED, 20260901)
    invigilator = db.session.scalar(select(Account).where(Account.username == "invigilator"))
    if invigilator is not None:
        published.staff = [SessionStaff(account=invigilator, duty=StaffDuty.INVIGILATOR, room=rooms[0])]
    _session(centre, f"WX-{exam_day + timedelta(days=7):%Y%m%d}-01", "低压电工作业安全技术理论考试（第二场）",
             blueprint, bank, rooms[:1], admin, _local(exam_day + timedelta(days=7), 14),
             SessionStatus.DRAFT, 20260902)
    _register_candidates(published, today)


def _register_candidates(session: ExamSession, today: date) -> None:
    """The demo enterprise's low-voltage electricians, each through every eligibility check."""
    from courses.demo import DEMO_ENTERPRISE

    ent_admin = db.session.scalar(select(Account).where(Account.username == "ent_admin"))
    employments = db.session.scalars(
        select(Employment).join(Organization).where(
            Organization.name == DEMO_ENTERPRISE, Employment.post == Post.SPECIAL_OPERATIONS,
            Employment.operation_subtype == session.operation_subtype)
        .order_by(Employment.id)).all()
    if ent_admin is None or not employments:
        return
    checker = Eligibility(session, [e.person_id for e in employments])
    now = _local(today, 10)
    registered = 0
    for employment in employments:
        if registered == DEMO_CANDIDATES:
            break
        try:
            with db.session.begin_nested():
                register(session, employment.person, employment, ent_admin, now, health_commitment=True,
                         eligibility=checker)
            registered += 1
        except RegistrationRefused:
            continue
