"""Organizations: enterprises, exam centres, schools and regulators, each placed in a region."""

import enum

from sqlalchemy import Boolean, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.region import Region


class OrgKind(enum.StrEnum):
    """What an organization is."""

    ENTERPRISE = "enterprise"
    EXAM_CENTRE = "exam_centre"
    SCHOOL = "school"
    REGULATOR = "regulator"


class Organization(db.Model):
    """An organization in a region; enterprises carry an industry and a high-risk flag."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(Enum(OrgKind, native_enum=False, length=16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Unified social credit code (统一社会信用代码) or another registration code.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    #: Industry code from lms/data/industries.json; enterprises only.
    industry: Mapped[str | None] = mapped_column(String(32))
    is_high_risk: Mapped[bool] = mapped_column(Boolean, default=False)

    region: Mapped[Region] = relationship()
