"""One drill run reported by a school, experience hall or enterprise."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import Account, Organization
from lms.models.base import UTCDateTime, utcnow


class DrillResult(db.Model):
    """A finished drill run as the drill program reported it; ``run_id`` makes retries safe."""

    __tablename__ = "drill_results"
    # Every page filters one organization's runs by start time.
    __table_args__ = (Index("ix_drill_results_org_started", "organization_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The school / experience hall / enterprise of the reporting account.
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    class_name: Mapped[str | None] = mapped_column(String(128))
    #: Free text typed on the drill computer (a pupil's name or number); not a Person.
    participant: Mapped[str | None] = mapped_column(String(128))
    drill: Mapped[str] = mapped_column(String(32))
    #: Version of the drill's rules and scoring.
    drill_version: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(BigInteger)
    #: uuid4 chosen by the drill program; the LMS dedupes on it.
    run_id: Mapped[str] = mapped_column(String(36), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Simulated seconds from start to end.
    duration_s: Mapped[float] = mapped_column(Float)
    score: Mapped[int] = mapped_column(Integer)
    max_score: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    #: Language the run was played in (zh_CN or en); the teaching texts are in it.
    language: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str] = mapped_column(String(64))
    outcome_text: Mapped[str] = mapped_column(Text, default="")
    #: Judged decisions as sent: code, correct, critical, t, points, max_points, message_id, text.
    decisions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)

    organization: Mapped[Organization] = relationship()
    reported_by: Mapped[Account] = relationship()

    @property
    def mistakes(self) -> list[dict[str, Any]]:
        """The wrong decisions, in the order they were made."""
        return [d for d in self.decisions if not d.get("correct")]
