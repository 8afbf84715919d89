"""Builders of the exam-day world: a Wuxi centre with rooms and seats, an exam bank and blueprint,
an enterprise with special-operations employees, the staff accounts, and a published session."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

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
from exams.demo import add_knowledge_tree
from exams.models import BankPurpose, BankTier, QuestionBank
from exams.services.blueprints import special_ops_theory
from exams.services.questions import write_items
from lms.extensions import db
from lms.models import Education, Employment, Organization, OrgKind, Person, Post
from lms.roles import Role

from support import valid_id_number

#: The session's exam day: 2026-12-15, 09:00-11:00 Beijing time.
EXAM_START = datetime(2026, 12, 15, 1, 0, tzinfo=UTC)
EXAM_END = datetime(2026, 12, 15, 3, 0, tzinfo=UTC)
REGISTRATION_CLOSES = datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
#: "Now" while registration is open.
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@dataclass
class Day:
    """Everything a test of the exam day starts from."""

    centre: Organization
    enterprise: Organization
    other_enterprise: Organization
    room: Room
    bank: QuestionBank
    blueprint: object
    session: ExamSession
    employees: list[Person]
    accounts: dict = field(default_factory=dict)

    def employment(self, person: Person) -> Employment:
        return next(e for e in person.employments if e.organization_id in
                    (self.enterprise.id, self.other_enterprise.id))


def _fill(bank: QuestionBank, n_tf: int, n_single: int) -> None:
    """Published questions enough for several parallel forms of the 70 + 30 paper."""
    def one(i: int, qtype: str) -> dict:
        options, key = ([], [0]) if qtype == "true_false" else (["甲", "乙", "丙", "丁"], [1])
        return {"qtype": qtype, "stem": f"考题{qtype}{i}", "options": options, "key": key,
                "explanation": "", "knowledge_point": "fire.class", "difficulty": 1 + i % 5,
                "posts": [], "operation_codes": [], "status": "published", "image": None}
    write_items(bank, [one(i, "true_false") for i in range(n_tf)]
                + [one(i, "single") for i in range(n_single)], None, NOW)


def add_person(name: str, org: Organization, *, born: date = date(1985, 3, 9),
               post: Post = Post.SPECIAL_OPERATIONS, subtype: str | None = "1.2",
               education: str | None = Education.SENIOR_HIGH.value, seq: int | None = None,
               start: date = date(2020, 1, 1)) -> Person:
    """A person with one employment (special operations, low-voltage electrical by default)."""
    person = Person(id_number=valid_id_number("320213", born, seq), name=name, birth_date=born,
                    education=education)
    db.session.add(person)
    db.session.add(Employment(person=person, organization=org, post=post, start_date=start,
                              operation_subtype=subtype if post is Post.SPECIAL_OPERATIONS else None,
                              operation_category=(subtype.split(".")[0] if subtype and
                                                  post is Post.SPECIAL_OPERATIONS else None)))
    db.session.flush()
    return person


def add_room(centre: Organization, code: str = "R101", seats: int = 30,
             kind: RoomKind = RoomKind.THEORY) -> Room:
    """A room with seats A01..A<n> on workstations PC-01..PC-<n>."""
    room = Room(centre=centre, code=code, name=f"第{code}考场", kind=kind)
    room.seats = [Seat(label=f"A{i:02d}", workstation=f"PC-{i:02d}") for i in range(1, seats + 1)]
    db.session.add(room)
    db.session.flush()
    return room


def add_session(centre: Organization, blueprint, bank: QuestionBank, rooms: list[Room], creator, *,
                code: str = "WX-20261215-1.2", kind: SessionKind = SessionKind.SPECIAL_OPS_THEORY,
                status: SessionStatus = SessionStatus.PUBLISHED, starts_at: datetime = EXAM_START,
                ends_at: datetime = EXAM_END, capacity: int | None = None, subtype: str | None = "1.2",
                post: str = Post.SPECIAL_OPERATIONS.value) -> ExamSession:
    """A session in ``status`` using ``rooms``."""
    session = ExamSession(
        centre=centre, code=code, title="低压电工作业理论考试", kind=kind, post=post,
        operation_subtype=subtype, blueprint=blueprint if kind is not SessionKind.PRACTICAL else None,
        bank_id=bank.id if kind is not SessionKind.PRACTICAL else None,
        starts_at=starts_at, ends_at=ends_at, registration_closes_at=min(REGISTRATION_CLOSES, starts_at),
        capacity=capacity if capacity is not None else sum(r.capacity for r in rooms),
        access_code="731946", status=status, seed=20261215, created_by_id=creator.id)
    session.rooms = [SessionRoom(room=r) for r in rooms]
    db.session.add(session)
    db.session.flush()
    return session


def build_day(make) -> Day:
    """The exam-day world, committed (``make`` is the tests' Factory)."""
    make.rules()
    add_knowledge_tree()
    centre = make.org("无锡考点", kind=OrgKind.EXAM_CENTRE, industry=None)
    enterprise = make.org("无锡甲电气", industry="machinery")
    other = make.org("无锡乙机械", industry="machinery")
    bank = QuestionBank(code="WX-EXAM", name="考试题库", purpose=BankPurpose.EXAM,
                        tier=BankTier.PROVINCIAL, organization=centre)
    db.session.add(bank)
    db.session.flush()
    _fill(bank, 90, 40)
    blueprint = special_ops_theory(centre, "LV-THEORY", "低压电工作业理论", "1.2", date(2026, 1, 1))
    room = add_room(centre)
    accounts = {
        "centre_admin": make.account("centre_admin", Role.EXAM_CENTRE_ADMIN, org=centre),
        "invigilator": make.account("invigilator", Role.INVIGILATOR, org=centre),
        "ent_admin": make.account("ent_admin", Role.ENTERPRISE_ADMIN, org=enterprise),
        "other_admin": make.account("other_admin", Role.ENTERPRISE_ADMIN, org=other),
    }
    session = add_session(centre, blueprint, bank, [room], accounts["centre_admin"])
    session.staff = [SessionStaff(account=accounts["invigilator"], duty=StaffDuty.INVIGILATOR, room=room)]
    employees = [add_person(f"电工{i}", enterprise, seq=100 + i) for i in range(6)]
    employees += [add_person(f"钳工{i}", other, seq=200 + i) for i in range(3)]
    db.session.commit()
    return Day(centre, enterprise, other, room, bank, blueprint, session, employees, accounts)
