"""Candidate sign-in at the exam seat: ticket, ID number and access code, checked in, once at a time."""

from datetime import UTC, datetime

import pytest
from centres_world import add_person
from sqlalchemy import func, select

from exams.centres import seat as seat_services
from exams.centres.models import (
    Attendance,
    Registration,
    RegistrationStatus,
    SeatSignIn,
    SessionStatus,
)
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import AuditEvent

from support import at_once, slowed

#: 08:50 in Shanghai on the exam day: the session is open, candidates sit down.
SEATED = datetime(2026, 12, 15, 0, 50, tzinfo=UTC)
EN = {"Accept-Language": "en"}
GENERIC = "The ticket number and ID number do not match. Check both and try again."


@pytest.fixture
def clock(app):
    stopped = FixedClock(SEATED)
    install_clock(app, stopped)
    yield stopped
    app.extensions.pop("lms.clock")


@pytest.fixture
def hall(day, clock):
    """The open session with one checked-in candidate and one not yet checked in."""
    day.session.status = SessionStatus.OPEN
    regs = []
    for i, person in enumerate(day.employees[:2]):
        employment = day.employment(person)
        regs.append(Registration(session=day.session, person=person, employment=employment,
                                 organization_id=employment.organization_id, ticket_number=f"26202600010{i}",
                                 registered_by_id=day.accounts["centre_admin"].id, seat=day.room.seats[i]))
    regs[0].attendance, regs[0].checked_in_at = Attendance.PRESENT, SEATED
    db.session.add_all(regs)
    db.session.commit()
    return regs


def form(reg, **changes) -> dict:
    data = {"ticket": reg.ticket_number, "id_number": reg.person.id_number, "access_code": "731946",
            "language": "en"}
    data.update(changes)
    return data


def sign_in(client, data):
    return client.post("/centre/seat", data=data, headers=EN, follow_redirects=True)


def refusals() -> list[str]:
    db.session.expire_all()
    return [e.details["seat_refusal"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "exams.seat.refused").order_by(AuditEvent.id))]


def sign_ins() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(SeatSignIn.id)))


def test_a_checked_in_candidate_signs_in_and_sees_their_seat_in_the_chosen_language(client, hall):
    reg = hall[0]
    response = client.post("/centre/seat", data=form(reg, id_number=reg.person.id_number.lower() + " "))
    assert response.status_code == 302 and response.headers["Location"].endswith("/centre/seat/ready")
    html = client.get("/centre/seat/ready").get_data(as_text=True)
    assert "Your exam seat" in html  # English, chosen at the seat, whatever the browser says
    assert "电工0" in html and reg.person.masked_id in html and reg.person.id_number not in html
    assert "262026000100" in html and "A01" in html and "WX-20261215-1.2" in html
    assert "2026-12-15 09:00" in html and "The exam starts when the invigilator opens it." in html
    signed = db.session.scalar(select(SeatSignIn))
    assert signed.locale == "en" and signed.started_at == SEATED and len(signed.token_digest) == 64
    with client.session_transaction() as cookie:
        assert seat_services.digest(cookie["seat_token"]) == signed.token_digest
        assert cookie["lang"] == "en"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exams.seat.signed_in"))
    assert event.actor_id is None and event.organization_id == reg.session.centre_id


def test_a_candidate_not_checked_in_is_sent_to_the_invigilator(client, hall):
    html = sign_in(client, form(hall[1])).get_data(as_text=True)
    assert "You have not been checked in: ask the invigilator." in html
    assert sign_ins() == 0 and refusals() == ["not_checked_in"]


def test_a_wrong_access_code_is_refused(client, hall):
    html = sign_in(client, form(hall[0], access_code="000000")).get_data(as_text=True)
    assert "The session access code is not right" in html
    assert sign_ins() == 0 and refusals() == ["access_code"]


def test_a_wrong_id_number_reads_exactly_like_an_unknown_ticket(client, hall, day):
    other = day.employees[5].id_number
    wrong_id = sign_in(client, form(hall[0], id_number=other)).get_data(as_text=True)
    unknown = sign_in(client, form(hall[0], ticket="262026999999", id_number=other)).get_data(as_text=True)
    assert GENERIC in wrong_id and GENERIC in unknown
    assert "电工0" not in wrong_id and "checked in" not in wrong_id
    assert sign_ins() == 0 and refusals() == ["mismatch", "mismatch"]


def test_a_session_not_open_yet_admits_no_one(client, hall, day):
    day.session.status = SessionStatus.REGISTRATION_CLOSED
    db.session.commit()
    html = sign_in(client, form(hall[0])).get_data(as_text=True)
    assert "not open yet" in html and sign_ins() == 0


def test_a_withdrawn_registration_admits_no_one(client, hall):
    hall[0].status = RegistrationStatus.WITHDRAWN
    db.session.commit()
    html = sign_in(client, form(hall[0])).get_data(as_text=True)
    assert "This registration was withdrawn: ask the invigilator." in html and sign_ins() == 0


def test_a_second_seat_for_the_same_candidate_is_refused(app, client, hall):
    assert client.post("/centre/seat", data=form(hall[0])).status_code == 302
    elsewhere = app.test_client()
    html = sign_in(elsewhere, form(hall[0])).get_data(as_text=True)
    assert "already signed in at another seat; the invigilator must approve a move" in html
    assert sign_ins() == 1 and refusals() == ["already_signed_in"]
    # The first seat signing out frees the candidate to sign in again.
    client.post("/centre/seat/sign-out")
    assert elsewhere.post("/centre/seat", data=form(hall[0])).status_code == 302
    assert sign_ins() == 2


def test_two_seats_signing_in_at_once_admit_one(app, hall, monkeypatch):
    # Both pass the credential checks before either writes; the row lock decides.
    monkeypatch.setattr(seat_services, "check_credentials", slowed(seat_services.check_credentials))
    data = form(hall[0])
    first, second = app.test_client(), app.test_client()
    responses = at_once(lambda: first.post("/centre/seat", data=data),
                        lambda: second.post("/centre/seat", data=data))
    assert sorted(r.status_code for r in responses) == [200, 302]
    assert sign_ins() == 1


def test_the_seat_token_is_checked_against_the_database_on_every_request(client, hall):
    client.post("/centre/seat", data=form(hall[0]))
    assert client.get("/centre/seat/ready").status_code == 200
    db.session.scalar(select(SeatSignIn)).ended_at = SEATED
    db.session.commit()
    response = client.get("/centre/seat/ready")
    assert response.status_code == 302 and response.headers["Location"].endswith("/centre/seat")


def test_signing_out_ends_the_sign_in(client, hall):
    client.post("/centre/seat", data=form(hall[0]))
    response = client.post("/centre/seat/sign-out")
    assert response.status_code == 302
    assert db.session.scalar(select(SeatSignIn)).ended_at == SEATED
    assert client.get("/centre/seat/ready").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "exams.seat.signed_out")) == 1


def test_repeated_wrong_guesses_on_one_ticket_make_it_wait(client, hall, day, app):
    free = app.config["LOGIN_FREE_FAILURES"]
    for _ in range(free + 1):
        sign_in(client, form(hall[0], id_number=day.employees[5].id_number))
    html = sign_in(app.test_client(), form(hall[0])).get_data(as_text=True)
    assert "Too many failed attempts with this ticket number" in html
    assert sign_ins() == 0 and refusals()[-1] == "throttled"


def test_the_sign_in_page_is_public_and_reachable(client, day):
    html = client.get("/centre/seat", headers=EN).get_data(as_text=True)
    assert "Sign in at the exam seat" in html and 'name="access_code"' in html
    assert client.get("/centre/seat/ready").status_code == 302


def test_an_unknown_person_with_a_valid_id_number_learns_nothing(client, hall, day):
    stranger = add_person("路人", day.other_enterprise, seq=777)
    db.session.commit()
    html = sign_in(client, form(hall[1], id_number=stranger.id_number)).get_data(as_text=True)
    assert GENERIC in html and "not been checked in" not in html
