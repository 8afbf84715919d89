"""Certificates: the special-operations certificate and the principal/safety-manager certificate,
their lifecycle events, and the reminders sent about them."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import Employment, Person
from lms.models.base import UTCDateTime, utcnow


def _enum(kind, length: int = 24):
    return Enum(kind, native_enum=False, length=length)


class CertificateType(enum.StrEnum):
    """特种作业操作证, or 安全生产知识和管理能力考核合格证 (principal persons and safety managers)."""

    SPECIAL_OPS = "special_ops"
    SAFETY_QUALIFICATION = "safety_qualification"


class CertificateStatus(enum.StrEnum):
    """The recorded state; expiry and review due dates are read from the dates as of any day."""

    #: Created by a pass, waiting for the officer to issue it.
    PENDING = "pending"
    ISSUED = "issued"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    CANCELLED = "cancelled"
    #: Superseded by its replacement (换证): the replacement carries on.
    REPLACED = "replaced"


class CertificateSource(enum.StrEnum):
    """Issued here after a pass, or imported from the records kept before the system."""

    EXAM = "exam"
    IMPORT = "import"


class Certificate(db.Model):
    """One certificate of one person; the issued record is frozen with the SHA-256 of its PDF."""

    __tablename__ = "certificates"
    __table_args__ = (
        # One certificate per pass: the same pass can never be issued twice.
        UniqueConstraint("pass_key", name="uq_certificates_pass_key"),
        # A special-operations number is "T" + the ID number, shared by a holder's operations.
        UniqueConstraint("number", "operation_subtype", "generation", name="uq_certificates_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cert_type: Mapped[CertificateType] = mapped_column(_enum(CertificateType), index=True)
    status: Mapped[CertificateStatus] = mapped_column(_enum(CertificateStatus, 16), index=True,
                                                      default=CertificateStatus.PENDING)
    source: Mapped[CertificateSource] = mapped_column(_enum(CertificateSource, 16),
                                                      default=CertificateSource.EXAM)
    #: Assigned when issued (imports bring theirs).
    number: Mapped[str | None] = mapped_column(String(40), index=True)
    #: 0 for the first certificate under a number; a replacement (换证) is the next generation.
    generation: Mapped[int] = mapped_column(Integer, default=0)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    employment_id: Mapped[int | None] = mapped_column(ForeignKey("employments.id"), index=True)
    #: lms Post value the certificate is for (principal, safety_manager, special_operations).
    post: Mapped[str] = mapped_column(String(24))
    operation_category: Mapped[str | None] = mapped_column(String(8))
    operation_subtype: Mapped[str | None] = mapped_column(String(8), index=True)
    #: What the certificate was created from: "reg:<registration id>" for a pass, "import:<row>".
    pass_key: Mapped[str] = mapped_column(String(64))
    theory_score: Mapped[float | None] = mapped_column(Float)
    practical_score: Mapped[float | None] = mapped_column(Float)
    passed_on: Mapped[date | None] = mapped_column(Date)
    issued_on: Mapped[date | None] = mapped_column(Date, index=True)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    #: The next review (复审) date; None where the rules in force have no review.
    next_review_on: Mapped[date | None] = mapped_column(Date, index=True)
    issuing_authority: Mapped[str | None] = mapped_column(String(200))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: SHA-256 of the PDF as issued; the PDF is rendered again byte for byte from the frozen record.
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    #: Rule versions the dates came from, by rule key.
    rule_versions: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Reissues after loss or damage under the same number (annotated on the certificate).
    reissue_count: Mapped[int] = mapped_column(Integer, default=0)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    status_reason: Mapped[str | None] = mapped_column(Text)
    #: Ground of a revocation from the rules (令30号 第30条), for the record and the reapply bar.
    revocation_ground: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person] = relationship()
    employment: Mapped[Employment | None] = relationship()
    events: Mapped[list["CertificateEvent"]] = relationship(
        back_populates="certificate", order_by="CertificateEvent.id")


class CertificateEvent(db.Model):
    """A lifecycle event: issued, reviewed, extended, replaced, reissued, suspended, revoked, ..."""

    __tablename__ = "certificate_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    #: Rule keys and versions the event applied.
    rule_versions: Mapped[dict] = mapped_column(JSON, default=dict)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    certificate: Mapped[Certificate] = relationship(back_populates="events")
