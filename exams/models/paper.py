"""Blueprints (paper recipes) and frozen papers."""

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Enum, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exams.models.bank import KnowledgePoint, QuestionBank, QuestionType
from lms.extensions import db
from lms.models import Organization
from lms.models.base import UTCDateTime, utcnow


class Blueprint(db.Model):
    """Counts per question type x knowledge point x difficulty range, points, duration, pass mark."""

    __tablename__ = "blueprints"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: "special_ops_theory", "principal" or "custom".
    exam_kind: Mapped[str] = mapped_column(String(32))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    #: Post (lms Post value) and operation sub-type the paper is for; None means any.
    post: Mapped[str | None] = mapped_column(String(24))
    operation_code: Mapped[str | None] = mapped_column(String(8))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    pass_mark: Mapped[float] = mapped_column(Float)
    #: Points per question type, e.g. {"true_false": 1, "single": 1}.
    points: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Multiple-choice scoring: all-or-nothing unless partial credit is switched on.
    partial_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Rule versions the defaults came from, keyed by rule key.
    rule_versions: Mapped[dict] = mapped_column(JSON, default=dict)
    #: True when counts are local choices rather than rule values ([U] in the domain reference).
    counts_unconfirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organization: Mapped[Organization] = relationship()
    cells: Mapped[list["BlueprintCell"]] = relationship(
        back_populates="blueprint", cascade="all, delete-orphan", order_by="BlueprintCell.id")

    @property
    def question_count(self) -> int:
        """Questions per paper."""
        return sum(c.count for c in self.cells)

    @property
    def total_points(self) -> float:
        """Points per paper."""
        return sum(c.count * self.points.get(c.qtype.value, 1) for c in self.cells)


class BlueprintCell(db.Model):
    """One cell of a blueprint: how many questions of a type, knowledge point and difficulty range."""

    __tablename__ = "blueprint_cells"

    id: Mapped[int] = mapped_column(primary_key=True)
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("blueprints.id"), index=True)
    qtype: Mapped[QuestionType] = mapped_column(Enum(QuestionType, native_enum=False, length=16))
    #: The knowledge point and everything below it; None means any knowledge point.
    knowledge_point_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_points.id"))
    difficulty_min: Mapped[int] = mapped_column(Integer, default=1)
    difficulty_max: Mapped[int] = mapped_column(Integer, default=5)
    count: Mapped[int] = mapped_column(Integer)

    blueprint: Mapped[Blueprint] = relationship(back_populates="cells")
    knowledge_point: Mapped[KnowledgePoint | None] = relationship()


class PaperPurpose(enum.StrEnum):
    """Why a paper was assembled."""

    EXAM = "exam"
    MAKEUP = "makeup"
    MOCK = "mock"
    ASSESSMENT = "assessment"


class Paper(db.Model):
    """One candidate's paper, frozen at assembly: question versions, option order and keys."""

    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(primary_key=True)
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("blueprints.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"), index=True)
    purpose: Mapped[PaperPurpose] = mapped_column(Enum(PaperPurpose, native_enum=False, length=16))
    #: Label of the exam session the paper belongs to (sessions come in a later issue).
    session_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    form_no: Mapped[int] = mapped_column(Integer, default=0)
    mean_difficulty: Mapped[float] = mapped_column(Float)
    total_points: Mapped[float] = mapped_column(Float)
    pass_mark: Mapped[float] = mapped_column(Float)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    partial_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    rule_versions: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    blueprint: Mapped[Blueprint] = relationship()
    bank: Mapped[QuestionBank] = relationship()
    items: Mapped[list["PaperItem"]] = relationship(order_by="PaperItem.position")


class PaperItem(db.Model):
    """A question version on a paper with the option order shown and the key remapped to it."""

    __tablename__ = "paper_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    qtype: Mapped[str] = mapped_column(String(16))
    points: Mapped[float] = mapped_column(Float)
    #: option_order[i] is the original index of the option shown in place i.
    option_order: Mapped[list] = mapped_column(JSON)
    #: Correct options in shown positions.
    key: Mapped[list] = mapped_column(JSON)

    version = relationship("QuestionVersion")
