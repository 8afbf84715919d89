"""The invigilator's console: scope, the live roster, each action once, refusals, the seat-move rule
and a roster computed in a fixed number of queries."""

from datetime import timedelta

import pytest
from attempts_world import MORNING, registrations
from centres_world import NOW, add_person, add_room, build_day
from sqlalchemy import func, select
from test_query_counts import measure

from exams.attempts import services
from exams.attempts.models import AttemptEvent, AttemptStatus, ExamAttempt
from exams.attempts.routes import console as console_routes
from exams.centres.freeze import close_registration
from exams.centres.models import Attendance, Incident, IncidentKind, Registration, SeatSignIn, SessionStatus
from exams.centres.registration import register
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import AuditEvent, OrgKind
from lms.roles import Role

from support import PASSWORD, at_once, slowed

START = MORNING + timedelta(minutes=5)  # 09:00 Beijing
EN = {"Accept-Language": "en"}
#: Statements per console request (sign-in check, session, room, roster, attempts, answered counts,
#: item totals, page events), measured at 10 for the JSON and 11 for the page, plus 2 for a new
#: constant query in the layout. A difference between 3 and 20 candidates is a query per row.
ROSTER_CEILING = 11 + 2


@pytest.fixture
def clock(app):
    stopped = FixedClock(START)
    install_clock(app, stopped)
    yield stopped
    app.extensions.pop("lms.clock")


@pytest.fixture
def hall(exam, clock):
    """Four checked-in candidates; the first three have started."""
    regs = registrations(exam)
    attempts = [services.start_attempt(reg, START) for reg in regs[:3]]
    db.session.commit()
    return {"regs": regs, "attempts": attempts, "url": f"/exam/console/{exam.session.id}?room={exam.room.id}",
            "base": f"/exam/console/{exam.session.id}"}


def signed_in(app, username: str = "invigilator"):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def act(client, hall, reg, action: str, **data):
    """Post an action as the page would: the room and the state the page showed."""
    attempt = services.attempt_of(reg.id)
    form = {"room": reg.seat.room_id, **data}
    if attempt is not None and "seen" not in data:
        db.session.refresh(attempt)
        form["seen"] = console_routes.stamp(attempt)
    return client.post(f"{hall['base']}/{reg.id}/{action}", data=form, headers=EN, follow_redirects=True)


def attempt(reg) -> ExamAttempt:
    db.session.expire_all()
    return services.attempt_of(reg.id)


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def roster(client, hall) -> dict:
    response = client.get(f"{hall['base']}/roster.json?room={hall['regs'][0].seat.room_id}", headers=EN)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    rows = {row["ticket"]: row for row in data["rows"]}
    return rows | {"_counts": data["counts"], "_summary": data["summary"]}


# --- scope --------------------------------------------------------------------------------------

def test_another_centres_invigilator_gets_404_and_an_enterprise_admin_403(app, make, exam, hall):
    far = make.org("苏州考点", region_code="320509", kind=OrgKind.EXAM_CENTRE, industry=None)
    make.account("far_invigilator", Role.INVIGILATOR, org=far)
    reg = hall["regs"][0]
    urls = [("GET", hall["url"]), ("GET", f"{hall['base']}/roster.json"),
            ("POST", f"{hall['base']}/{reg.id}/pause"), ("POST", f"{hall['base']}/{reg.id}/incident")]
    stranger, enterprise = signed_in(app, "far_invigilator"), signed_in(app, "ent_admin")
    for method, url in urls:
        assert stranger.open(url, method=method, data={"reason": "x", "seen": "x"}).status_code == 404, url
        assert enterprise.open(url, method=method, data={"reason": "x"}).status_code == 403, url
    assert enterprise.get("/exam/console").status_code == 403
    assert "WX-20261215-1.2" not in stranger.get("/exam/console").get_data(as_text=True)
    assert attempt(reg).status is AttemptStatus.IN_PROGRESS


def test_a_room_of_another_session_and_a_registration_of_another_session_are_404(app, make, exam, hall):
    from centres_world import add_room, add_session

    other_room = add_room(exam.centre, "R909", seats=2)
    other = add_session(exam.centre, exam.blueprint, exam.bank, [other_room], exam.accounts["centre_admin"],
                        code="WX-OTHER")
    db.session.commit()
    client = signed_in(app)
    assert client.get(f"{hall['base']}?room={other_room.id}").status_code == 404
    assert client.get(f"{hall['base']}/roster.json?room={other_room.id}").status_code == 404
    assert client.get(f"/exam/console/{other.id}?room={exam.room.id}").status_code == 404
    assert client.post(f"/exam/console/{other.id}/{hall['regs'][0].id}/resume").status_code == 404


# --- pages and the roster ---------------------------------------------------------------------

def test_the_landing_lists_todays_open_sessions_and_the_menu_leads_there(app, exam, hall):
    client = signed_in(app)
    html = client.get("/exam/console", headers=EN).get_data(as_text=True)
    assert "WX-20261215-1.2" in html and f"/exam/console/{exam.session.id}?room={exam.room.id}" in html
    assert 'href="/exam/console"' in client.get("/dashboard", headers=EN).get_data(as_text=True)
    checkin = client.get(f"/centre/sessions/{exam.session.id}/checkin?room={exam.room.id}", headers=EN)
    assert f'href="/exam/console/{exam.session.id}?room={exam.room.id}"' in checkin.get_data(as_text=True)
    exam.session.status = SessionStatus.CLOSED
    db.session.commit()
    assert "WX-20261215-1.2" not in client.get("/exam/console", headers=EN).get_data(as_text=True)


def test_the_console_page_shows_the_roster_with_forms_that_work_without_script(app, exam, hall):
    html = signed_in(app).get(hall["url"], headers=EN).get_data(as_text=True)
    reg = hall["regs"][0]
    assert "Exam console" in html and reg.person.name in html
    assert reg.ticket_number in html and f'id="cand-{reg.id}"' in html
    assert "In progress · 0 of 100 answered, 2:00:00 left" in html
    assert "Checked in, not started" in html
    assert f'action="{hall["base"]}/{reg.id}/extend"' in html and 'name="seen"' in html
    assert 'aria-live="polite"' in html and html.count("aria-live") == 1
    assert "console.js" in html and "<script>" not in html
    assert 'name="confirm" type="checkbox" value="y" required' in html
    assert signed_in(app).get("/exams/assets/console.js").status_code == 200


def test_the_roster_json_tells_each_state(app, exam, hall, clock):
    regs, attempts = hall["regs"], hall["attempts"]
    items = attempts[0].paper.items
    services.save_answer(attempts[0].id, items[0].id, [0], False, 1, START)
    services.save_answer(attempts[0].id, items[1].id, [1], True, 2, START)
    services.save_answer(attempts[0].id, items[2].id, [], False, 3, START)  # cleared: not answered
    services.pause(attempts[1], exam.accounts["invigilator"], START + timedelta(minutes=10), "停电")
    services.submit(attempts[2], START + timedelta(minutes=20), by="candidate")
    regs[3].attendance = Attendance.EXPECTED
    db.session.commit()
    clock.set(START + timedelta(minutes=30))
    rows = roster(signed_in(app), hall)
    first, second, third, fourth = (rows[r.ticket_number] for r in regs)
    assert first["state"] == "in_progress" and (first["answered"], first["total"]) == (2, 100)
    assert first["seconds_left"] == 90 * 60
    assert first["state_text"] == "In progress · 2 of 100 answered, 1:30:00 left"
    assert set(first["actions"]) == {"incident", "extend", "pause", "move", "terminate"}
    assert second["state"] == "paused" and second["seconds_left"] == 110 * 60
    assert "resume" in second["actions"] and "pause" not in second["actions"]
    assert third["state"] == "submitted" and third["submitted_at"] == "09:20"
    assert third["state_text"] == "Handed in · 09:20 by the candidate" and third["actions"] == ["incident"]
    assert fourth["state"] == "not_checked_in" and fourth["seconds_left"] is None
    assert rows["_counts"]["in_progress"] == 1 and rows["_counts"]["paused"] == 1
    assert rows["_counts"]["submitted"] == 1 and rows["_counts"]["not_checked_in"] == 1
    assert rows["_summary"] == "Not checked in: 1; In progress: 1; Paused: 1; Handed in: 1"
    assert first["seat"] == regs[0].seat.label and first["name"] == regs[0].person.name


def test_page_events_appear_in_the_roster(app, exam, hall, clock):
    first = hall["attempts"][0]
    services.note_page_event(first, "focus_lost", START + timedelta(minutes=10))
    services.note_page_event(first, "reconnected", START + timedelta(minutes=12))
    services.note_page_event(first, "focus_lost", START + timedelta(minutes=14))
    db.session.commit()
    row = roster(signed_in(app), hall)[hall["regs"][0].ticket_number]
    assert row["last_event"] == {"kind": "focus_lost", "at": "09:14"} and row["focus_losses"] == 2
    assert row["event"] == "Focus lost at 09:14 · focus lost 2 times"
    services.note_page_event(first, "reconnected", START + timedelta(minutes=15))
    db.session.commit()
    row = roster(signed_in(app), hall)[hall["regs"][0].ticket_number]
    assert row["event"].startswith("Reconnected at 09:15")


# --- actions ------------------------------------------------------------------------------------

def test_extend_gives_minutes_once_even_on_a_double_click(app, exam, hall, monkeypatch):
    reg = hall["regs"][0]
    before = attempt(reg).deadline_at
    monkeypatch.setattr(services, "attempt_of", slowed(services.attempt_of))
    first, second = signed_in(app), signed_in(app)
    form = {"room": exam.room.id, "seen": console_routes.stamp(attempt(reg)), "minutes": "10",
            "reason": "电脑故障"}
    url = f"{hall['base']}/{reg.id}/extend"
    responses = at_once(lambda: first.post(url, data=form), lambda: second.post(url, data=form))
    assert [r.status_code for r in responses] == [302, 302]
    assert attempt(reg).deadline_at == before + timedelta(minutes=10) and attempt(reg).extra_seconds == 600
    changed = events("exams.attempt.extended")
    assert len(changed) == 1 and changed[0].details["reason"] == "电脑故障"
    assert changed[0].details["minutes"] == 10
    # The same form once more (a late second click) is refused: the state it saw is gone.
    html = first.post(url, data=form, headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "changed meanwhile" in html and "nothing was changed" in html
    assert attempt(reg).extra_seconds == 600
    assert roster(first, hall)[reg.ticket_number]["extra"] == "+10 min"


@pytest.mark.parametrize("data", [{"minutes": "0", "reason": "x"}, {"minutes": "61", "reason": "x"},
                                  {"minutes": "10", "reason": " "}, {"minutes": "", "reason": "x"}])
def test_extend_needs_one_to_sixty_minutes_and_a_reason(app, exam, hall, data):
    reg = hall["regs"][0]
    html = act(signed_in(app), hall, reg, "extend", **data).get_data(as_text=True)
    assert "Give 1 to 60 extra minutes and write the reason" in html
    assert attempt(reg).extra_seconds == 0 and events("exams.attempt.extended") == []


def test_extend_after_the_deadline_is_refused(app, exam, hall, clock):
    reg = hall["regs"][0]
    clock.set(attempt(reg).deadline_at + timedelta(seconds=1))
    html = act(signed_in(app), hall, reg, "extend", minutes="5", reason="late").get_data(as_text=True)
    assert "ran out at 11:00" in html and attempt(reg).extra_seconds == 0
    services.submit_due(clock.now())
    html = act(signed_in(app), hall, reg, "extend", minutes="5", reason="late").get_data(as_text=True)
    assert "handed in at 11:00: the exam is over and nothing was changed." in html


def test_an_action_on_a_candidate_who_has_not_started_changes_nothing(app, exam, hall):
    reg = hall["regs"][3]
    html = act(signed_in(app), hall, reg, "pause", reason="x", seen="x").get_data(as_text=True)
    assert "has not started the exam: nothing was changed." in html and attempt(reg) is None


def test_pause_needs_a_reason_stops_the_clock_and_resume_adds_the_pause_once(app, exam, hall, clock):
    reg = hall["regs"][0]
    client = signed_in(app)
    before = attempt(reg).deadline_at
    assert "Write why the exam is paused" in act(client, hall, reg, "pause", reason="").get_data(as_text=True)
    assert attempt(reg).status is AttemptStatus.IN_PROGRESS
    paused_form = {"room": exam.room.id, "seen": console_routes.stamp(attempt(reg)), "reason": "停电"}
    client.post(f"{hall['base']}/{reg.id}/pause", data=paused_form)
    html = client.post(f"{hall['base']}/{reg.id}/pause", data=paused_form, headers=EN,
                       follow_redirects=True).get_data(as_text=True)
    assert "changed meanwhile (now: Paused)" in html
    assert attempt(reg).status is AttemptStatus.PAUSED and len(events("exams.attempt.paused")) == 1
    clock.advance(minutes=7)
    assert roster(client, hall)[reg.ticket_number]["seconds_left"] == 120 * 60  # frozen
    resume_form = {"room": exam.room.id, "seen": console_routes.stamp(attempt(reg))}
    url = f"{hall['base']}/{reg.id}/resume"
    first, second = signed_in(app), signed_in(app)
    at_once(lambda: first.post(url, data=resume_form), lambda: second.post(url, data=resume_form))
    assert attempt(reg).status is AttemptStatus.IN_PROGRESS
    assert attempt(reg).deadline_at == before + timedelta(minutes=7)
    assert len(events("exams.attempt.resumed")) == 1


def test_terminate_needs_a_reason_and_the_confirmation(app, exam, hall):
    reg = hall["regs"][1]
    client = signed_in(app)
    for data in ({"reason": "夹带"}, {"reason": "", "confirm": "y"}):
        html = act(client, hall, reg, "terminate", **data).get_data(as_text=True)
        assert "tick the confirmation to end the exam: nothing was changed." in html
        assert attempt(reg).status is AttemptStatus.IN_PROGRESS
    form = {"room": exam.room.id, "seen": console_routes.stamp(attempt(reg)), "reason": "夹带小抄",
            "confirm": "y"}
    url = f"{hall['base']}/{reg.id}/terminate"
    first, second = signed_in(app), signed_in(app)
    at_once(lambda: first.post(url, data=form), lambda: second.post(url, data=form))
    ended = attempt(reg)
    assert ended.status is AttemptStatus.TERMINATED and ended.terminated_reason == "夹带小抄"
    assert ended.submitted_by == "invigilator"
    assert db.session.get(Registration, reg.id).score_cancelled is True
    done = events("exams.attempt.terminated")
    assert len(done) == 1 and done[0].details["reason"] == "夹带小抄"
    assert done[0].actor_id == exam.accounts["invigilator"].id
    html = client.post(url, data=form, headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "was already ended at 09:00: nothing was changed." in html
    row = roster(client, hall)[reg.ticket_number]
    assert row["state"] == "terminated" and row["actions"] == ["incident"]


def test_an_incident_is_noted_for_the_candidate(app, exam, hall):
    reg = hall["regs"][0]
    client = signed_in(app)
    html = act(client, hall, reg, "incident", kind="technical", note="").get_data(as_text=True)
    assert "Choose the kind and describe what happened." in html
    html = act(client, hall, reg, "incident", kind="technical", note="屏幕黑屏").get_data(as_text=True)
    assert "The incident is noted for" in html
    incident = db.session.scalar(select(Incident))
    assert incident.registration_id == reg.id and incident.kind is IncidentKind.TECHNICAL
    assert incident.room_id == exam.room.id and len(events("exams.incident.recorded")) == 1


# --- one seat at a time -------------------------------------------------------------------------

def seat_form(reg) -> dict:
    return {"ticket": reg.ticket_number, "id_number": reg.person.id_number, "access_code": "731946",
            "language": "en"}


def live_sign_ins(reg) -> list[SeatSignIn]:
    db.session.expire_all()
    return list(db.session.scalars(select(SeatSignIn).where(SeatSignIn.registration_id == reg.id,
                                                            SeatSignIn.ended_at.is_(None))))


def test_a_second_seat_waits_for_the_invigilators_approval_of_a_move(app, exam, hall, clock):
    reg = hall["regs"][0]
    first_seat, second_seat, third_seat = app.test_client(), app.test_client(), app.test_client()
    assert first_seat.post("/centre/seat", data=seat_form(reg)).status_code == 302
    old = live_sign_ins(reg)[0]
    refused = second_seat.post("/centre/seat", data=seat_form(reg), headers=EN).get_data(as_text=True)
    assert "the invigilator must approve a move" in refused and live_sign_ins(reg) == [old]

    clock.advance(minutes=20)
    act(signed_in(app), hall, reg, "move")
    assert attempt(reg).move_allowed is True and len(events("exams.attempt.move_allowed")) == 1
    assert second_seat.post("/centre/seat", data=seat_form(reg)).status_code == 302
    now_live = live_sign_ins(reg)
    assert len(now_live) == 1 and now_live[0].id != old.id
    assert db.session.get(SeatSignIn, old.id).ended_at == START + timedelta(minutes=20)
    assert attempt(reg).move_allowed is False
    moved = events("exams.seat.moved")
    assert len(moved) == 1 and moved[0].details["ticket"] == reg.ticket_number
    row = roster(signed_in(app), hall)[reg.ticket_number]
    assert row["event"] == "Moved to another seat at 09:20" and "move" in row["actions"]
    # The approval is used up: a third seat is refused again, and the old seat is signed out.
    refused = third_seat.post("/centre/seat", data=seat_form(reg), headers=EN).get_data(as_text=True)
    assert "the invigilator must approve a move" in refused and len(live_sign_ins(reg)) == 1
    with first_seat.session_transaction() as cookie:
        from exams.centres.seat import current_sign_in

        assert current_sign_in(cookie["seat_token"]) is None


def test_allowing_a_move_twice_at_once_records_it_once(app, exam, hall, monkeypatch):
    reg = hall["regs"][0]
    monkeypatch.setattr(services, "attempt_of", slowed(services.attempt_of))
    form = {"room": exam.room.id, "seen": console_routes.stamp(attempt(reg))}
    url = f"{hall['base']}/{reg.id}/move"
    first, second = signed_in(app), signed_in(app)
    at_once(lambda: first.post(url, data=form), lambda: second.post(url, data=form))
    assert attempt(reg).move_allowed is True and len(events("exams.attempt.move_allowed")) == 1
    noted = select(func.count(AttemptEvent.id)).where(AttemptEvent.kind == "move_allowed")
    assert db.session.scalar(noted) == 1


# --- queries ------------------------------------------------------------------------------------

def _exam_of_20(make):
    """An open session with 20 candidates checked in, each started with two answers and a page
    event; three sit in the session's room, the other 17 in a room aside until they are moved in."""
    day = build_day(make)
    people = list(day.employees[:6]) + [add_person(f"学员{i:02d}", day.enterprise, seq=400 + i)
                                        for i in range(14)]
    for person in people:
        register(day.session, person, day.employment(person), day.accounts["centre_admin"], NOW,
                 health_commitment=True)
    db.session.commit()
    close_registration(day.session, day.accounts["centre_admin"], NOW)
    day.session.status = SessionStatus.OPEN
    regs = registrations(day)
    aside = add_room(day.centre, "R199")
    for reg in regs:
        reg.attendance, reg.checked_in_at, reg.seat_id = Attendance.PRESENT, MORNING, None
    db.session.flush()
    for n, reg in enumerate(regs):
        reg.seat_id = day.room.seats[n].id if n < 3 else aside.seats[n].id
    db.session.commit()
    for n, reg in enumerate(regs):
        started = services.start_attempt(reg, START)
        for seq, item in enumerate(started.paper.items[:2], start=1):
            services.save_answer(started.id, item.id, [0], False, seq, START)
        services.note_page_event(started, "focus_lost", START + timedelta(minutes=n % 7))
        if n % 3 == 0:
            services.extend(started, 5, day.accounts["invigilator"], START, "x")
    db.session.commit()
    return day, regs


@pytest.mark.parametrize("page", ["roster.json", ""])
def test_the_roster_takes_the_same_queries_for_3_and_20_candidates(app, make, clock, page):
    day, regs = _exam_of_20(make)
    client = signed_in(app)
    url = f"/exam/console/{day.session.id}{'/' + page if page else ''}?room={day.room.id}"
    moves = [(reg.id, day.room.seats[n].id) for n, reg in enumerate(regs) if n >= 3]
    few, _statements = measure(lambda: client.get(url))
    for reg_id, seat_id in moves:
        db.session.get(Registration, reg_id).seat_id = seat_id
    db.session.commit()
    many, statements = measure(lambda: client.get(url))
    body = client.get(url).get_data(as_text=True)
    assert body.count("\"ticket\"" if page else 'id="cand-') == 20
    print(f"query counts, console {page or 'page'}: {few} / {many}")
    assert few == many, "\n".join(statements)
    assert many <= ROSTER_CEILING, "\n".join(statements)
