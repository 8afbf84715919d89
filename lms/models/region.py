"""Administrative regions (province > city > district) keyed by GB/T 2260 codes."""

import enum

from sqlalchemy import Enum, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db


class RegionLevel(enum.StrEnum):
    """Administrative level of a region."""

    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"


class Region(db.Model):
    """An administrative region; ``path`` lists codes from the province down for subtree queries."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Six-digit GB/T 2260 code.
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    level: Mapped[RegionLevel] = mapped_column(Enum(RegionLevel, native_enum=False, length=16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    #: Materialised path such as "/320000/320200/320213/" so "this region and below" is a prefix match.
    path: Mapped[str] = mapped_column(String(64), index=True)

    parent: Mapped["Region | None"] = relationship(remote_side=[id])

    def display_name(self, locale: str) -> str:
        """Name in the requested locale."""
        return self.name_en if locale.startswith("en") else self.name_zh

    def subtree_ids(self):
        """Select the ids of this region and every region below it."""
        return select(Region.id).where(Region.path.startswith(self.path))

    def is_within(self, other: "Region") -> bool:
        """True when this region is ``other`` or lies below it."""
        return self.path.startswith(other.path)
