"""Three-level induction records and absences from work."""

import enum
from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import Person
from lms.models.base import UTCDateTime, utcnow


class InductionLevel(enum.StrEnum):
    """The three induction levels (厂(矿)、车间(工段、区、队)、班组)."""

    FACTORY = "factory"
    WORKSHOP = "workshop"
    TEAM = "team"


class InductionRecord(db.Model):
    """One level of a new employee's three-level induction, confirmed by the employee."""

    __tablename__ = "induction_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    held_on: Mapped[date] = mapped_column(Date)
    trainer: Mapped[str] = mapped_column(String(64))
    class_hours: Mapped[float] = mapped_column(Float)
    content: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the employee confirmed (signed) the record; None until then.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship()


class WorkAbsence(db.Model):
    """A stretch away from work; a long one triggers retraining on return."""

    __tablename__ = "work_absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    left_on: Mapped[date] = mapped_column(Date)
    returned_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
