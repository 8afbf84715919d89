"""A lesson left alone stops its study clock after COURSES_IDLE_SECONDS: real Chromium, with the
page's timers fast-forwarded by Playwright's clock so ten minutes pass in a moment."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from courses.models import Catalogue, Course, CourseModule, CourseStatus, Enrollment, Lesson, StudyRecord
from lms.extensions import db
from lms.models import Post
from lms.roles import Role

from support import PASSWORD

pytestmark = pytest.mark.browser

BEAT_PATH = "/courses/study/heartbeat"


def lesson_of_a_learner(make) -> Lesson:
    """A published one-lesson course the login "learner" is enrolled in."""
    make.rules()
    ent = make.org("无锡恒通化工有限公司", high_risk=True, industry="hazardous_chemicals")
    person = make.person("李安全", org=ent, post=Post.SAFETY_MANAGER)
    course = Course(title="危险化学品安全管理", summary="年度再培训。", catalogue=Catalogue.SAFETY_MANAGER,
                    owner_org_id=ent.id, status=CourseStatus.PUBLISHED)
    module = CourseModule(course=course, title="第一章", position=1)
    db.session.add_all([course, module])
    db.session.flush()
    lesson = Lesson(module_id=module.id, course_id=course.id, title="安全管理人员的职责",
                    body_md="## 职责", minutes=30, position=1)
    db.session.add_all([lesson, Enrollment(course_id=course.id, person_id=person.id,
                                           organization_id=ent.id)])
    db.session.commit()
    make.account("learner", Role.LEARNER, org=ent, person=person)
    return lesson


def is_beat(request) -> bool:
    return request.url.endswith(BEAT_PATH)


def is_stop_beat(request) -> bool:
    return is_beat(request) and request.post_data_json["stop"]


def open_study_records() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(StudyRecord.open_person_id.is_not(None)))


def test_an_idle_lesson_page_stops_sending_beats_after_the_idle_cut_off(app, live_server, page, make):
    # The shipped settings: a beat every 30 s while the learner was active in the last 300 s.
    assert (app.config["COURSES_HEARTBEAT_SECONDS"], app.config["COURSES_IDLE_SECONDS"]) == (30, 300)
    lesson = lesson_of_a_learner(make)
    beats = []
    page.on("request", lambda r: beats.append(r.post_data_json) if is_beat(r) else None)
    # The page's clock starts in the past, so fast-forwarded beats never carry a future time.
    page.clock.install(time=datetime.now(UTC) - timedelta(minutes=30))
    page.goto(live_server + "/login")
    page.get_by_label("用户名").fill("learner")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    with page.expect_request(is_beat):
        page.goto(f"{live_server}/courses/lessons/{lesson.id}")
    page.mouse.move(200, 300)  # the last input: from here on the learner is away

    page.clock.run_for("04:30")  # still within the cut-off: the clock runs
    page.wait_for_function(f"document.getElementById('clock-state').textContent"
                           f" === {page.locator('#clock-state').get_attribute('data-running')!r}")
    # Wait for the stop beat's answer, not just its sending: the record is closed once it is answered.
    with page.expect_response(lambda r: is_stop_beat(r.request), timeout=10_000):
        page.clock.run_for("01:30")  # past 300 s without input; without a cut-off it never comes
    page.wait_for_timeout(500)  # real time: let any beat the page still sends arrive
    active = [b for b in beats if not b["stop"]]
    assert 10 <= len(active) <= 11, len(active)  # on loading, then every 30 s up to 300 s
    assert [b["stop"] for b in beats] == [False] * len(active) + [True]
    assert beats[-1]["client_time"] - beats[0]["client_time"] <= 330_000
    paused = page.locator("#clock-state").get_attribute("data-paused")
    assert page.locator("#clock-state").inner_text() == paused
    assert open_study_records() == 0  # the stop beat closed the record: nothing more is credited

    page.clock.run_for("10:00")  # a long absence sends nothing at all
    page.wait_for_timeout(500)
    assert len(beats) == len(active) + 1
    assert open_study_records() == 0
