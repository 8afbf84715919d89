"""People keyed by resident ID number, and their employments (person x enterprise x post)."""

import enum
from datetime import date

from sqlalchemy import Boolean, Date, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.idcard import mask_id_number
from lms.models.organization import Organization


class Person(db.Model):
    """A real human; the resident ID number (GB 11643) identifies them across enterprises."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    birth_date: Mapped[date] = mapped_column(Date)
    #: Highest education (Education value), where known: exam eligibility asks for it.
    education: Mapped[str | None] = mapped_column(String(16))
    #: Photo in the file store (content digest), shown at check-in and printed on tickets.
    photo_digest: Mapped[str | None] = mapped_column(String(64))

    employments: Mapped[list["Employment"]] = relationship(back_populates="person")

    @property
    def masked_id(self) -> str:
        """ID number with the birth date and sequence hidden, for lists."""
        return mask_id_number(self.id_number)


class Education(enum.StrEnum):
    """Highest completed schooling, in ascending order."""

    PRIMARY = "primary"
    JUNIOR_MIDDLE = "junior_middle"
    SENIOR_HIGH = "senior_high"
    COLLEGE = "college"

    @property
    def rank(self) -> int:
        """Position in the order, for "at least" comparisons."""
        return list(Education).index(self)


class Post(enum.StrEnum):
    """Post held in an enterprise; the first three are the key posts (三项岗位)."""

    PRINCIPAL = "principal"
    SAFETY_MANAGER = "safety_manager"
    SPECIAL_OPERATIONS = "special_operations"
    OTHER = "other"

    @property
    def is_key_post(self) -> bool:
        """True for the three key posts that need a certificate to work."""
        return self is not Post.OTHER


class Employment(db.Model):
    """A person holding a post at an enterprise between ``start_date`` and ``end_date``."""

    __tablename__ = "employments"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    post: Mapped[Post] = mapped_column(Enum(Post, native_enum=False, length=24))
    #: Special-operations category and sub-type codes from lms/data/operation_categories.json.
    operation_category: Mapped[str | None] = mapped_column(String(8))
    operation_subtype: Mapped[str | None] = mapped_column(String(8))
    department: Mapped[str | None] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    #: Actually working in the post now (as opposed to on leave or assigned elsewhere).
    is_on_the_job: Mapped[bool] = mapped_column(Boolean, default=True)

    person: Mapped[Person] = relationship(back_populates="employments")
    organization: Mapped[Organization] = relationship()
