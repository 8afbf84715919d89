"""Authorization-matrix plug-in for the courses package (see tests/lms/test_authz_matrix.py)."""

from datetime import UTC, date, datetime

from itsdangerous import URLSafeTimedSerializer

from courses import tickets
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


def secrets(prefix: str) -> list[str]:
    """Marker texts of the out-of-scope course records."""
    return [f"{prefix}乙秘密课程", f"{prefix}乙秘密课时", f"{prefix}乙秘密入职培训内容"]


def extend_world(world, make):
    """A course, lesson, file, enrolment, study record and induction record of the foreign enterprise."""
    foreign, person_b = world["foreign"], world["person_b"]
    marks = secrets(world["place"].prefix)
    course = Course(title=marks[0], summary=marks[0], catalogue=Catalogue.SAFETY_MANAGER,
                    owner_org_id=foreign.id, status=CourseStatus.PUBLISHED)
    module = CourseModule(course=course, title="模块", position=1)
    db.session.add_all([course, module])
    db.session.flush()
    lesson = Lesson(module=module, course_id=course.id, title=marks[1], body_md=marks[1],
                    minutes=30, position=1)
    db.session.add(lesson)
    db.session.flush()
    asset = LessonAsset(lesson_id=lesson.id, kind=AssetKind.PDF, sha256="0" * 64,
                        mime="application/pdf", size=10, filename=f"{marks[1]}.pdf")
    enrollment = Enrollment(course_id=course.id, person_id=person_b.id, organization_id=foreign.id)
    induction = InductionRecord(person_id=person_b.id, organization_id=foreign.id, level="factory",
                                held_on=date(2025, 1, 5), trainer="乙", class_hours=8,
                                content=marks[2])
    now = datetime(2025, 5, 1, 1, 0, tzinfo=UTC)
    record = StudyRecord(person_id=person_b.id, lesson_id=lesson.id, course_id=course.id,
                         started_at=now, ended_at=now, seconds=600)
    case = WarningCase(title="教学案例", summary="概要", causes="原因", lessons_learned="教训",
                       industries=["machinery"], posts=["other"])
    db.session.add_all([asset, enrollment, induction, record, case])
    db.session.flush()
    # Study tickets: one forged with a guessed key, one genuine but binding a home person to the
    # foreign enrolment (the ledger must still refuse it).
    forged = URLSafeTimedSerializer("guessed-key", salt=tickets.SALT).dumps([person_b.id, enrollment.id])
    misbound = tickets.issue_ticket(world["person_a"].id, enrollment.id)
    world["courses"] = {"course": course, "lesson": lesson, "asset": asset, "induction": induction,
                        "enrollment": enrollment, "case": case, "forged_ticket": forged,
                        "misbound_ticket": misbound}
    world["secrets"].extend(marks)


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
        # Without a ticket the signed-in session is tried: nobody's person holds the enrolment, so
        # it answers like a missing one (accounts without a person have nothing to record: 403).
        "courses.heartbeat_view": [("POST", "/courses/study/heartbeat",
                                    {"enrollment": c["enrollment"].id, "lesson": fl}, "beat"),
                                   ("POST", "/courses/study/heartbeat",
                                    {"ticket": c["forged_ticket"], "lesson": fl}, "api"),
                                   ("POST", "/courses/study/heartbeat",
                                    {"ticket": c["misbound_ticket"], "lesson": fl}, "object")],
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


# --- Drill results (courses/drills) -------------------------------------------------------------
# Appended as wrappers so the entries above stay exactly as they are.


def drill_secrets(prefix: str) -> list[str]:
    """Marker texts of the out-of-scope drill run."""
    return [f"{prefix}乙秘密演练班", f"{prefix}乙秘密学员"]


def drills_extend_world(world):
    """A drill run reported by the foreign enterprise."""
    from courses.drills.models import DrillResult

    marks = drill_secrets(world["place"].prefix)
    result = DrillResult(
        organization_id=world["foreign"].id, class_name=marks[0], participant=marks[1],
        drill="escape", drill_version="1.0", seed=1, run_id="5d0c3d2e-1f6a-4b7c-8d9e-0a1b2c3d4e5f",
        started_at=datetime.now(UTC), duration_s=60.0, score=40, max_score=100, passed=False,
        language="zh_CN", outcome="collapsed", outcome_text=marks[1], decisions=[
            {"code": "lift", "correct": False, "critical": True, "t": 1.0, "points": 0, "max_points": 20,
             "message_id": "lift", "text": marks[0]}],
        details={}, reported_by_id=world["b_admin"].id)
    db.session.add(result)
    db.session.flush()
    world["drill_result"] = result
    world["secrets"].extend(marks)


def drills_cases(w):
    """Requests per drill-results endpoint."""
    fo = w["foreign"].id
    return {
        "drills.results": [("GET", "/courses/drills/", None, "drills.view"),
                           ("GET", f"/courses/drills/?org={fo}", None, "object")],
        "drills.run": [("GET", f"/courses/drills/runs/{w['drill_result'].id}", None, "object")],
        "drills.region": [("GET", "/courses/drills/region", None, "drills.oversee")],
        "drills_api.post_result": [("POST", "/api/v1/drill-results", None, "api")],
    }


_courses_extend_world, _courses_cases = extend_world, cases


def extend_world(world, make):  # noqa: F811
    """The courses records, then the drill-results ones."""
    _courses_extend_world(world, make)
    drills_extend_world(world)


def cases(w):  # noqa: F811
    """The courses cases plus the drill-results ones."""
    return {**_courses_cases(w), **drills_cases(w)}


# --- Training done elsewhere (courses/external.py) -----------------------------------------------


def external_extend_world(world):
    """Training done elsewhere by the foreign enterprise's employee, entered by that enterprise."""
    from courses.models import ExternalTraining

    mark = f"{world['place'].prefix}乙秘密外部培训机构"
    record = ExternalTraining(person_id=world["person_b"].id, organization_id=world["foreign"].id,
                              provider=mark, title=mark, started_on=date(2025, 3, 1),
                              ended_on=date(2025, 3, 2), class_hours=16, proof_sha256="0" * 64,
                              proof_mime="application/pdf")
    db.session.add(record)
    db.session.flush()
    world["external_training"] = record
    world["secrets"].append(mark)


def external_cases(w):
    """Requests per external-training endpoint."""
    pb = w["person_b"].id
    return {
        "courses.external_training": [
            ("GET", f"/courses/admin/people/{pb}/external", None, "object"),
            ("POST", f"/courses/admin/people/{pb}/external",
             {"organization": w["foreign"].id, "provider": "x", "title": "x", "started_on": "2025-01-01",
              "ended_on": "2025-01-02", "class_hours": 8}, "object")],
        "courses.external_proof": [
            ("GET", f"/courses/admin/external/{w['external_training'].id}/proof", None, "object")],
    }


_with_drills_extend_world, _with_drills_cases = extend_world, cases


def extend_world(world, make):  # noqa: F811
    """The courses and drill records, then training done elsewhere."""
    _with_drills_extend_world(world, make)
    external_extend_world(world)


def cases(w):  # noqa: F811
    """The courses and drill cases plus the external-training ones."""
    return {**_with_drills_cases(w), **external_cases(w)}
