"""The candidate's exam pages and their JSON: reached only through the seat's sign-in, no answer key
in anything the browser gets, saves acknowledged after the commit, ordered by sequence number and
refused with a code outside the attempt's time."""

import re
from datetime import timedelta

import pytest
from attempts_world import MORNING, refusals, registrations, stored
from sqlalchemy import func, select

from exams.attempts.models import AttemptEvent, AttemptStatus, ExamAttempt
from exams.attempts.services import extend, pause, start_attempt, terminate
from exams.centres.models import SessionStatus
from exams.models import PaperItem
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import AuditEvent

START = MORNING + timedelta(minutes=5)  # 09:00 Beijing time
EN = {"Accept-Language": "en"}


@pytest.fixture
def clock(app):
    stopped = FixedClock(START)
    install_clock(app, stopped)
    yield stopped
    app.extensions.pop("lms.clock", None)


def seat_in(client, reg):
    """Sign ``reg``'s candidate in at a seat (English pages)."""
    data = {"ticket": reg.ticket_number, "id_number": reg.person.id_number,
            "access_code": reg.session.access_code, "language": "en"}
    response = client.post("/centre/seat", data=data, headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith("/centre/seat/ready")


@pytest.fixture
def seated(app, exam, clock):
    """The first candidate signed in at a seat with the attempt started: (client, attempt)."""
    client = app.test_client()
    reg = registrations(exam)[0]
    seat_in(client, reg)
    response = client.post("/exam/start")
    assert response.status_code == 302 and response.headers["Location"].endswith("/exam/attempt")
    return client, db.session.scalar(select(ExamAttempt).where(ExamAttempt.registration_id == reg.id))


def save(client, item, choice, seq, flagged=False, **headers):
    return client.post("/exam/attempt/answers", json={"item": item, "choice": choice, "flagged": flagged,
                                                      "seq": seq}, headers=headers)


def without_tokens(html: str) -> str:
    return re.sub(r'(data-csrf="|name="csrf_token" type="hidden" value=")[^"]+', r"\1", html)


def test_the_seat_page_offers_the_start_and_then_the_way_back(app, exam, clock):
    client = app.test_client()
    reg = registrations(exam)[0]
    seat_in(client, reg)
    ready = client.get("/centre/seat/ready").get_data(as_text=True)
    assert "Start the exam" in ready and 'action="/exam/start"' in ready
    assert client.post("/exam/start").status_code == 302
    again = client.get("/centre/seat/ready").get_data(as_text=True)
    assert "Go back to the exam" in again and "Start the exam" not in again
    # Pressing start again goes back to the same attempt.
    assert client.post("/exam/start").headers["Location"].endswith("/exam/attempt")
    assert db.session.scalar(select(func.count()).select_from(ExamAttempt)) == 1


def test_a_refused_start_is_told_on_the_seat_page(app, exam, clock):
    client = app.test_client()
    seat_in(client, registrations(exam)[0])
    exam.session.status = SessionStatus.CLOSED
    db.session.commit()
    # The seat sign-in still stands; the attempt may not start in a closed session.
    response = client.post("/exam/start", headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith("/centre/seat/ready")
    assert "The exam has not been opened yet." in client.get("/centre/seat/ready", headers=EN).get_data(
        as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExamAttempt)) == 0


def test_without_a_seat_sign_in_there_is_no_attempt_to_reach(client, exam, clock):
    assert client.get("/exam/attempt").headers["Location"].endswith("/centre/seat")
    assert client.post("/exam/start").headers["Location"].endswith("/centre/seat")
    answer = client.post("/exam/attempt/answers", json={"item": 1, "choice": [0], "seq": 1})
    assert answer.status_code == 404 and answer.json["code"] == "signed_out"
    assert client.get("/exam/attempt/state").status_code == 404
    assert client.post("/exam/attempt/events", json={"kind": "focus_lost"}).status_code == 404


def test_the_paper_shows_every_question_in_shown_order_and_nothing_of_the_keys(seated):
    client, attempt = seated
    page = client.get("/exam/attempt", headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    items = attempt.paper.items
    assert len(items) == 100 and all(i.version.stem in html for i in items)
    single = next(i for i in items if i.qtype == "single")
    shown = [single.version.options[o] for o in single.option_order]
    block = html[html.index(f'data-item="{single.id}"'):]
    assert [block.index(text) for text in shown] == sorted(block.index(text) for text in shown)
    state = client.get("/exam/attempt/state").get_data(as_text=True)
    # The page and the state must not depend on the keys at all: change every key (and add an
    # explanation) and both read exactly the same.
    for item in items:
        item.key = [3] if item.qtype == "single" else [1]
        item.version.key = item.key
        item.version.explanation = "EXPLANATION-MARKER"
    db.session.commit()
    again = client.get("/exam/attempt", headers=EN).get_data(as_text=True)
    assert without_tokens(again) == without_tokens(html)
    assert "EXPLANATION-MARKER" not in again and '"key"' not in again and "data-key" not in again
    state_again = client.get("/exam/attempt/state").get_data(as_text=True)
    assert re.sub(r'"csrf":"[^"]+"', "", state_again) == re.sub(r'"csrf":"[^"]+"', "", state)
    assert "key" not in client.get("/exam/attempt/state").json
    assert "EXPLANATION-MARKER" not in client.get("/exam/attempt/summary").get_data(as_text=True)


def test_the_page_carries_the_server_clock_and_the_stored_answers_with_their_numbers(seated):
    client, attempt = seated
    item = attempt.paper.items[0]
    assert save(client, item.id, [1], 7, flagged=True).json == {"ok": True, "outcome": "saved", "seq": 7,
                                                               "stored_seq": 7}
    html = client.get("/exam/attempt?view=list", headers=EN).get_data(as_text=True)
    assert f'data-now-ms="{int(START.timestamp() * 1000)}"' in html
    assert f'data-deadline-ms="{int(attempt.deadline_at.timestamp() * 1000)}"' in html
    assert 'data-max-seq="7"' in html and 'class="attempt view-list"' in html
    begin = html.index(f'data-item="{item.id}"')
    section = html[begin:html.index("</section>", begin)]
    assert 'data-seq="7"' in section and 'value="1" checked' in section and "checked disabled" not in section
    assert 'data-role="flag" checked' in section
    assert 'class="nav-q answered flagged"' in html


def test_saves_are_acknowledged_after_the_commit_and_ordered_by_sequence(seated):
    client, attempt = seated
    item = attempt.paper.items[0]
    assert save(client, item.id, [0], 1).json["outcome"] == "saved"
    assert save(client, item.id, [1], 3, flagged=True).json["outcome"] == "saved"
    # A replay of an older save is acknowledged (the browser may drop it) and changes nothing.
    late = save(client, item.id, [0], 2)
    assert late.status_code == 200 and late.json == {"ok": True, "outcome": "kept", "seq": 2, "stored_seq": 3}
    assert save(client, item.id, [1], 3, flagged=True).json["outcome"] == "kept"
    assert stored(attempt) == {item.id: ([1], True, 3)}
    assert client.get("/exam/attempt/state").json["answered"] == 1


def test_a_question_of_another_candidates_paper_is_refused_and_logged(seated, exam):
    client, attempt = seated
    other = start_attempt(registrations(exam)[1], START)
    db.session.commit()
    foreign = next(i for i in other.paper.items if i.paper_id != attempt.paper_id)
    response = save(client, foreign.id, [0], 1)
    assert response.status_code == 422 and response.json["ok"] is False and response.json["code"] == "item"
    assert save(client, 10 ** 9, [0], 2).json["code"] == "item"
    assert stored(attempt) == {} and stored(other) == {}
    assert refusals() == ["item", "item"]


@pytest.mark.parametrize("choice", [[4], [-1], [0, 1], ["x"], [None]])
def test_an_option_that_does_not_exist_is_refused_with_422(seated, choice):
    client, attempt = seated
    single = next(i for i in attempt.paper.items if i.qtype == "single")
    response = save(client, single.id, choice, 1)
    assert response.status_code == 422 and response.json["code"] == "option" and response.json["message"]
    assert stored(attempt) == {} and refusals() == ["option"]


@pytest.mark.parametrize("body", [None, [], {"item": "1", "choice": [0], "seq": 1},
                                  {"item": 1, "choice": 0, "seq": 1}, {"item": 1, "choice": [0], "seq": 0},
                                  {"item": 1, "choice": [0], "seq": True}, {"item": 1, "choice": [0]}])
def test_an_unreadable_save_is_refused_with_400(seated, body):
    client, _attempt = seated
    if body is None:
        response = client.post("/exam/attempt/answers", data="not json", content_type="application/json")
    else:
        response = client.post("/exam/attempt/answers", json=body)
    assert response.status_code == 400 and response.json["code"] == "bad_request"


@pytest.mark.parametrize("case", ["after_deadline", "paused", "terminated", "submitted"])
def test_saves_outside_the_attempts_time_are_refused_with_409_and_change_nothing(seated, exam, clock, case):
    client, attempt = seated
    item = attempt.paper.items[0]
    assert save(client, item.id, [0], 1).json["outcome"] == "saved"
    invigilator = exam.accounts["invigilator"]
    if case == "after_deadline":
        clock.set(attempt.deadline_at)
    elif case == "paused":
        pause(attempt, invigilator, START, "停电")
    elif case == "terminated":
        terminate(attempt, invigilator, START, "夹带")
    else:
        assert client.post("/exam/attempt/submit").status_code == 302
    db.session.commit()
    response = save(client, item.id, [1], 2)
    code = {"after_deadline": "over", "paused": "paused", "terminated": "terminated",
            "submitted": "over"}[case]
    assert response.status_code == 409 and response.json["code"] == code and response.json["message"]
    assert stored(attempt) == {item.id: ([0], False, 1)}
    assert refusals() == [code]


def test_the_state_follows_pauses_and_extensions(seated, exam, clock):
    client, attempt = seated
    invigilator = exam.accounts["invigilator"]
    first = client.get("/exam/attempt/state").json
    assert first["status"] == "in_progress" and first["seconds_left"] == 120 * 60
    assert first["now_ms"] == int(START.timestamp() * 1000) and first["csrf"]
    extend(attempt, 10, invigilator, START, "视力障碍")
    db.session.commit()
    assert client.get("/exam/attempt/state").json["seconds_left"] == 130 * 60
    clock.set(START + timedelta(minutes=30))
    pause(attempt, invigilator, START + timedelta(minutes=30), "停电")
    db.session.commit()
    clock.set(START + timedelta(minutes=45))
    paused = client.get("/exam/attempt/state").json
    assert paused["status"] == "paused" and paused["seconds_left"] == 100 * 60
    assert "paused your exam" in client.get("/exam/attempt", headers=EN).get_data(as_text=True)


def test_page_events_are_noted_and_other_kinds_refused(seated):
    client, attempt = seated
    assert client.post("/exam/attempt/events", json={"kind": "focus_lost"}).json == {"ok": True}
    assert client.post("/exam/attempt/events", json={"kind": "reconnected"}).status_code == 200
    assert client.post("/exam/attempt/events", json={"kind": "terminated"}).status_code == 400
    assert client.post("/exam/attempt/events", data="x").status_code == 400
    db.session.expire_all()
    kinds = db.session.scalars(select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt.id)
                               .order_by(AttemptEvent.id)).all()
    assert kinds == ["focus_lost", "reconnected"]


def test_the_summary_lists_unanswered_and_flagged_questions(seated):
    client, attempt = seated
    first, second = attempt.paper.items[:2]
    save(client, first.id, [0], 1)
    save(client, second.id, [], 2, flagged=True)
    html = client.get("/exam/attempt/summary", headers=EN).get_data(as_text=True)
    assert "1 of 100 questions answered." in html
    unanswered = html[html.index("Not answered"):html.index("Flagged for review")]
    assert '#q-1"' not in unanswered and '#q-2"' in unanswered and '#q-100"' in unanswered
    flagged = html[html.index("Flagged for review"):html.index('id="submit-form"')]
    assert re.findall(r"#q-\d+", flagged) == ["#q-2"]
    assert 'action="/exam/attempt/submit"' in html and 'id="submit-exam"' in html


def test_handing_in_happens_once_and_the_done_page_says_so(seated, exam):
    client, attempt = seated
    item = attempt.paper.items[0]
    save(client, item.id, item.key, 1)
    first = client.post("/exam/attempt/submit")
    assert first.status_code == 302 and first.headers["Location"].endswith("/exam/attempt/done")
    second = client.post("/exam/attempt/submit")
    assert second.headers["Location"].endswith("/exam/attempt/done")
    db.session.expire_all()
    done = db.session.get(ExamAttempt, attempt.id)
    assert done.status is AttemptStatus.SUBMITTED and done.submitted_by == "candidate" and done.points == 1.0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "exams.attempt.submitted")) == 1
    # The exam pages now lead to the handed-in page, which keeps the result until it is released.
    assert client.get("/exam/attempt").headers["Location"].endswith("/exam/attempt/done")
    assert client.get("/exam/attempt/summary").headers["Location"].endswith("/exam/attempt/done")
    page = client.get("/exam/attempt/done", headers=EN).get_data(as_text=True)
    assert "Your exam has been handed in" in page and "You handed in your exam at 09:00" in page
    # Ten working days after Tuesday 15 December 2026 (令30号 第15条).
    assert "by 2026-12-29 at the latest" in page and "Not passed" not in page
    assert "handed in" in client.get("/centre/seat/ready", headers=EN).get_data(as_text=True)
    exam.session.status = SessionStatus.RESULTS_RELEASED
    db.session.commit()
    released = client.get("/exam/attempt/done", headers=EN).get_data(as_text=True)
    assert "Not passed" in released and ">1.0<" in released


def test_the_done_page_before_handing_in_goes_back_to_the_paper(seated):
    client, _attempt = seated
    assert client.get("/exam/attempt/done").headers["Location"].endswith("/exam/attempt")


def test_a_hand_in_after_the_deadline_is_the_deadlines(seated, clock):
    client, attempt = seated
    clock.set(attempt.deadline_at + timedelta(seconds=1))
    client.post("/exam/attempt/submit")
    db.session.expire_all()
    assert db.session.get(ExamAttempt, attempt.id).submitted_by == "deadline"
    page = client.get("/exam/attempt/done", headers=EN).get_data(as_text=True)
    assert "The time was up at 11:00" in page


def test_an_ended_exam_shows_the_invigilators_decision(seated, exam):
    client, attempt = seated
    terminate(attempt, exam.accounts["invigilator"], START, "夹带")
    db.session.commit()
    assert client.get("/exam/attempt/state").json["status"] == "terminated"
    page = client.get("/exam/attempt/done", headers=EN).get_data(as_text=True)
    assert "ended by the invigilator" in page and "cancelled" in page


def test_saves_with_csrf_on_need_the_pages_token_in_the_header(strict_app, exam, clock):
    install_clock(strict_app, clock)
    client = strict_app.test_client()
    reg = registrations(exam)[0]
    form = client.get("/centre/seat").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    client.post("/centre/seat", data={"ticket": reg.ticket_number, "id_number": reg.person.id_number,
                                      "access_code": reg.session.access_code, "language": "en",
                                      "csrf_token": token})
    ready = client.get("/centre/seat/ready").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', ready).group(1)
    assert client.post("/exam/start", data={"csrf_token": token}).status_code == 302
    html = client.get("/exam/attempt").get_data(as_text=True)
    csrf = re.search(r'data-csrf="([^"]+)"', html).group(1)
    item = db.session.scalar(select(PaperItem.id).where(PaperItem.paper_id == reg.paper_id)
                             .order_by(PaperItem.position))
    assert save(client, item, [0], 1).status_code == 400
    assert save(client, item, [0], 1, **{"X-CSRFToken": csrf}).json["outcome"] == "saved"
    fresh = client.get("/exam/attempt/state").json["csrf"]
    assert save(client, item, [1], 2, **{"X-CSRFToken": fresh}).json["outcome"] == "saved"
    strict_app.extensions.pop("lms.clock", None)
