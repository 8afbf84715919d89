"""Effective-dated rule values with a scope (national, province, city)."""

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.region import Region


class RuleValue(db.Model):
    """One value of one rule, valid from ``valid_from`` until the day before ``valid_to``."""

    __tablename__ = "rule_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Dotted rule key such as "hours.principal_safety_manager.initial.high_risk".
    key: Mapped[str] = mapped_column(String(96), index=True)
    #: None means national; otherwise the province or city the value applies to.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    value: Mapped[object] = mapped_column(JSON)
    unit: Mapped[str | None] = mapped_column(String(24))
    #: Confidence tag from the domain reference: C confirmed, S secondary, U unconfirmed.
    tag: Mapped[str] = mapped_column(String(1))
    source: Mapped[str] = mapped_column(Text)
    #: Human-readable label of the rule version, named in every computed result.
    version: Mapped[str] = mapped_column(String(64))

    region: Mapped[Region | None] = relationship()
