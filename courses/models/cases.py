"""Warning-education case library (事故警示教育)."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class WarningCase(db.Model):
    """An accident case with its causes and lessons, linked to posts and industries."""

    __tablename__ = "warning_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    causes: Mapped[str] = mapped_column(Text)
    lessons_learned: Mapped[str] = mapped_column(Text)
    #: Industry codes from lms/data/industries.json.
    industries: Mapped[list] = mapped_column(JSON, default=list)
    #: Post values (lms.models.Post) and special-operations category codes ("cat:1").
    posts: Mapped[list] = mapped_column(JSON, default=list)
    #: True for cases written for teaching, not reports of a real accident.
    is_teaching_example: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
