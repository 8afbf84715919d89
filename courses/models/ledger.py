"""Enrolments and the study-time ledger."""

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.models.course import Course, Lesson
from lms.extensions import db
from lms.models import Person
from lms.models.base import UTCDateTime, utcnow


class EnrollmentSource(enum.StrEnum):
    """How a person came to take a course."""

    ASSIGNED = "assigned"
    SELF = "self"


class Enrollment(db.Model):
    """A person taking a course, assigned by their enterprise or self-enrolled (public courses)."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("course_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    #: Enterprise that assigned the course; None for a self-enrolment without an employer.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    source: Mapped[EnrollmentSource] = mapped_column(
        Enum(EnrollmentSource, native_enum=False, length=16), default=EnrollmentSource.ASSIGNED)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_date: Mapped[date | None] = mapped_column(Date)

    course: Mapped[Course] = relationship()
    person: Mapped[Person] = relationship()


class StudyRecord(db.Model):
    """A stretch of active study of one lesson: start, end and the seconds credited.

    A record never spans two local calendar days, so hours fall into the right period.
    """

    __tablename__ = "study_records"
    __table_args__ = (
        Index("ix_study_records_person_started", "person_id", "started_at"),
        Index("ix_study_records_person_lesson", "person_id", "lesson_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Time of the last heartbeat that was credited.
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seconds: Mapped[int] = mapped_column(Integer, default=0)
    #: Equals person_id while the record is open, else NULL: the unique index allows one open
    #: record per person across all workers (NULLs do not collide).
    open_person_id: Mapped[int | None] = mapped_column(Integer, unique=True)

    lesson: Mapped[Lesson] = relationship()
