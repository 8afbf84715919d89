"""Authorization-matrix plug-in for the courses package (see tests/lms/test_authz_matrix.py)."""

from datetime import UTC, date, datetime

from courses.models import (
    AssetKind,
    Catalogue,
    Course,
    CourseModule,
    CourseStatus,
    Enrollment,
    InductionRecord,
    Lesson,
    LessonAsset,
    StudyRecord,
    WarningCase,
)
from lms.extensions import db

SECRETS = ["六安乙秘密课程", "乙秘密课时", "乙秘密入职培训内容"]


def extend_world(world, make):
    """A course, lesson, file, enrolment, study record and induction record of the Lu'an enterprise."""
    foreign, person_b = world["foreign"], world["person_b"]
    course = Course(title=SECRETS[0], summary=SECRETS[0], catalogue=Catalogue.SAFETY_MANAGER,
                    owner_org_id=foreign.id, status=CourseStatus.PUBLISHED)
    module = CourseModule(course=course, title="模块", position=1)
    db.session.add_all([course, module])
    db.session.flush()
    lesson = Lesson(module=module, course_id=course.id, title=SECRETS[1], body_md=SECRETS[1],
                    minutes=30, position=1)
    db.session.add(lesson)
    db.session.flush()
    asset = LessonAsset(lesson_id=lesson.id, kind=AssetKind.PDF, sha256="0" * 64,
                        mime="application/pdf", size=10, filename=f"{SECRETS[1]}.pdf")
    enrollment = Enrollment(course_id=course.id, person_id=person_b.id, organization_id=foreign.id)
    induction = InductionRecord(person_id=person_b.id, organization_id=foreign.id, level="factory",
                                held_on=date(2025, 1, 5), trainer="乙", class_hours=8,
                                content=SECRETS[2])
    now = datetime(2025, 5, 1, 1, 0, tzinfo=UTC)
    record = StudyRecord(person_id=person_b.id, lesson_id=lesson.id, course_id=course.id,
                         started_at=now, ended_at=now, seconds=600)
    case = WarningCase(title="教学案例", summary="概要", causes="原因", lessons_learned="教训",
                       industries=["machinery"], posts=["other"])
    db.session.add_all([asset, enrollment, induction, record, case])
    db.session.flush()
    world["courses"] = {"course": course, "lesson": lesson, "asset": asset, "induction": induction,
                        "enrollment": enrollment, "case": case}
    world["secrets"].extend(SECRETS)


def cases(w):
    """Requests per courses endpoint."""
    c = w["courses"]
    fc, fl, fo, pb = c["course"].id, c["lesson"].id, w["foreign"].id, w["person_b"].id
    home = w["home"]["ent"].id
    return {
        "courses.static_file": [("GET", "/courses/static/study.js", None, "open")],
        "courses.catalogue": [("GET", "/courses/", None, "open"),
                              ("GET", "/courses/?catalogue=safety_manager", None, "open")],
        "courses.course": [("GET", f"/courses/{fc}", None, "object")],
        "courses.enrol": [("POST", f"/courses/{fc}/enrol", {}, "object")],
        "courses.lesson": [("GET", f"/courses/lessons/{fl}", None, "object")],
        "courses.asset": [("GET", f"/courses/files/{c['asset'].id}", None, "object")],
        "courses.heartbeat_view": [("POST", "/courses/study/heartbeat",
                                    {"enrollment": c["enrollment"].id, "lesson": fl}, "object")],
        "courses.my_training": [("GET", "/courses/mine", None, "open")],
        "courses.my_archive": [("GET", "/courses/mine/archive.pdf", None, "open")],
        "courses.confirm_induction_view": [
            ("POST", f"/courses/mine/induction/{c['induction'].id}/confirm", {}, "object")],
        "courses.assign_view": [("GET", "/courses/admin/assign", None, "courses.assign"),
                                ("GET", f"/courses/admin/assign?org={fo}", None, "object"),
                                ("POST", "/courses/admin/assign",
                                 {"organization": fo, "courses": [fc], "post": ""}, "object")],
        "courses.progress_view": [("GET", "/courses/admin/progress", None, "courses.progress"),
                                  ("GET", f"/courses/admin/progress?org={home}", None,
                                   "courses.progress"),
                                  ("GET", f"/courses/admin/progress?org={fo}&course={fc}", None,
                                   "object")],
        "courses.person_training": [("GET", f"/courses/admin/people/{pb}", None, "object")],
        "courses.person_archive": [("GET", f"/courses/admin/people/{pb}/archive.pdf", None, "object")],
        "courses.ledger_export": [("GET", f"/courses/admin/ledger.xlsx?org={fo}", None, "object")],
        "courses.induction_view": [("GET", "/courses/admin/induction", None, "courses.induction"),
                                   ("GET", f"/courses/admin/induction?org={fo}", None, "object")],
        "courses.author_index": [("GET", "/courses/author", None, "courses.author"),
                                 ("POST", "/courses/author", {"owner": fo, "title": "x",
                                                              "catalogue": "public"},
                                  "courses.author")],
        "courses.author_course": [("GET", f"/courses/author/{fc}", None, "object"),
                                  ("POST", f"/courses/author/{fc}", {"m-module_title": "x"},
                                   "object")],
        "courses.author_lesson": [("GET", f"/courses/author/lessons/{fl}", None, "object")],
        "courses.preview_lesson": [("GET", f"/courses/author/lessons/{fl}/preview", None, "object")],
        "courses.publish_course": [("POST", f"/courses/author/{fc}/publish", {}, "object")],
        "courses.retire_course": [("POST", f"/courses/author/{fc}/retire", {}, "object")],
        "courses.cases": [("GET", "/courses/cases", None, "open")],
        "courses.case": [("GET", f"/courses/cases/{c['case'].id}", None, "open")],
    }
