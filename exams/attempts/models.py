"""The attempt engine's records: one attempt per sitting, its answers, and what happened during it.

The same attempt serves three sittings: a registered candidate at an exam-centre seat, an employee
taking their enterprise's online assessment, and a learner's mock exam in the practice area.
"""

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exams.centres.models import Registration
from exams.models import Paper
from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class AttemptStatus(enum.StrEnum):
    """In progress (answers accepted), paused by the invigilator, submitted, or terminated."""

    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    SUBMITTED = "submitted"
    TERMINATED = "terminated"


class SittingKind(enum.StrEnum):
    """Where the attempt is sat: an invigilated exam-centre seat, an enterprise assessment, a mock."""

    CENTRE = "centre"
    ASSESSMENT = "assessment"
    MOCK = "mock"


class ExamAttempt(db.Model):
    """A candidate's sitting of a frozen paper; the deadline lives here, never in the browser."""

    __tablename__ = "exam_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SittingKind] = mapped_column(
        Enum(SittingKind, native_enum=False, length=16), default=SittingKind.CENTRE,
        server_default=SittingKind.CENTRE.name)
    #: Exactly one of these names the sitting, by kind: the exam-centre registration, the
    #: enterprise assessment's assignment, or the practice area's mock round.
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("exam_registrations.id"), unique=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_assignments.id"), unique=True)
    practice_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("practice_attempts.id"), unique=True)
    #: The account that sits an online attempt (assessments and mocks); None at a centre seat.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id"))
    status: Mapped[AttemptStatus] = mapped_column(
        Enum(AttemptStatus, native_enum=False, length=16), default=AttemptStatus.IN_PROGRESS, index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the attempt ends: start + duration + extensions + pauses. Moved by extend and resume,
    #: read by every save (in the same statement) and by the deadline worker.
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    extra_seconds: Mapped[int] = mapped_column(Integer, default=0)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    #: The invigilator allowed the candidate to continue at another seat.
    move_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: "candidate", "deadline" (the server at the deadline) or "invigilator" (termination).
    submitted_by: Mapped[str | None] = mapped_column(String(16))
    terminated_reason: Mapped[str | None] = mapped_column(Text)
    #: Points earned on the paper and whether they reach its pass mark, set once at submission.
    points: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)

    registration: Mapped[Registration | None] = relationship()
    paper: Mapped[Paper] = relationship()
    assignment = relationship("AssessmentAssignment")


class ExamAnswer(db.Model):
    """The latest acknowledged answer to one item; ``seq`` keeps an older save from overwriting."""

    __tablename__ = "exam_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "paper_item_id", name="uq_exam_answers_attempt_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id"), index=True)
    paper_item_id: Mapped[int] = mapped_column(ForeignKey("paper_items.id"))
    #: Chosen options in shown positions.
    choice: Mapped[list] = mapped_column(JSON)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    seq: Mapped[int] = mapped_column(Integer)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AttemptEvent(db.Model):
    """Something the candidate's page reported (focus lost, reconnected) or staff did, for the console."""

    __tablename__ = "exam_attempt_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    #: Ordered extras (seconds added, seat moved to ...).
    data: Mapped[dict] = mapped_column(JSON, default=dict)
