"""A learner studies a lesson and sees the time rise; an admin assigns a course and sees who is behind."""

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from courses.models import (
    Catalogue,
    Course,
    CourseModule,
    CourseStatus,
    Enrollment,
    Lesson,
    StudyRecord,
)
from lms.extensions import db
from lms.models import Post
from lms.roles import Role

from support import PASSWORD

pytestmark = pytest.mark.browser


def published_course(owner, title, lessons):
    course = Course(title=title, summary="化工企业安全管理人员年度再培训课程。",
                    catalogue=Catalogue.SAFETY_MANAGER, owner_org_id=owner.id,
                    status=CourseStatus.PUBLISHED)
    module = CourseModule(course=course, title="第一章 安全管理职责", position=1)
    db.session.add_all([course, module])
    db.session.flush()
    for n, (name, text) in enumerate(lessons, start=1):
        db.session.add(Lesson(module=module, course_id=course.id, title=name, body_md=text,
                              minutes=1, position=n))
    db.session.commit()
    return course


def sign_in(page, live_server, username):
    page.goto(live_server + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def enrolled_learner(make) -> Course:
    """A safety manager with the login "learner", enrolled in a two-lesson course."""
    make.rules()
    ent = make.org("无锡恒通化工有限公司", high_risk=True, industry="hazardous_chemicals")
    person = make.person("李安全", org=ent, post=Post.SAFETY_MANAGER)
    course = published_course(ent, "危险化学品安全管理", [
        ("安全管理人员的职责", "## 职责\n\n- 组织安全培训\n- 排查事故隐患\n\n**如实记录培训情况。**"),
        ("隐患排查", "## 台账\n\n隐患要闭环管理。")])
    db.session.add(Enrollment(course_id=course.id, person_id=person.id, organization_id=ent.id))
    make.account("learner", Role.LEARNER, org=ent, person=person)
    db.session.commit()
    return course


def credited_seconds() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.sum(StudyRecord.seconds))) or 0


def test_learner_studies_a_lesson_and_sees_the_time_rise(app, live_server, page, make, shoot,
                                                         axe_check, monkeypatch, nav):
    monkeypatch.setitem(app.config, "COURSES_HEARTBEAT_SECONDS", 1)
    enrolled_learner(make)

    sign_in(page, live_server, "learner")
    nav(page, "我的培训").click()
    page.get_by_role("link", name="危险化学品安全管理").click()
    page.get_by_role("link", name="安全管理人员的职责").click()
    clock = page.locator("#lesson-time")
    assert clock.inner_text() == "0:00"
    page.mouse.move(200, 300)
    # Locator expectations, not wait_for_function: the CSP forbids the eval that the latter uses.
    expect(page.locator("#lesson-time")).not_to_have_text("0:00", timeout=10_000)
    page.wait_for_timeout(1500)
    assert page.get_by_text("正在计时。").is_visible()
    axe_check(page)
    shoot(page, "courses-lesson-zh")
    assert credited_seconds() >= 2

    nav(page, "我的培训").click()
    axe_check(page)
    assert page.get_by_role("cell", name="0:00", exact=True).count() == 0
    shoot(page, "courses-mine-zh")

    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", name=f"Statutory training hours in {date.today().year}").is_visible()
    assert page.get_by_text("16 class hours").is_visible()
    assert page.get_by_text("SAWS Order No. 3, Art. 9").is_visible()
    axe_check(page)
    shoot(page, "courses-mine-en")


def test_signing_out_elsewhere_stops_the_lesson_clock(app, live_server, page, make, shoot,
                                                      axe_check, monkeypatch):
    """On a shared computer, a lesson tab left open must not go on crediting its learner."""
    monkeypatch.setitem(app.config, "COURSES_HEARTBEAT_SECONDS", 1)
    course = enrolled_learner(make)
    sign_in(page, live_server, "learner")
    page.goto(f"{live_server}/courses/lessons/{course.lessons[0].id}")
    page.mouse.move(200, 300)
    # Locator expectations, not wait_for_function: the CSP forbids the eval that the latter uses.
    expect(page.locator("#lesson-time")).not_to_have_text("0:00", timeout=10_000)

    # The sign-out another tab would send: same browser, same session cookie. The lesson page
    # stays in front, as it does once the learner closes that other tab.
    signed_out = page.context.request.post(f"{live_server}/logout", max_redirects=0)
    assert signed_out.status == 302

    page.mouse.move(300, 320)
    expect(page.locator("#clock-state")).to_contain_text("退出登录", timeout=10_000)
    assert page.get_by_text("您已退出登录，本页不再记录学习时长。请重新登录后继续学习。").is_visible()
    after_sign_out = credited_seconds()
    for x in (320, 340, 360):  # still "active", but nothing more is credited
        page.mouse.move(x, 330)
        page.wait_for_timeout(1000)
    assert credited_seconds() == after_sign_out
    axe_check(page)
    shoot(page, "courses-lesson-signed-out-zh")


def test_admin_assigns_a_course_to_all_safety_managers_and_sees_who_is_behind(
        live_server, page, make, shoot, axe_check, nav):
    make.rules()
    ent = make.org("无锡恒通化工有限公司", high_risk=True, industry="hazardous_chemicals")
    diligent = make.person("王勤学", org=ent, post=Post.SAFETY_MANAGER)
    make.person("赵未学", org=ent, post=Post.SAFETY_MANAGER)
    make.person("钱工人", org=ent, post=Post.OTHER)
    course = published_course(ent, "安全管理人员年度再培训", [("法规更新", "## 新法规\n\n要点。")])
    make.account("ent_admin", Role.ENTERPRISE_ADMIN, org=ent)
    start = datetime.now(UTC) - timedelta(hours=1)
    db.session.add(StudyRecord(person_id=diligent.id, lesson_id=course.lessons[0].id,
                               course_id=course.id, started_at=start,
                               ended_at=start + timedelta(seconds=90), seconds=90))
    db.session.commit()

    sign_in(page, live_server, "ent_admin")
    nav(page, "培训进度").click()
    axe_check(page)
    shoot(page, "courses-progress-people-zh")
    page.get_by_role("link", name="分配课程").click()
    page.get_by_label("课程", exact=True).select_option(label="安全管理人员年度再培训")
    page.get_by_label("岗位").select_option(label="安全管理人员")
    page.get_by_label("截止日期").fill("2030-06-30")
    axe_check(page)
    shoot(page, "courses-assign-zh")
    page.get_by_role("button", name="分配", exact=True).click()
    page.wait_for_url("**/courses/admin/progress*")
    assert page.get_by_text("已为 2 人分配 2 项课程。").is_visible()
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    assert "赵未学" in rows.nth(0).inner_text() and "未开始" in rows.nth(0).inner_text()
    assert "王勤学" in rows.nth(1).inner_text() and "已完成" in rows.nth(1).inner_text()
    assert "钱工人" not in page.content()
    axe_check(page)
    shoot(page, "courses-progress-course-zh")
