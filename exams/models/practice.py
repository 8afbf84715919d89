"""Practice and mock-exam attempts, their answers and each learner's wrong-answer book."""

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exams.models.bank import QuestionBank
from exams.models.paper import Paper
from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class AttemptKind(enum.StrEnum):
    """Practice by knowledge point, a mock exam on a real blueprint, or a lesson quiz round."""

    PRACTICE = "practice"
    MOCK = "mock"
    #: A round of a quiz attached to a course lesson.
    LESSON_QUIZ = "lesson_quiz"


class PracticeAttempt(db.Model):
    """A learner's practice round or mock exam."""

    __tablename__ = "practice_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"), index=True)
    kind: Mapped[AttemptKind] = mapped_column(Enum(AttemptKind, native_enum=False, length=16))
    knowledge_point_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_points.id"))
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("papers.id"), index=True)
    #: The lesson quiz a LESSON_QUIZ round belongs to.
    lesson_quiz_id: Mapped[int | None] = mapped_column(ForeignKey("lesson_quizzes.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)

    bank: Mapped[QuestionBank] = relationship()
    paper: Mapped[Paper | None] = relationship()
    lesson_quiz = relationship("LessonQuiz")
    answers: Mapped[list["PracticeAnswer"]] = relationship(order_by="PracticeAnswer.id")


class PracticeAnswer(db.Model):
    """One answer: the options chosen (original indexes), whether right, the points earned."""

    __tablename__ = "practice_answers"
    # A paper item is answered once per attempt: a second hand-in can never add a second answer.
    __table_args__ = (UniqueConstraint("attempt_id", "paper_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("practice_attempts.id"), index=True)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), index=True)
    paper_item_id: Mapped[int | None] = mapped_column(ForeignKey("paper_items.id"))
    chosen: Mapped[list] = mapped_column(JSON)
    correct: Mapped[bool] = mapped_column(Boolean)
    points: Mapped[float] = mapped_column(Float, default=0)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version = relationship("QuestionVersion")


class WrongAnswer(db.Model):
    """A question a learner got wrong; it leaves the book when answered right in review."""

    __tablename__ = "wrong_answers"
    __table_args__ = (UniqueConstraint("account_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    last_chosen: Mapped[list] = mapped_column(JSON, default=list)
    times_wrong: Mapped[int] = mapped_column(Integer, default=1)
    last_wrong_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Kind of attempt that put it in the book, for the learner's filter.
    source: Mapped[str] = mapped_column(String(16), default="practice")

    version = relationship("QuestionVersion")
