"""Trainers write courses: create, add modules, lessons and files, preview, publish, retire."""

from datetime import datetime

from sqlalchemy import func, select

from courses.files import store_upload
from courses.models import (
    Catalogue,
    Course,
    CourseModule,
    CourseStatus,
    Lesson,
    LessonAsset,
)
from lms.audit import record_event
from lms.extensions import db
from lms.models import Account, Organization


class AuthoringRefused(ValueError):
    """The change is not allowed in the course's current state."""


def create_course(actor: Account, owner: Organization, *, title: str, summary: str,
                  catalogue: Catalogue, operation_category: str | None = None,
                  induction_level: str | None = None) -> Course:
    """Create a draft course owned by ``owner``."""
    course = Course(title=title, summary=summary, catalogue=catalogue, owner_org_id=owner.id,
                    operation_category=operation_category if catalogue is Catalogue.SPECIAL_OPERATIONS
                    else None,
                    induction_level=induction_level if catalogue is Catalogue.INDUCTION else None,
                    created_by_id=actor.id, status=CourseStatus.DRAFT)
    db.session.add(course)
    db.session.flush()
    record_event("courses.course_created", actor=actor, target=course, organization_id=owner.id,
                 title=title)
    return course


def add_module(course: Course, title: str) -> CourseModule:
    """Append a module to the course."""
    position = len(course.modules) + 1
    module = CourseModule(course=course, title=title, position=position)
    db.session.add(module)
    db.session.flush()
    return module


def add_lesson(module: CourseModule, *, title: str, body_md: str, minutes: int) -> Lesson:
    """Append a lesson to the module."""
    position = (db.session.scalar(select(func.max(Lesson.position))
                                  .where(Lesson.module_id == module.id)) or 0) + 1
    lesson = Lesson(module=module, course_id=module.course_id, title=title, body_md=body_md,
                    minutes=minutes, position=position)
    db.session.add(lesson)
    db.session.flush()
    return lesson


def update_lesson(actor: Account, lesson: Lesson, *, title: str, body_md: str, minutes: int) -> None:
    """Change a lesson's text or planned length."""
    lesson.title, lesson.body_md, lesson.minutes = title, body_md, minutes
    record_event("courses.lesson_updated", actor=actor, target=lesson,
                 organization_id=lesson.module.course.owner_org_id)


def attach_file(actor: Account, lesson: Lesson, stream, filename: str, limit: int) -> LessonAsset:
    """Store an uploaded file (checked by content) and attach it to the lesson."""
    sniffed, digest, size = store_upload(stream, limit)
    asset = LessonAsset(lesson=lesson, kind=sniffed.kind, mime=sniffed.mime, sha256=digest,
                        size=size, filename=(filename or "file")[:255])
    db.session.add(asset)
    db.session.flush()
    record_event("courses.file_attached", actor=actor, target=asset,
                 organization_id=lesson.module.course.owner_org_id, sha256=digest, size=size)
    return asset


def publish(actor: Account, course: Course, now: datetime) -> None:
    """Make a draft course available; it needs at least one lesson."""
    if course.status is CourseStatus.RETIRED:
        raise AuthoringRefused("retired")
    if not course.lessons:
        raise AuthoringRefused("empty")
    course.status, course.published_at = CourseStatus.PUBLISHED, now
    record_event("courses.course_published", actor=actor, target=course,
                 organization_id=course.owner_org_id)


def retire(actor: Account, course: Course, now: datetime) -> None:
    """Withdraw a course: it leaves the catalogue; past study stays in the ledger."""
    course.status, course.retired_at = CourseStatus.RETIRED, now
    record_event("courses.course_retired", actor=actor, target=course,
                 organization_id=course.owner_org_id)
