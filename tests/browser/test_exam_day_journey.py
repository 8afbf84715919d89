"""The exam day up to the start, in Chromium: a centre admin schedules and publishes a session, an
enterprise admin registers three employees (one refused, with the rule shown), tickets are printed,
registration closes, the invigilator checks one candidate in by ID number and one by the ticket's QR
text, and a candidate who was not checked in cannot sign in at the seat."""

from datetime import UTC, date, datetime

import pytest
from centres_world import add_person, build_day
from sqlalchemy import select

from exams.centres.models import ExamSession, Registration, SessionStatus
from lms.clock import FixedClock, install_clock
from lms.extensions import db

from support import PASSWORD

pytestmark = pytest.mark.browser

#: Registration open: 2026-12-01 10:00 Beijing time; the exam: 2026-12-20 09:00-11:00.
BEFORE = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
EXAM_MORNING = datetime(2026, 12, 20, 0, 30, tzinfo=UTC)


@pytest.fixture
def world(app, make):
    day = build_day(make)
    # The published session of the fixture is not the one of this journey: the admin makes it.
    db.session.delete(day.session)
    newcomer = add_person("新来的电工", day.enterprise, start=date(2026, 11, 2), seq=900)
    db.session.commit()
    clock = FixedClock(BEFORE)
    install_clock(app, clock)
    yield day, newcomer, clock
    app.extensions.pop("lms.clock", None)


def sign_in(page, base, username):
    page.goto(base + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/dashboard")


def sign_out(page):
    page.get_by_role("button", name="退出").click()


def schedule(page, base, day, nav, axe_check, shoot) -> ExamSession:
    sign_in(page, base, "centre_admin")
    nav(page, "考试场次").click()
    axe_check(page)
    page.get_by_role("link", name="新建场次").click()
    page.locator("#title").fill("低压电工作业理论考试（十二月）")
    page.locator("#operation_subtype").select_option("1.2")
    page.locator("#blueprint").select_option(str(day.blueprint.id))
    page.locator("#bank").select_option(str(day.bank.id))
    page.locator("#day").fill("2026-12-20")
    page.locator("#start").fill("09:00")
    page.locator("#end").fill("11:00")
    page.locator("#registration_closes").fill("2026-12-13T18:00")
    page.get_by_label(day.room.name, exact=False).check()
    page.locator(f"select[name^='staff-invigilator-{day.accounts['invigilator'].id}']").select_option("any")
    axe_check(page)
    shoot(page, "exam-day-new-session")
    page.get_by_role("button", name="创建草稿").click()
    page.get_by_role("button", name="发布并开放报名").click()
    shoot(page, "exam-day-after-publish")
    page.get_by_text("已开放报名").first.wait_for()
    axe_check(page)
    shoot(page, "exam-day-session-published")
    sign_out(page)
    return db.session.scalar(select(ExamSession))


def register_three(page, base, session, day, newcomer, nav, axe_check, shoot):
    sign_in(page, base, "ent_admin")
    nav(page, "考试报名").click()
    axe_check(page)
    page.get_by_role("link", name=session.code).click()
    for person in (day.employees[0], day.employees[1], newcomer):
        page.get_by_label("身份证号").fill(person.id_number)
        page.get_by_label("已签署个人健康书面承诺", exact=False).check()
        page.get_by_role("button", name="报名", exact=True).click()
    refusal = page.get_by_role("alert")
    refusal.wait_for()
    text = refusal.inner_text()
    assert "培训学时" in text and "岗前培训" in text and "令3号" in text, text
    axe_check(page)
    shoot(page, "exam-day-registration-refused")
    page.get_by_role("link", name="打印准考证").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="打印准考证").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    sign_out(page)


def close_and_open(page, base, session, clock, shoot):
    sign_in(page, base, "centre_admin")
    page.goto(f"{base}/centre/sessions/{session.id}")
    page.get_by_role("button", name="截止报名并固定试卷").click()
    page.get_by_text("已截止报名").first.wait_for()
    shoot(page, "exam-day-registration-closed")
    sign_out(page)
    # The exam morning, 19 days later: yesterday's sign-ins have long expired.
    clock.set(EXAM_MORNING)
    sign_in(page, base, "centre_admin")
    page.goto(f"{base}/centre/sessions/{session.id}")
    page.get_by_role("button", name="开考").click()
    page.get_by_text("考试进行中").first.wait_for()
    sign_out(page)


def check_in(page, base, session, day, nav, axe_check, shoot):
    sign_in(page, base, "invigilator")
    nav(page, "签到").click()
    axe_check(page)
    page.get_by_role("link", name="签到").first.click()
    by_id, by_ticket = day.employees[0], day.employees[1]
    page.get_by_label("准考证号或身份证号").fill(by_id.id_number.lower())
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=by_id.name).wait_for()
    axe_check(page)
    shoot(page, "exam-day-checkin-match")
    page.get_by_role("button", name="签到入场").click()
    ticket = db.session.scalar(select(Registration.ticket_number).where(
        Registration.person_id == by_ticket.id, Registration.session_id == session.id))
    # A USB scanner types the QR's text (the ticket number) and presses Enter.
    field = page.get_by_label("准考证号或身份证号")
    field.wait_for()
    assert page.evaluate("document.activeElement.id") == "scan-q"
    page.keyboard.type(ticket)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=by_ticket.name).wait_for()
    page.get_by_role("button", name="签到入场").click()
    for person in (by_id, by_ticket):
        page.get_by_role("row").filter(has_text=person.name).get_by_text("已到").wait_for()
    shoot(page, "exam-day-checkin-roster")
    sign_out(page)


def seat_sign_in(page, base, person, ticket, code):
    page.goto(base + "/centre/seat")
    page.get_by_label("准考证号").fill(ticket)
    page.get_by_label("身份证号").fill(person.id_number)
    page.get_by_label("场次验证码").fill(code)
    page.get_by_role("button", name="登录").click()


def test_exam_day_from_scheduling_to_the_seat(live_server, page, browser, world, nav, axe_check, shoot):
    day, newcomer, clock = world
    session = schedule(page, live_server, day, nav, axe_check, shoot)
    assert session.status is SessionStatus.PUBLISHED
    register_three(page, live_server, session, day, newcomer, nav, axe_check, shoot)
    db.session.expire_all()
    regs = db.session.scalars(select(Registration).where(Registration.session_id == session.id)).all()
    assert sorted(r.person_id for r in regs) == sorted([day.employees[0].id, day.employees[1].id])
    # The exam centre registers the refused newcomer with a written reason (training exempt).
    page.goto(live_server + "/login")
    sign_in(page, live_server, "centre_admin")
    page.goto(f"{live_server}/centre/sessions/{session.id}/registrations")
    page.get_by_label("身份证号").fill(newcomer.id_number)
    page.get_by_label("已签署个人健康书面承诺", exact=False).check()
    page.locator("#override_reason").fill("持有效职业技能等级证书，按2026年修订可免培训直接参加考试")
    page.get_by_role("button", name="报名", exact=True).click()
    page.get_by_text(newcomer.name).first.wait_for()
    sign_out(page)
    close_and_open(page, live_server, session, clock, shoot)
    check_in(page, live_server, session, day, nav, axe_check, shoot)

    db.session.expire_all()
    session = db.session.get(ExamSession, session.id)
    tickets = {r.person_id: r.ticket_number for r in db.session.scalars(
        select(Registration).where(Registration.session_id == session.id))}
    seat = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN").new_page()
    seat_sign_in(seat, live_server, newcomer, tickets[newcomer.id], session.access_code)
    seat.get_by_text("尚未签到").first.wait_for()
    axe_check(seat)
    shoot(seat, "exam-day-seat-refused")
    seat_sign_in(seat, live_server, day.employees[0], tickets[day.employees[0].id], session.access_code)
    seat.get_by_text(tickets[day.employees[0].id]).first.wait_for()
    axe_check(seat)
    shoot(seat, "exam-day-seat-ready")
    seat.context.close()
