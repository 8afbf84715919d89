"""Enterprise assessments (企业考核): an online exam an enterprise sets its own employees."""

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exams.models import Blueprint, QuestionBank
from lms.extensions import db
from lms.models import Employment, Organization, Person
from lms.models.base import UTCDateTime, utcnow


class AssessmentPurpose(enum.StrEnum):
    """What the assessment checks: the new-hire three-level induction, annual retraining, other."""

    INDUCTION = "induction"
    ANNUAL_RETRAINING = "annual_retraining"
    OTHER = "other"


class AssessmentStatus(enum.StrEnum):
    """Scheduled (open inside its window) or cancelled by the enterprise."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Assessment(db.Model):
    """An online assessment: bank and composition, window, time limit and pass mark."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[AssessmentPurpose] = mapped_column(Enum(AssessmentPurpose, native_enum=False, length=24))
    #: A practice bank (the province's or the enterprise's own): never an exam bank (教考分离).
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"))
    #: The composition (counts per type and knowledge point); its duration and pass mark are not used.
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("blueprints.id"))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    time_limit_minutes: Mapped[int] = mapped_column(Integer)
    #: Share of the paper's points needed to pass, in percent.
    pass_percent: Mapped[float] = mapped_column(Float)
    status: Mapped[AssessmentStatus] = mapped_column(
        Enum(AssessmentStatus, native_enum=False, length=16), default=AssessmentStatus.SCHEDULED)
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    enterprise: Mapped[Organization] = relationship()
    bank: Mapped[QuestionBank] = relationship()
    blueprint: Mapped[Blueprint] = relationship()
    assignments: Mapped[list["AssessmentAssignment"]] = relationship(
        back_populates="assessment", order_by="AssessmentAssignment.id")


class AssessmentAssignment(db.Model):
    """One employee's place in an assessment, and their result once handed in."""

    __tablename__ = "assessment_assignments"
    __table_args__ = (UniqueConstraint("assessment_id", "person_id",
                                       name="uq_assessment_assignments_assessment_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    employment_id: Mapped[int] = mapped_column(ForeignKey("employments.id"))
    #: Percent of the paper's points (0-100), whether it reaches the pass mark, when handed in.
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    assessment: Mapped[Assessment] = relationship(back_populates="assignments")
    person: Mapped[Person] = relationship()
    employment: Mapped[Employment] = relationship()
