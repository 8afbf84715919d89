"""The WSGI gateway answers a seat's ticket saves ahead of Flask; whatever it does not write (a bad
ticket, a signed-out seat, a paused or ended attempt, an older save) is answered by the Flask view
exactly as before, and every acknowledged save is the one stored."""

import re
import threading
from datetime import timedelta

import pytest
from attempts_world import MORNING, refusals, registrations, stored
from sqlalchemy import select

from exams.attempts.models import ExamAttempt
from exams.attempts.save_committer import SAVED, SaveCommitter, SaveJob
from exams.attempts.save_gateway import SaveGateway, picked
from exams.attempts.save_tickets import issue_save_ticket, read_save_ticket
from exams.attempts.services import pause, start_attempt, terminate
from exams.centres import seat
from exams.centres.models import SeatSignIn
from lms.clock import FixedClock, install_clock
from lms.extensions import db

URL = "/exam/attempt/answers"
START = MORNING + timedelta(minutes=5)
EN = {"Accept-Language": "en"}


@pytest.fixture
def clock(app):
    stopped = FixedClock(START)
    install_clock(app, stopped)
    yield stopped
    app.extensions.pop("lms.clock", None)


@pytest.fixture
def seated(app, exam, clock):
    """The first candidate signed in at a seat (English pages) with the attempt started: (client, attempt)."""
    client = app.test_client()
    reg = registrations(exam)[0]
    response = client.post("/centre/seat", headers=EN, data={
        "ticket": reg.ticket_number, "id_number": reg.person.id_number,
        "access_code": reg.session.access_code, "language": "en"})
    assert response.status_code == 302
    assert client.post("/exam/start").headers["Location"].endswith("/exam/attempt")
    return client, db.session.scalar(select(ExamAttempt).where(ExamAttempt.registration_id == reg.id))


def gateway(app) -> SaveGateway:
    layer = app.wsgi_app
    while not isinstance(layer, SaveGateway):
        layer = layer.wrapped
    return layer


@pytest.fixture
def view_calls(app, monkeypatch):
    """Count the calls that reach the Flask view of the save."""
    calls = []
    view = app.view_functions["attempts.save"]
    monkeypatch.setitem(app.view_functions, "attempts.save",
                        lambda *a, **kw: calls.append(1) or view(*a, **kw))
    return calls


def page_ticket(client) -> str:
    html = client.get("/exam/attempt", headers=EN).get_data(as_text=True)
    return re.search(r'data-save-ticket="([^"]*)"', html).group(1)


def ticket_save(client, ticket, item, choice, seq, flagged=False):
    return client.post(URL, json={"ticket": ticket, "item": item, "choice": choice, "flagged": flagged,
                                  "seq": seq})


def live_sign_in(attempt) -> SeatSignIn:
    return db.session.scalar(select(SeatSignIn).where(SeatSignIn.registration_id == attempt.registration_id,
                                                      SeatSignIn.ended_at.is_(None)))


def test_the_gateway_sits_in_front_of_flask_at_the_save_url(app):
    assert gateway(app).path == URL


def test_the_page_carries_a_ticket_for_its_attempt_and_sign_in(app, seated):
    client, attempt = seated
    ticket = page_ticket(client)
    with app.app_context():
        assert read_save_ticket(ticket) == (attempt.id, live_sign_in(attempt).id)


def test_a_ticket_save_is_answered_by_the_gateway_without_a_cookie(app, seated, view_calls):
    client, attempt = seated
    ticket, item = page_ticket(client), attempt.paper.items[0]
    bare = app.test_client()  # no session cookie, no CSRF token: the ticket is the proof
    response = ticket_save(bare, ticket, item.id, [1], 5, flagged=True)
    assert response.status_code == 200
    assert response.json == {"ok": True, "outcome": "saved", "seq": 5, "stored_seq": 5}
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response.headers
    assert view_calls == []
    assert stored(attempt) == {item.id: ([1], True, 5)}


def test_the_gateway_takes_only_positions_the_item_has_sorted_as_the_view_stores_them():
    assert picked([2, 0, 2], ("multiple", 4)) == [0, 2]
    assert picked([], ("single", 4)) == []
    assert picked([1], ("true_false", 2)) == [1]
    for choice, shape in (([0, 1], ("single", 4)), ([4], ("single", 4)), ([-1], ("multiple", 4)),
                          ([True], ("single", 4)), (["1"], ("single", 4)), ([2], ("true_false", 2))):
        assert picked(choice, shape) is None


def test_an_older_save_falls_through_and_the_view_says_kept(seated, view_calls):
    client, attempt = seated
    ticket, item = page_ticket(client), attempt.paper.items[0]
    assert ticket_save(client, ticket, item.id, [1], 3).json["outcome"] == "saved"
    late = ticket_save(client, ticket, item.id, [0], 2)
    assert late.json == {"ok": True, "outcome": "kept", "seq": 2, "stored_seq": 3}
    same = ticket_save(client, ticket, item.id, [0], 3)
    assert same.json["outcome"] == "kept"
    assert view_calls == [1, 1]
    assert stored(attempt) == {item.id: ([1], False, 3)}


def test_a_tampered_ticket_is_not_trusted(app, seated, view_calls):
    client, attempt = seated
    ticket, item = page_ticket(client), attempt.paper.items[0]
    forged = ticket[:-2] + ("AA" if not ticket.endswith("AA") else "BB")
    bare = app.test_client()
    response = ticket_save(bare, forged, item.id, [0], 1)
    assert response.status_code == 404 and response.json["code"] == "signed_out"
    for other in ("", 42, "x" * 300, ["list"]):
        assert ticket_save(bare, other, item.id, [0], 1).status_code == 404
    assert view_calls == [1] * 5
    assert stored(attempt) == {}
    # With the seat's cookie the view answers as before: the page's saves never depend on the ticket.
    assert ticket_save(client, forged, item.id, [0], 1).json["outcome"] == "saved"


def test_another_attempts_ticket_writes_nothing_there(app, seated, exam, view_calls):
    client, attempt = seated
    other_reg = registrations(exam)[1]
    other = start_attempt(other_reg, START)
    db.session.commit()
    foreign = other.paper.items[0]
    with app.app_context():
        # Genuinely signed, but pairing the other attempt with this seat's sign-in.
        crossed = issue_save_ticket(other.id, live_sign_in(attempt).id)
    response = ticket_save(client, crossed, foreign.id, [0], 1)
    assert response.status_code == 422 and response.json["code"] == "item"
    assert view_calls == [1]
    assert stored(other) == {} and stored(attempt) == {}
    assert refusals() == ["item"]


def test_a_question_of_another_paper_with_ones_own_ticket_is_refused_by_the_view(seated, exam, view_calls):
    client, attempt = seated
    other = start_attempt(registrations(exam)[1], START)
    db.session.commit()
    response = ticket_save(client, page_ticket(client), other.paper.items[0].id, [0], 1)
    assert response.status_code == 422 and response.json["code"] == "item" and view_calls == [1]
    assert stored(other) == {} and refusals() == ["item"]


@pytest.mark.parametrize("choice", [[4], [-1], [0, 1]])
def test_an_option_the_item_lacks_is_refused_by_the_view(seated, view_calls, choice):
    client, attempt = seated
    single = next(i for i in attempt.paper.items if i.qtype == "single")
    response = ticket_save(client, page_ticket(client), single.id, choice, 1)
    assert response.status_code == 422 and response.json["code"] == "option" and view_calls == [1]
    assert stored(attempt) == {} and refusals() == ["option"]


@pytest.mark.parametrize("choice", [["1"], [True], [1.0]])
def test_choices_that_are_not_plain_positions_are_left_to_the_view(seated, view_calls, choice):
    client, attempt = seated
    single = next(i for i in attempt.paper.items if i.qtype == "single")
    response = ticket_save(client, page_ticket(client), single.id, choice, 1)
    # The view reads each as position 1, as it always did; the gateway does not guess.
    assert response.json["outcome"] == "saved" and view_calls == [1]
    assert stored(attempt) == {single.id: ([1], False, 1)}


def test_a_signed_out_seat_cannot_save_with_its_old_ticket(app, seated, view_calls):
    client, attempt = seated
    ticket, item = page_ticket(client), attempt.paper.items[0]
    assert seat.sign_out(live_sign_in(attempt), now=START)
    db.session.commit()
    response = ticket_save(client, ticket, item.id, [0], 1)
    assert response.status_code == 404 and response.json["code"] == "signed_out"
    assert view_calls == [1] and stored(attempt) == {}


@pytest.mark.parametrize("case", ["after_deadline", "paused", "terminated", "submitted"])
def test_an_attempt_not_taking_answers_falls_through_to_the_views_refusal(seated, exam, clock, view_calls,
                                                                           case):
    client, attempt = seated
    ticket, item = page_ticket(client), attempt.paper.items[0]
    assert ticket_save(client, ticket, item.id, [0], 1).json["outcome"] == "saved"
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
    response = ticket_save(client, ticket, item.id, [1], 2)
    code = {"after_deadline": "over", "paused": "paused", "terminated": "terminated",
            "submitted": "over"}[case]
    assert response.status_code == 409 and response.json["code"] == code and response.json["message"]
    assert view_calls == [1]
    assert stored(attempt) == {item.id: ([0], False, 1)}
    assert refusals() == [code]


@pytest.mark.parametrize("body, content_type", [
    ('{"ticket": "x", "item": 1', "application/json"),                  # broken JSON
    ("ticket=x&item=1", "application/x-www-form-urlencoded"),             # a form, not JSON
    ('{"ticket": "' + "x" * 3000 + '", "item": 1}', "application/json"),  # larger than any save
    ('{"ticket": "x", "item": "1", "choice": [0], "seq": 1}', "application/json"),
    ('{"ticket": "x", "item": 1, "choice": [0], "seq": true}', "application/json"),
])
def test_bodies_that_are_not_plain_ticket_saves_reach_the_view_intact(seated, view_calls, body, content_type):
    client, attempt = seated
    response = client.post(URL, data=body, content_type=content_type)
    assert view_calls == [1]
    assert response.status_code == 400 and response.json["code"] == "bad_request"
    assert stored(attempt) == {} and refusals() == ["bad_request"]


def test_a_failed_write_is_answered_by_the_view(app, seated, view_calls, monkeypatch, caplog):
    client, attempt = seated
    ticket, item = page_ticket(client), attempt.paper.items[0]

    def explode(_jobs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(gateway(app).committer, "write", explode)
    response = ticket_save(client, ticket, item.id, [1], 4)
    assert response.json == {"ok": True, "outcome": "saved", "seq": 4, "stored_seq": 4}
    assert view_calls == [1] and "writing 1 answer saves failed" in caplog.text
    assert stored(attempt) == {item.id: ([1], False, 4)}


def test_other_urls_and_methods_are_untouched(client, seated, view_calls):
    client, _attempt = seated
    assert client.get(URL).status_code == 405
    assert client.post(URL + "/", json={"ticket": "x"}).status_code == 404
    assert view_calls == []


def test_with_the_gateway_off_the_view_answers_ticket_saves(other_app, seated, clock):
    client, attempt = seated
    plain = other_app(EXAMS_SAVE_GATEWAY=False)
    install_clock(plain, clock)
    layer = plain.wsgi_app
    while hasattr(layer, "wrapped"):
        assert not isinstance(layer, SaveGateway)
        layer = layer.wrapped
    other = plain.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    item = attempt.paper.items[0]
    response = ticket_save(other, page_ticket(client), item.id, [1], 2)
    assert response.json == {"ok": True, "outcome": "saved", "seq": 2, "stored_seq": 2}
    assert stored(attempt) == {item.id: ([1], False, 2)}


def test_acknowledged_saves_are_exactly_the_stored_ones(app, seated):
    """Many saves at once, some older than others: what is stored is the newest acknowledged save."""
    client, attempt = seated
    ticket = page_ticket(client)
    items = [i.id for i in attempt.paper.items if i.qtype == "single"][:4]
    cookie = client.get_cookie("session").value
    acknowledged: dict[int, list[int]] = {i: [] for i in items}
    lock = threading.Lock()

    def candidate_tab(offset: int):
        tab = app.test_client()
        tab.set_cookie("session", cookie)  # a refused or kept save falls through to the view
        for n in range(12):
            item, seq = items[n % len(items)], 1 + offset + 4 * n
            response = ticket_save(tab, ticket, item, [seq % 2], seq)
            assert response.status_code == 200 and response.json["ok"], response.json
            with lock:
                acknowledged[item].append(seq)

    threads = [threading.Thread(target=candidate_tab, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(len(seqs) == 12 for seqs in acknowledged.values())
    newest = {item: max(seqs) for item, seqs in acknowledged.items()}
    assert stored(attempt) == {item: ([seq % 2], False, seq) for item, seq in newest.items()}
    assert db.session.scalar(select(ExamAttempt.id).where(ExamAttempt.id == attempt.id))


@pytest.mark.parametrize("writers", [0, 1, 3])
def test_the_committer_writes_inline_or_from_writer_threads_alike(app, seated, writers):
    """0 writers (a server database's default): each save in its sender's own transaction."""
    client, attempt = seated
    with app.app_context():
        sign_in = live_sign_in(attempt).id
    committer = SaveCommitter(app, max_batch=8, wait_seconds=10, writers=writers)
    item = attempt.paper.items[0]
    job = SaveJob(attempt_id=attempt.id, sign_in_id=sign_in, item_id=item.id, choice=[1], flagged=False,
                  seq=2, now=START)
    assert committer.submit(job) == SAVED
    assert committer.submit(job) is None  # the same sequence number again: kept, which is not "saved"
    assert stored(attempt) == {item.id: ([1], False, 2)}
