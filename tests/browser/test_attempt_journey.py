"""The exam itself, in Chromium: a candidate signs in at the seat and starts, answers, loses the
network and keeps answering (the answers wait in the browser), gets it back and every answer is
acknowledged; the invigilator, in a second browser on the console, sees the answers arrive, gives
extra time, pauses and resumes, and the candidate's page shows each; the browser
is closed, the server hands the attempt in at the deadline, and a new seat shows it handed in."""

from datetime import timedelta

import pytest
from attempts_world import MORNING, build_exam, registrations
from sqlalchemy import select

from exams.attempts.cli import run_once
from exams.attempts.models import AttemptStatus, ExamAnswer, ExamAttempt
from exams.centres.models import Registration
from lms.clock import FixedClock, install_clock
from lms.extensions import db

from support import PASSWORD

pytestmark = pytest.mark.browser

START = MORNING + timedelta(minutes=5)  # 09:00 Beijing time


@pytest.fixture
def world(app, make):
    exam = build_exam(make)
    clock = FixedClock(START)
    install_clock(app, clock)
    yield exam, clock
    app.extensions.pop("lms.clock", None)


def seat_context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(20_000)
    return context, context.new_page()


def seat_sign_in(page, base, reg):
    page.goto(base + "/centre/seat")
    page.get_by_label("准考证号").fill(reg.ticket_number)
    page.get_by_label("身份证号").fill(reg.person.id_number)
    page.get_by_label("场次验证码").fill(reg.session.access_code)
    page.locator("#language").select_option("en")
    page.get_by_role("button", name="登录").click()
    page.get_by_text(reg.ticket_number).first.wait_for()


def answer(page, number, option):
    """Go to question ``number`` with the navigator and pick ``option`` (its label text)."""
    page.locator(f"#nav-{number}").click()
    question = page.locator(f"#q-{number}")
    question.wait_for(state="visible")
    question.get_by_label(option, exact=True).check()


def stored(attempt_id) -> dict[int, list]:
    """The answers the database holds, by question number."""
    db.session.rollback()  # a fresh transaction sees what the server committed
    attempt = db.session.get(ExamAttempt, attempt_id)
    number = {item.id: n for n, item in enumerate(attempt.paper.items, start=1)}
    return {number[a.paper_item_id]: a.choice for a in db.session.scalars(
        select(ExamAnswer).where(ExamAnswer.attempt_id == attempt_id))}


def staff_sign_in(page, base, username):
    page.goto(base + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/dashboard")


def act(row, button: str, fields: dict) -> None:
    """Open the row's action panel on the console, fill a form and press its button."""
    row.locator("summary").click()
    form = row.locator("form").filter(has=row.page.get_by_role("button", name=button, exact=True))
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.get_by_role("button", name=button, exact=True).click()
    row.page.wait_for_load_state()
    row.page.locator(".flash").first.wait_for()


def seconds_shown(page) -> int:
    return int(page.locator("#time-left").get_attribute("data-seconds"))


def test_an_exam_keeps_every_answer_through_an_outage_and_ends_at_the_deadline(
        live_server, browser, world, axe_check, shoot):
    exam, clock = world
    reg = registrations(exam)[0]
    reg_id = reg.id
    invigilator = exam.accounts["invigilator"]
    context, page = seat_context(browser)
    seat_sign_in(page, live_server, reg)
    axe_check(page)
    page.get_by_role("button", name="Start the exam").click()
    page.wait_for_url(live_server + "/exam/attempt")
    attempt_id = db.session.scalar(select(ExamAttempt.id).where(ExamAttempt.registration_id == reg.id))

    # One question at a time; the navigator marks answered questions as they are saved.
    page.locator("#q-1").wait_for(state="visible")
    assert not page.locator("#q-2").is_visible()
    answer(page, 1, "True")
    page.get_by_role("link", name="Next").first.click()
    page.locator("#q-2").get_by_label("False", exact=True).check()
    page.locator("#q-2").get_by_label("Flag for review").check()
    answer(page, 3, "True")
    page.locator("#sync-state").filter(has_text="All answers saved").wait_for()
    assert stored(attempt_id) == {1: [0], 2: [1], 3: [0]}
    assert "flagged" in page.locator("#nav-2").get_attribute("class")
    axe_check(page)
    shoot(page, "attempt-page")

    # The invigilator, in a second browser, watches the room on the console.
    staff_context, console = seat_context(browser)
    staff_sign_in(console, live_server, invigilator.username)
    console.goto(f"{live_server}/exam/console/{exam.session.id}")
    console.get_by_role("row").filter(has_text=reg.person.name).filter(has_text="3 / 100").wait_for()

    # The network goes: answers keep being taken and wait in the browser, marked as waiting.
    context.set_offline(True)
    answer(page, 4, "False")
    answer(page, 5, "True")
    answer(page, 2, "True")  # changed while offline: the newer choice must win
    single = 71  # the paper puts the 70 true/false questions first
    page.locator(f"#nav-{single}").click()
    page.locator(f"#q-{single}").get_by_role("radio").nth(2).check()
    page.locator("#sync-state").filter(has_text="Offline").wait_for()
    for number in (4, 5, 2, single):
        page.locator(f"#nav-{number}.offline").wait_for()
    assert "Waiting to send" in page.locator(f"#q-{single}").inner_text()
    assert stored(attempt_id) == {1: [0], 2: [1], 3: [0]}
    shoot(page, "attempt-offline")

    # A reload while offline loses nothing: the queue is in the browser's storage.
    context.set_offline(False)
    page.reload()
    page.locator("#sync-state").filter(has_text="All answers saved").wait_for()
    assert stored(attempt_id) == {1: [0], 2: [0], 3: [0], 4: [1], 5: [0], single: [2]}
    page.goto(live_server + "/exam/attempt?view=list")
    page.locator("#q-2").get_by_label("True", exact=True).wait_for()
    assert page.locator("#q-2").get_by_label("True", exact=True).is_checked()
    assert page.locator("#q-100").is_visible()
    axe_check(page)
    page.goto(live_server + "/exam/attempt#q-6")
    page.locator("#q-6").wait_for(state="visible")

    # The console, open all along, has counted the answers that arrived, without a reload.
    row = console.get_by_role("row").filter(has_text=reg.person.name)
    row.filter(has_text="6 / 100").wait_for()
    axe_check(console)
    shoot(console, "attempt-console")

    # Extra time given on the console reaches the candidate's page with the next poll.
    before = seconds_shown(page)
    act(row, "延长时间", {"minutes": "10", "reason": "视力障碍，需放大字号"})
    page.wait_for_function("least => Number(document.getElementById('time-left').dataset.seconds) > least",
                           arg=before + 500)

    # A pause stops the clock and the answers; the resume gives both back.
    row = console.get_by_role("row").filter(has_text=reg.person.name)
    act(row, "暂停考试", {"reason": "考场停电"})
    notice = page.locator("#notice")
    notice.filter(has_text="paused").wait_for()
    assert page.locator("#q-6 input[type=radio]").first.is_disabled()
    shoot(page, "attempt-paused")
    row = console.get_by_role("row").filter(has_text=reg.person.name)
    act(row, "继续考试", {})
    notice.filter(has_text="resumed").wait_for()
    assert page.locator("#q-6 input[type=radio]").first.is_enabled()

    # Large text is one button away and stays chosen on this computer.
    page.get_by_role("button", name="Large text").click()
    page.reload()
    page.locator("html.large-text").wait_for(state="attached")
    assert page.get_by_role("button", name="Large text").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Large text").click()

    # While an answer has not reached the server, the summary holds the hand-in button back.
    page.route("**/exam/attempt/answers", lambda route: route.abort())
    answer(page, 7, "True")
    page.get_by_role("link", name="Review and hand in").first.click()
    page.get_by_role("heading", name="Review and hand in").wait_for()
    page.locator("#flush-state").filter(has_text="You can hand in once every answer is saved").wait_for()
    assert page.get_by_role("button", name="Hand in my exam").is_disabled()
    page.unroute("**/exam/attempt/answers")
    # Once it is acknowledged the summary is drawn again with it and hand-in is open.
    page.get_by_text("7 of 100 questions answered").wait_for()
    assert page.get_by_role("button", name="Hand in my exam").is_enabled()
    axe_check(page)
    shoot(page, "attempt-summary")

    # The workstation dies; the invigilator lets the candidate move, but the time runs out first.
    act(console.get_by_role("row").filter(has_text=reg.person.name), "允许换机继续", {})
    db.session.rollback()
    assert db.session.get(ExamAttempt, attempt_id).move_allowed
    staff_context.close()
    context.close()
    db.session.expire_all()
    deadline = db.session.get(ExamAttempt, attempt_id).deadline_at
    clock.set(deadline + timedelta(seconds=1))
    assert run_once()["submitted"] == 1
    done = db.session.get(ExamAttempt, attempt_id)
    assert done.status is AttemptStatus.SUBMITTED and done.submitted_by == "deadline"
    answers = stored(attempt_id)
    done = db.session.get(ExamAttempt, attempt_id)
    right = [n for n, item in enumerate(done.paper.items, start=1) if answers.get(n) == item.key]
    assert done.points == sum(done.paper.items[n - 1].points for n in right) and 4 in answers

    context, page = seat_context(browser)
    seat_sign_in(page, live_server, db.session.get(Registration, reg_id))
    page.get_by_role("link", name="Your exam has been handed in").click()
    page.get_by_role("heading", name="Your exam has been handed in").wait_for()
    assert "the server handed in your answers" in page.inner_text("main")
    axe_check(page)
    shoot(page, "attempt-done")
    context.close()
