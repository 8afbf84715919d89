"""Roster uploads held for review until the enterprise admin confirms them."""

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class ImportStatus(enum.StrEnum):
    """Lifecycle of a roster upload."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class RosterImport(db.Model):
    """A parsed roster: valid rows wait here, invalid rows are kept to show their reasons."""

    __tablename__ = "roster_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    filename: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[ImportStatus] = mapped_column(
        Enum(ImportStatus, native_enum=False, length=16), default=ImportStatus.PENDING
    )
    valid_rows: Mapped[list] = mapped_column(JSON, default=list)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    #: Asked on upload: confirming also makes learner logins for the imported people.
    create_logins: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
