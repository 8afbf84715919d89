"""Exam centres' rooms and seats, exam sessions, registrations, check-in, incidents, room records."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exams.models import Blueprint, Paper
from lms.extensions import db
from lms.models import Account, Employment, Organization, Person
from lms.models.base import UTCDateTime, utcnow


def _enum(kind, length: int = 24):
    return Enum(kind, native_enum=False, length=length)


class RoomKind(enum.StrEnum):
    """Computer theory rooms have seats with workstations; practical rooms have stations."""

    THEORY = "theory"
    PRACTICAL = "practical"


class Room(db.Model):
    """A room of an exam centre."""

    __tablename__ = "exam_rooms"
    __table_args__ = (UniqueConstraint("centre_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[RoomKind] = mapped_column(_enum(RoomKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    centre: Mapped[Organization] = relationship()
    seats: Mapped[list["Seat"]] = relationship(back_populates="room", order_by="Seat.label",
                                               cascade="all, delete-orphan")

    @property
    def capacity(self) -> int:
        """Seats (or stations) in use."""
        return sum(1 for s in self.seats if s.in_use)


class Seat(db.Model):
    """A seat (theory) or station (practical) with the label of its workstation."""

    __tablename__ = "exam_seats"
    __table_args__ = (UniqueConstraint("room_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("exam_rooms.id"), index=True)
    label: Mapped[str] = mapped_column(String(16))
    #: Workstation (computer) name or station equipment shown to staff.
    workstation: Mapped[str | None] = mapped_column(String(64))
    #: A broken workstation is taken out of use instead of deleted: past sessions refer to it.
    in_use: Mapped[bool] = mapped_column(Boolean, default=True)

    room: Mapped[Room] = relationship(back_populates="seats")


class SessionKind(enum.StrEnum):
    """What a session examines."""

    SPECIAL_OPS_THEORY = "special_ops_theory"
    PRINCIPAL = "principal"
    SAFETY_MANAGER = "safety_manager"
    PRACTICAL = "practical"
    MAKEUP = "makeup"


class SessionStatus(enum.StrEnum):
    """Draft -> published (registration open) -> registration closed (papers frozen) -> open (exam
    day) -> closed -> results released; a session may be cancelled before it opens."""

    DRAFT = "draft"
    PUBLISHED = "published"
    REGISTRATION_CLOSED = "registration_closed"
    OPEN = "open"
    CLOSED = "closed"
    RESULTS_RELEASED = "results_released"
    CANCELLED = "cancelled"


class ExamSession(db.Model):
    """One sitting (场次) at a centre: what is examined, when, where and by whom."""

    __tablename__ = "exam_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    #: Human reference printed on tickets and papers, e.g. "WX-20261215-AM-1.2".
    code: Mapped[str] = mapped_column(String(48), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SessionKind] = mapped_column(_enum(SessionKind))
    #: Post examined (lms Post value) and, for special operations, the operation sub-type code.
    post: Mapped[str] = mapped_column(String(24))
    operation_subtype: Mapped[str | None] = mapped_column(String(8))
    #: Theory sessions assemble papers from a blueprint; practical sessions have none.
    blueprint_id: Mapped[int | None] = mapped_column(ForeignKey("blueprints.id"), index=True)
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("question_banks.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(Integer)
    #: Shown to the room on the day; candidates type it with their ticket and ID number.
    access_code: Mapped[str] = mapped_column(String(12))
    status: Mapped[SessionStatus] = mapped_column(_enum(SessionStatus), default=SessionStatus.DRAFT,
                                                  index=True)
    #: Seed of the session's paper forms and seat draw, fixed at creation so both can be re-derived.
    seed: Mapped[int] = mapped_column(BigInteger)
    papers_frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Active registrations, kept by the same conditional UPDATE that admits one, so two admins
    #: taking the last place at once cannot both get it.
    registered_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Last ticket sequence number handed out in this session (never reused after a withdrawal).
    ticket_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    centre: Mapped[Organization] = relationship()
    blueprint: Mapped[Blueprint | None] = relationship()
    rooms: Mapped[list["SessionRoom"]] = relationship(back_populates="session",
                                                      cascade="all, delete-orphan",
                                                      order_by="SessionRoom.id")
    staff: Mapped[list["SessionStaff"]] = relationship(back_populates="session",
                                                       cascade="all, delete-orphan",
                                                       order_by="SessionStaff.id")

    @property
    def part(self) -> str:
        """"theory" or "practical": the exam part results and attempt limits count against."""
        return "practical" if self.kind is SessionKind.PRACTICAL else "theory"


class SessionRoom(db.Model):
    """A room used by a session."""

    __tablename__ = "exam_session_rooms"
    __table_args__ = (UniqueConstraint("session_id", "room_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("exam_rooms.id"), index=True)

    session: Mapped[ExamSession] = relationship(back_populates="rooms")
    room: Mapped[Room] = relationship()


class StaffDuty(enum.StrEnum):
    """What a staff member does in a session."""

    INVIGILATOR = "invigilator"
    EXAMINER = "examiner"


class SessionStaff(db.Model):
    """An invigilator or practical examiner assigned to a session, optionally to one room."""

    __tablename__ = "exam_session_staff"
    __table_args__ = (UniqueConstraint("session_id", "account_id", "duty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    duty: Mapped[StaffDuty] = mapped_column(_enum(StaffDuty, 16))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("exam_rooms.id"))

    session: Mapped[ExamSession] = relationship(back_populates="staff")
    account: Mapped[Account] = relationship()
    room: Mapped[Room | None] = relationship()


class RegistrationStatus(enum.StrEnum):
    """A registration stays as a row when withdrawn, so its history is kept."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class Attendance(enum.StrEnum):
    """Check-in outcome at the door."""

    EXPECTED = "expected"
    PRESENT = "present"
    ABSENT = "absent"


class Registration(db.Model):
    """A person registered for a session (报名): eligibility, seat, frozen paper, check-in, result."""

    __tablename__ = "exam_registrations"
    __table_args__ = (
        UniqueConstraint("session_id", "person_id", name="uq_exam_registrations_session_person"),
        UniqueConstraint("session_id", "seat_id", name="uq_exam_registrations_session_seat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    #: The employment the candidate sits for; its enterprise scopes who may see the registration.
    employment_id: Mapped[int] = mapped_column(ForeignKey("employments.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    #: 准考证号: printed on the ticket and carried by its QR code.
    ticket_number: Mapped[str] = mapped_column(String(24), unique=True)
    status: Mapped[RegistrationStatus] = mapped_column(_enum(RegistrationStatus, 16),
                                                       default=RegistrationStatus.ACTIVE)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the candidate's written health commitment (个人健康书面承诺) was recorded.
    health_commitment_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Eligibility checks as run at registration: [{rule, key, version, ok, reason}].
    eligibility: Mapped[list] = mapped_column(JSON, default=list)
    #: Written reason of an admin who registered despite a refusal (also in the audit log).
    override_reason: Mapped[str | None] = mapped_column(Text)
    #: Photo in the file store (content digest), from the roster or uploaded at registration.
    photo_digest: Mapped[str | None] = mapped_column(String(64))
    seat_id: Mapped[int | None] = mapped_column(ForeignKey("exam_seats.id"))
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("papers.id"), unique=True)
    attendance: Mapped[Attendance] = mapped_column(_enum(Attendance, 16), default=Attendance.EXPECTED)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    #: Result of this sitting (0-100 points) once graded; what attempt limits and the practical's
    #: prerequisite read.
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    result_on: Mapped[date | None] = mapped_column(Date)
    #: The score was cancelled for misconduct (取消本场考试成绩).
    score_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)

    session: Mapped[ExamSession] = relationship()
    person: Mapped[Person] = relationship()
    employment: Mapped[Employment] = relationship()
    organization: Mapped[Organization] = relationship()
    seat: Mapped[Seat | None] = relationship()
    paper: Mapped[Paper | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status is RegistrationStatus.ACTIVE


class IncidentKind(enum.StrEnum):
    """Kinds of exam-room incident."""

    IDENTITY_DOUBT = "identity_doubt"
    MISCONDUCT = "misconduct"
    TECHNICAL = "technical"
    OTHER = "other"


class Incident(db.Model):
    """Something noted in the room: an identity doubt at check-in, misconduct, a technical fault."""

    __tablename__ = "exam_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("exam_rooms.id"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("exam_registrations.id"))
    kind: Mapped[IncidentKind] = mapped_column(_enum(IncidentKind, 16))
    note: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    registration: Mapped[Registration | None] = relationship()
    room: Mapped[Room | None] = relationship()
    recorded_by: Mapped[Account] = relationship()


class RoomRecord(db.Model):
    """The exam-room record (考场记录) of one room in one session, signed off by an invigilator."""

    __tablename__ = "exam_room_records"
    __table_args__ = (UniqueConstraint("session_id", "room_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("exam_rooms.id"))
    remarks: Mapped[str] = mapped_column(Text, default="")
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Counts frozen at sign-off, so the record does not change when a row is corrected later.
    summary: Mapped[dict] = mapped_column(JSON, default=dict)

    signed_by: Mapped[Account] = relationship()
    room: Mapped[Room] = relationship()


class SeatSignIn(db.Model):
    """A candidate signed in at a seat with ticket, ID number and access code (no password)."""

    __tablename__ = "exam_seat_sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("exam_registrations.id"), index=True)
    #: SHA-256 of the random token kept in the seat browser's session cookie.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    locale: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    registration: Mapped[Registration] = relationship()


class BarReason(enum.StrEnum):
    """Why a person may not sit exams for a while."""

    FRAUD_REVOCATION = "fraud_revocation"


class ExamBar(db.Model):
    """A period in which a person may not register (e.g. 3 years after a revocation for fraud)."""

    __tablename__ = "exam_bars"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    reason: Mapped[BarReason] = mapped_column(_enum(BarReason, 32))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: Rule version the period came from, cited in every refusal.
    rule_version: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RegistrationImport(db.Model):
    """An uploaded registration spreadsheet: checked rows wait here until confirmed."""

    __tablename__ = "exam_registration_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    filename: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    #: Rows that pass every check: [{row, person_id, employment_id, name, masked_id, checks}].
    valid_rows: Mapped[list] = mapped_column(JSON, default=list)
    #: Rows refused, with the reasons: [{row, name, masked_id, reasons: [...]}].
    errors: Mapped[list] = mapped_column(JSON, default=list)

    session: Mapped[ExamSession] = relationship()
