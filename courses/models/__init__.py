"""Courses models; importing this module registers every courses table."""

from courses.models.cases import WarningCase
from courses.models.course import (
    AssetKind,
    Catalogue,
    Course,
    CourseModule,
    CourseStatus,
    Lesson,
    LessonAsset,
)
from courses.models.external import ExternalTraining
from courses.models.ledger import Enrollment, EnrollmentSource, StudyRecord
from courses.models.records import InductionLevel, InductionRecord, WorkAbsence

__all__ = [
    "AssetKind", "Catalogue", "Course", "CourseModule", "CourseStatus", "Enrollment",
    "EnrollmentSource", "ExternalTraining", "InductionLevel", "InductionRecord", "Lesson", "LessonAsset",
    "StudyRecord", "WarningCase", "WorkAbsence",
]
