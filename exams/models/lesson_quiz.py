"""Practice quizzes attached to course lessons; questions come from a practice bank only (教考分离)."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.models import Lesson
from exams.models.bank import KnowledgePoint, QuestionBank
from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class LessonQuiz(db.Model):
    """A lesson's quiz: which practice bank and knowledge-point subtree, how many questions, pass share."""

    __tablename__ = "lesson_quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), unique=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"), index=True)
    #: The knowledge point and everything below it; None means the whole bank.
    knowledge_point_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_points.id"))
    question_count: Mapped[int] = mapped_column(Integer)
    #: Share of right answers (0..1] needed to pass; None means the quiz is for practice only.
    pass_share: Mapped[float | None] = mapped_column(Float)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set when detached; the row stays so past attempts keep their title in the archive.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lesson: Mapped[Lesson] = relationship()
    bank: Mapped[QuestionBank] = relationship()
    knowledge_point: Mapped[KnowledgePoint | None] = relationship()
