"""Pages and endpoints: heartbeats over HTTP, CSRF, uploads by content, Range, XSS, assignment."""

import io
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from courses.models import AssetKind, Catalogue, CourseStatus, Enrollment, LessonAsset, StudyRecord
from lms.extensions import db
from lms.models import AuditEvent, Post
from lms.roles import Role

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"1 0 obj\n<<>>\nendobj\n" * 20
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40


@pytest.fixture
def world(course_world):
    return course_world


def post_beat(client, world, **extra):
    body = {"enrollment": world["enrollment"].id, "lesson": world["course"].lessons[0].id}
    body.update(extra)
    return client.post("/courses/study/heartbeat", json=body)


def test_heartbeat_endpoint_opens_then_extends_the_record(client, login, world):
    login("learner")
    first = post_beat(client, world)
    assert first.status_code == 200 and first.json == {"credited": 0, "refused": None}
    record = db.session.scalar(select(StudyRecord))
    assert record.person_id == world["person"].id and record.open_person_id == world["person"].id


def test_forged_heartbeat_over_http_is_refused_with_403_and_audited(client, login, world):
    login("learner")
    response = post_beat(client, world, client_time=4102444800000)  # the year 2100
    assert response.status_code == 403 and response.json["refused"] == "future_time"
    assert db.session.scalar(select(AuditEvent.actor_id).where(
        AuditEvent.action == "courses.heartbeat_refused")) is not None
    assert post_beat(client, world, lesson="x").status_code == 400


def test_heartbeat_needs_a_person_and_a_signed_in_account(client, login, world):
    anonymous = post_beat(client, world)
    assert anonymous.status_code == 401 and anonymous.json["refused"] == "not_signed_in"
    login("admin")
    assert post_beat(client, world).status_code == 403


def test_heartbeat_with_csrf_on_needs_the_header_token(strict_app, world):
    client = strict_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"username": "learner", "password": "correct-horse-battery",
                                "csrf_token": token})
    lesson = client.get(f"/courses/lessons/{world['course'].lessons[0].id}").get_data(as_text=True)
    csrf = re.search(r'data-csrf="([^"]+)"', lesson).group(1)
    body = {"enrollment": world["enrollment"].id, "lesson": world["course"].lessons[0].id}
    assert client.post("/courses/study/heartbeat", json=body).status_code == 400
    ok = client.post("/courses/study/heartbeat", json=body, headers={"X-CSRFToken": csrf})
    assert ok.status_code == 200


XSS = [
    "<script>alert('x1')</script>",
    "[click](javascript:alert('x2'))",
    "<img src=x onerror=alert('x3')>",
    "![pic](javascript:alert('x4'))",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<a href=\"#\" onclick=\"alert('x5')\">a</a>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]


class ActiveContent(HTMLParser):
    """Collect tags and attributes that could run script; escaped text is harmless."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "iframe", "object", "embed", "style"}:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith(
                    ("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag}[{name}={value}]")


@pytest.mark.parametrize("payload", XSS)
def test_lesson_markdown_keeps_no_script(client, login, world, payload):
    lesson = world["course"].lessons[0]
    lesson.body_md = f"# 标题\n\n{payload}\n\n**加粗** 与 [链接](https://example.org)"
    db.session.commit()
    login("learner")
    html = client.get(f"/courses/lessons/{lesson.id}").get_data(as_text=True)
    body = html[html.index('class="lesson-body"'):html.index("</article>")]
    assert "<strong>加粗</strong>" in body and 'href="https://example.org"' in body
    parser = ActiveContent()
    parser.feed(body)
    assert parser.found == []


def test_active_content_detector_sees_script():
    """Control for the check above: the detector does flag live payloads."""
    parser = ActiveContent()
    parser.feed("<script>x</script><img src=x onerror=y><a href='javascript:z'>a</a>")
    assert len(parser.found) == 3


def upload(client, lesson_id, data: bytes, name: str):
    return client.post(f"/courses/author/lessons/{lesson_id}",
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.mark.parametrize(("data", "name", "kind", "mime"), [
    (PNG, "图.png", AssetKind.IMAGE, "image/png"),
    (PDF, "handout.jpg", AssetKind.PDF, "application/pdf"),
    (MP4, "video.bin", AssetKind.VIDEO, "video/mp4"),
])
def test_uploads_are_typed_by_content_not_by_name(client, login, world, data, name, kind, mime):
    login("trainer")
    lesson = world["course"].lessons[0]
    assert upload(client, lesson.id, data, name).status_code == 302
    asset = db.session.scalar(select(LessonAsset))
    assert (asset.kind, asset.mime, asset.size, asset.filename) == (kind, mime, len(data), name)


@pytest.mark.parametrize("data", [b"<html><script>alert(1)</script></html>", b"MZ\x90\x00exe", b""])
def test_uploads_of_other_content_are_refused_whatever_the_name(client, login, world, data):
    login("trainer")
    response = upload(client, world["course"].lessons[0].id, data, "photo.png")
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(LessonAsset.id))) == 0


def test_uploads_over_the_size_limit_are_refused(app, client, login, world, monkeypatch):
    monkeypatch.setitem(app.config, "COURSES_UPLOAD_MAX_BYTES", 1000)
    login("trainer")
    response = upload(client, world["course"].lessons[0].id, PNG + b"\x00" * 2000, "big.png")
    assert response.status_code in {200, 413}
    assert db.session.scalar(select(func.count(LessonAsset.id))) == 0


def test_video_is_served_with_range_requests(client, login, world):
    login("trainer")
    upload(client, world["course"].lessons[0].id, MP4, "v.mp4")
    asset = db.session.scalar(select(LessonAsset))
    client.post("/logout")
    login("learner")
    whole = client.get(f"/courses/files/{asset.id}")
    assert whole.status_code == 200 and whole.data == MP4
    assert whole.headers["Accept-Ranges"] == "bytes"
    part = client.get(f"/courses/files/{asset.id}", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == MP4[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(MP4)}"
    assert part.headers["X-Content-Type-Options"] == "nosniff"
    whole.close()
    part.close()


def test_lesson_needs_an_enrolment(client, login, make, world):
    other = make.person("未分配", org=world["ent"], post=Post.OTHER)
    make.account("other", Role.LEARNER, org=world["ent"], person=other)
    login("other")
    assert client.get(f"/courses/{world['course'].id}").status_code == 200
    assert client.get(f"/courses/lessons/{world['course'].lessons[0].id}").status_code == 404


def test_self_enrolment_is_for_public_courses_only(client, login, make, world):
    cf = world["cf"]
    public = cf.course(world["ent"], title="公众安全常识", catalogue=Catalogue.PUBLIC)
    other = make.person("自学者", org=world["ent"], post=Post.OTHER)
    make.account("self", Role.LEARNER, org=world["ent"], person=other)
    login("self")
    client.post(f"/courses/{public.id}/enrol")
    client.post(f"/courses/{world['course'].id}/enrol")
    enrolled = db.session.scalars(select(Enrollment.course_id).where(
        Enrollment.person_id == other.id)).all()
    assert enrolled == [public.id]


def test_admin_assigns_a_course_to_all_safety_managers(client, login, make, world):
    second = make.person("王安全", org=world["ent"], post=Post.SAFETY_MANAGER)
    make.person("赵工人", org=world["ent"], post=Post.OTHER)
    course2 = world["cf"].course(world["ent"], title="应急管理")
    login("admin")
    response = client.post("/courses/admin/assign", data={
        "organization": world["ent"].id, "courses": [course2.id], "post": "safety_manager",
        "due_date": "2030-06-30"})
    assert response.status_code == 302
    people = set(db.session.scalars(select(Enrollment.person_id).where(
        Enrollment.course_id == course2.id)))
    assert people == {world["person"].id, second.id}
    page = client.get(f"/courses/admin/progress?org={world['ent'].id}&course={course2.id}")
    html = page.get_data(as_text=True)
    assert "王安全" in html and "赵工人" not in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "courses.assigned"))
    assert event.details["added"] == 2


def test_admin_sees_what_each_employee_still_misses_and_by_when(client, login, world):
    """Annual retraining of a high-risk safety manager: 16 class hours by the end of the year."""
    login("admin")
    html = client.get(f"/courses/admin/progress?org={world['ent'].id}&year=2026").get_data(
        as_text=True)
    row = html[html.index("李安全"):]
    row = row[:row.index("</tr>")]
    assert "16 学时" in row and "0.00 学时" in row and "16.00 学时" in row
    assert "2026-12-31" in row


def test_trainer_authors_previews_publishes_and_retires(client, login, world):
    login("trainer")
    response = client.post("/courses/author", data={
        "owner": world["ent"].id, "title": "受限空间作业", "summary": "概要",
        "catalogue": "special_operations", "operation_category": "9", "induction_level": ""})
    course_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.post(f"/courses/author/{course_id}/publish").status_code == 302
    from courses.models import Course

    assert db.session.get(Course, course_id).status is CourseStatus.DRAFT  # no lesson yet
    client.post(f"/courses/author/{course_id}", data={"m-module_title": "第一章"})
    module_id = db.session.get(Course, course_id).modules[0].id
    client.post(f"/courses/author/{course_id}", data={
        "l-module": module_id, "l-title": "通风检测", "l-body_md": "先通风，再检测，后作业。",
        "l-minutes": 30})
    lesson = db.session.get(Course, course_id).lessons[0]
    assert "先通风" in client.get(f"/courses/author/lessons/{lesson.id}/preview").get_data(as_text=True)
    client.post(f"/courses/author/{course_id}/publish")
    db.session.expire_all()
    assert db.session.get(Course, course_id).status is CourseStatus.PUBLISHED
    client.post(f"/courses/author/{course_id}/retire")
    db.session.expire_all()
    assert db.session.get(Course, course_id).status is CourseStatus.RETIRED


def test_induction_recorded_by_admin_and_confirmed_by_the_employee(client, login, world):
    login("admin")
    client.post(f"/courses/admin/induction?org={world['ent'].id}", data={
        "i-person": world["person"].id, "i-level": "factory", "i-held_on": "2025-03-02",
        "i-trainer": "王师傅", "i-class_hours": "8", "i-content": "厂级安全教育"})
    from courses.models import InductionRecord

    record = db.session.scalar(select(InductionRecord))
    assert record.level == "factory" and record.confirmed_at is None
    client.post("/logout")
    login("learner")
    assert "厂级安全教育" in client.get("/courses/mine").get_data(as_text=True)
    client.post(f"/courses/mine/induction/{record.id}/confirm")
    db.session.expire_all()
    assert db.session.get(InductionRecord, record.id).confirmed_at is not None
