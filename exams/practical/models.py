"""The practical examiner's score sheet (实操评分表): one per registration of a practical session."""

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exams.centres.models import Registration, Seat
from lms.extensions import db
from lms.models import Account
from lms.models.base import UTCDateTime, utcnow


class SheetStatus(enum.StrEnum):
    """A draft is edited by its examiner; a signed sheet is the result and is read-only."""

    DRAFT = "draft"
    SIGNED = "signed"


class PracticalScore(db.Model):
    """The examiner's score sheet of one candidate in a practical session."""

    __tablename__ = "practical_scores"
    __table_args__ = (UniqueConstraint("registration_id", name="uq_practical_scores_registration"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("exam_registrations.id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    #: The station the candidate was examined at (the registration's seat when the sheet was opened).
    seat_id: Mapped[int | None] = mapped_column(ForeignKey("exam_seats.id"))
    examiner_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    #: Checklist scored against (sub-type code and version of exams/data/practical_checklists.toml).
    checklist_code: Mapped[str] = mapped_column(String(8))
    checklist_version: Mapped[str] = mapped_column(String(32))
    #: Points awarded per item code; a critical item holds its full points (pass) or 0 (fail).
    item_scores: Mapped[dict] = mapped_column(JSON, default=dict)
    total_points: Mapped[float] = mapped_column(Float, default=0.0)
    #: A critical item failed: the practical fails whatever the total.
    critical_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SheetStatus] = mapped_column(Enum(SheetStatus, native_enum=False, length=16),
                                                default=SheetStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))

    registration: Mapped[Registration] = relationship()
    seat: Mapped[Seat | None] = relationship()
    examiner: Mapped[Account] = relationship(foreign_keys=[examiner_id])
    signed_by: Mapped[Account | None] = relationship(foreign_keys=[signed_by_id])

    @property
    def is_signed(self) -> bool:
        return self.status is SheetStatus.SIGNED
