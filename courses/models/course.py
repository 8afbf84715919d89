"""Course > module > lesson, and the files attached to lessons."""

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import Organization
from lms.models.base import UTCDateTime, utcnow


class Catalogue(enum.StrEnum):
    """Which catalogue a course belongs to: one per key post, all staff, induction, public."""

    PRINCIPAL = "principal"
    SAFETY_MANAGER = "safety_manager"
    SPECIAL_OPERATIONS = "special_operations"
    ALL_STAFF = "all_staff"
    INDUCTION = "induction"
    PUBLIC = "public"


class CourseStatus(enum.StrEnum):
    """Authoring lifecycle: drafts are previewed, published courses studied, retired ones kept."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class AssetKind(enum.StrEnum):
    """What a lesson file is, decided from its content."""

    IMAGE = "image"
    VIDEO = "video"
    PDF = "pdf"


class Course(db.Model):
    """A course owned by an organization (an enterprise, the exam centre or a regulator)."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    catalogue: Mapped[Catalogue] = mapped_column(Enum(Catalogue, native_enum=False, length=24),
                                                 index=True)
    #: Special-operations category code ("1" .. "11") for the special-operations catalogue.
    operation_category: Mapped[str | None] = mapped_column(String(8))
    #: factory / workshop / team for the induction catalogue.
    induction_level: Mapped[str | None] = mapped_column(String(16))
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[CourseStatus] = mapped_column(
        Enum(CourseStatus, native_enum=False, length=16), default=CourseStatus.DRAFT, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    owner: Mapped[Organization] = relationship()
    modules: Mapped[list["CourseModule"]] = relationship(
        back_populates="course", order_by="CourseModule.position", cascade="all, delete-orphan")

    @property
    def lessons(self) -> list["Lesson"]:
        """Every lesson in module order."""
        return [lesson for module in self.modules for lesson in module.lessons]


class CourseModule(db.Model):
    """A chapter of a course."""

    __tablename__ = "course_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list["Lesson"]] = relationship(
        back_populates="module", order_by="Lesson.position", cascade="all, delete-orphan")


class Lesson(db.Model):
    """A lesson: Markdown text plus images, videos and PDF attachments."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_modules.id"), index=True)
    #: Copied from the module so the heartbeat checks a lesson against an enrolment in one lookup.
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text, default="")
    #: Planned study time; a lesson counts as done once this much time is credited.
    minutes: Mapped[int] = mapped_column(Integer, default=45)

    module: Mapped[CourseModule] = relationship(back_populates="lessons")
    assets: Mapped[list["LessonAsset"]] = relationship(
        back_populates="lesson", order_by="LessonAsset.id", cascade="all, delete-orphan")


class LessonAsset(db.Model):
    """A file shown in a lesson; the bytes live in the instance folder under their SHA-256."""

    __tablename__ = "lesson_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    kind: Mapped[AssetKind] = mapped_column(Enum(AssetKind, native_enum=False, length=8))
    sha256: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(48))
    size: Mapped[int] = mapped_column(Integer)
    #: Name the uploader gave the file, shown as its caption; never used to find the bytes.
    filename: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lesson: Mapped[Lesson] = relationship(back_populates="assets")
