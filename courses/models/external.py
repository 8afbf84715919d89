"""Training done elsewhere (another provider, or before the system), entered by the enterprise admin."""

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import Person
from lms.models.base import UTCDateTime, utcnow


class ExternalTraining(db.Model):
    """Hours of training held by another provider, with the proof file; counted towards requirements."""

    __tablename__ = "external_trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    #: The enterprise whose admin entered it (and who may see it).
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    provider: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    started_on: Mapped[date] = mapped_column(Date)
    #: The hours count in the year of the last day.
    ended_on: Mapped[date] = mapped_column(Date)
    class_hours: Mapped[float] = mapped_column(Float)
    #: SHA-256 of the proof (certificate, sign-in sheet) in the file store, and its type.
    proof_sha256: Mapped[str] = mapped_column(String(64))
    proof_mime: Mapped[str] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person] = relationship()
