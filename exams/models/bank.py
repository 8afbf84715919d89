"""Question banks, the knowledge-point tree, versioned questions and staged imports."""

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import ImportStatus, Organization
from lms.models.base import UTCDateTime, utcnow


def _enum(kind, length: int = 16):
    return Enum(kind, native_enum=False, length=length)


class BankPurpose(enum.StrEnum):
    """Exam banks feed real papers (教考分离); practice banks feed practice and mock exams."""

    EXAM = "exam"
    PRACTICE = "practice"


class BankTier(enum.StrEnum):
    """National or provincial tier of the unified bank (暂行办法 Art. 18)."""

    NATIONAL = "national"
    PROVINCIAL = "provincial"


class QuestionType(enum.StrEnum):
    """判断, 单选, 多选."""

    TRUE_FALSE = "true_false"
    SINGLE = "single"
    MULTIPLE = "multiple"


class QuestionStatus(enum.StrEnum):
    """Review workflow; only published questions reach papers and practice."""

    DRAFT = "draft"
    REVIEWED = "reviewed"
    PUBLISHED = "published"
    RETIRED = "retired"


class QuestionBank(db.Model):
    """A bank of questions owned by an organization (exam centre or enterprise)."""

    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[BankPurpose] = mapped_column(_enum(BankPurpose), index=True)
    tier: Mapped[BankTier] = mapped_column(_enum(BankTier), default=BankTier.PROVINCIAL)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organization: Mapped[Organization] = relationship()


class KnowledgePoint(db.Model):
    """A node of the knowledge-point tree shared by all banks; ``path`` allows subtree queries."""

    __tablename__ = "knowledge_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_points.id"))
    #: Materialised path of codes such as "/elec/elec.shock/".
    path: Mapped[str] = mapped_column(String(400), index=True)

    parent: Mapped["KnowledgePoint | None"] = relationship(remote_side=[id])

    @property
    def depth(self) -> int:
        """Number of ancestors."""
        return self.path.count("/") - 2


class Question(db.Model):
    """A question's identity and selection data; its wording lives in immutable versions."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_bank_stem", "bank_id", "norm_stem"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"), index=True)
    qtype: Mapped[QuestionType] = mapped_column(_enum(QuestionType))
    knowledge_point_id: Mapped[int] = mapped_column(ForeignKey("knowledge_points.id"), index=True)
    difficulty: Mapped[int] = mapped_column(Integer)
    status: Mapped[QuestionStatus] = mapped_column(_enum(QuestionStatus), default=QuestionStatus.DRAFT)
    #: Posts (lms Post values) the question applies to; empty means every post.
    posts: Mapped[list] = mapped_column(JSON, default=list)
    #: Operation category or sub-type codes ("1", "1.2"); empty means every operation.
    operation_codes: Mapped[list] = mapped_column(JSON, default=list)
    #: Stem folded for duplicate detection (NFKC, no whitespace or punctuation, case-folded).
    norm_stem: Mapped[str] = mapped_column(String(255))
    #: Number of the current version.
    version_no: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    bank: Mapped[QuestionBank] = relationship()
    knowledge_point: Mapped[KnowledgePoint] = relationship()
    versions: Mapped[list["QuestionVersion"]] = relationship(
        back_populates="question", order_by="QuestionVersion.number")

    @property
    def current(self) -> "QuestionVersion":
        """The version new papers use."""
        return next(v for v in self.versions if v.number == self.version_no)


class QuestionVersion(db.Model):
    """The wording, options and key of one question at one time; papers point here."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    stem: Mapped[str] = mapped_column(Text)
    #: File name of an image in the instance folder, shown under the stem.
    image: Mapped[str | None] = mapped_column(String(80))
    #: Option texts in their original order (empty for true/false).
    options: Mapped[list] = mapped_column(JSON, default=list)
    #: Indexes of the correct options; true/false uses [0] for true and [1] for false.
    key: Mapped[list] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))

    question: Mapped[Question] = relationship(back_populates="versions")


class QuestionImport(db.Model):
    """A parsed upload held for review; confirming writes its valid items in one transaction."""

    __tablename__ = "question_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"), index=True)
    #: None when the command line did the import.
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    filename: Mapped[str] = mapped_column(String(255))
    fmt: Mapped[str] = mapped_column(String(16))
    #: Text encoding detected for CSV files.
    encoding: Mapped[str | None] = mapped_column(String(16))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[ImportStatus] = mapped_column(_enum(ImportStatus), default=ImportStatus.PENDING)
    items: Mapped[list] = mapped_column(JSON, default=list)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    #: What the reader saw besides items: {"columns": {header: field}, "categories": {path: code or
    #: NEW_KP + path}, "notes": [{"pos", "reason"}]}, shown on the review page.
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    bank: Mapped[QuestionBank] = relationship()
