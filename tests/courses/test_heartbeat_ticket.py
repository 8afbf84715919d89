"""Heartbeats by study ticket: no cookie, no session, forged and expired tickets refused and audited."""

import re
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from courses.models import StudyRecord
from courses.tickets import SALT, issue_ticket
from lms.extensions import db, login_manager
from lms.models import AuditEvent, Post
from lms.roles import Role

URL = "/courses/study/heartbeat"


@pytest.fixture
def world(course_world, cf):
    other_course = cf.course(course_world["ent"], title="另一门课")
    return {**course_world, "lesson": course_world["course"].lessons[0].id,
            "other_lesson": other_course.lessons[0].id}


def page_ticket(client, world) -> str:
    html = client.get(f"/courses/lessons/{world['lesson']}").get_data(as_text=True)
    return re.search(r'data-ticket="([^"]+)"', html).group(1)


def refusals() -> list[str]:
    return [e.details["reason"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "courses.heartbeat_refused"))]


def test_the_lesson_page_ticket_alone_opens_the_record_without_a_session(app, client, login, world):
    login("learner")
    ticket = page_ticket(client, world)
    anonymous = app.test_client()  # no cookie at all
    response = anonymous.post(URL, json={"ticket": ticket, "lesson": world["lesson"]})
    assert response.status_code == 200 and response.json == {"credited": 0, "refused": None}
    assert "Set-Cookie" not in response.headers
    record = db.session.scalar(select(StudyRecord))
    assert record.open_person_id == world["person"].id and record.lesson_id == world["lesson"]


def test_a_ticket_beat_never_loads_the_account_even_with_a_cookie(client, login, world, monkeypatch):
    login("learner")
    ticket = page_ticket(client, world)
    loads = []
    original = login_manager._user_callback
    monkeypatch.setattr(login_manager, "_user_callback", lambda uid: loads.append(uid) or original(uid))
    assert client.post(URL, json={"ticket": ticket, "lesson": world["lesson"]}).status_code == 200
    assert loads == []
    # Control: the session fallback does load it, so the hook above would have seen a load.
    assert client.post(URL, json={"enrollment": world["enrollment"].id,
                                  "lesson": world["lesson"]}).status_code == 200
    assert len(loads) == 1


def test_ticket_beats_need_no_csrf_token_but_session_beats_still_do(strict_app, world):
    client = strict_app.test_client()
    with strict_app.app_context():
        ticket = issue_ticket(world["person"].id, world["enrollment"].id)
    assert client.post(URL, json={"ticket": ticket, "lesson": world["lesson"]}).status_code == 200


@pytest.mark.parametrize("forge", ["tampered", "other_salt", "other_secret", "not_a_string"])
def test_forged_tickets_credit_nothing_and_are_audited(app, client, world, forge):
    genuine = issue_ticket(world["person"].id, world["enrollment"].id)
    claim = [world["person"].id, world["enrollment"].id]
    ticket = {"tampered": genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"),
              "other_salt": URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="x").dumps(claim),
              "other_secret": URLSafeTimedSerializer("guess", salt=SALT).dumps(claim),
              "not_a_string": 12345}[forge]
    response = client.post(URL, json={"ticket": ticket, "lesson": world["lesson"]})
    assert response.status_code == 401 and response.json["refused"] == "bad_ticket"
    assert db.session.scalar(select(StudyRecord)) is None
    assert refusals() == ["bad_ticket"]


def test_an_expired_ticket_is_refused_and_audited(app, client, world, monkeypatch):
    ticket = issue_ticket(world["person"].id, world["enrollment"].id)
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(seconds=-1))
    response = client.post(URL, json={"ticket": ticket, "lesson": world["lesson"]})
    assert response.status_code == 401 and response.json["refused"] == "expired_ticket"
    assert db.session.scalar(select(StudyRecord)) is None
    assert refusals() == ["expired_ticket"]


def test_a_genuine_ticket_cannot_credit_a_lesson_outside_its_enrolment(client, world):
    ticket = issue_ticket(world["person"].id, world["enrollment"].id)
    # The body's enrolment is ignored: the ticket decides which enrolment the beat is for.
    response = client.post(URL, json={"ticket": ticket, "lesson": world["other_lesson"],
                                      "enrollment": world["enrollment"].id + 1})
    assert response.status_code == 403 and response.json["refused"] == "lesson_not_assigned"
    assert db.session.scalar(select(StudyRecord)) is None
    assert refusals() == ["lesson_not_assigned"]
    assert client.post(URL, json={"ticket": ticket, "lesson": "x"}).status_code == 400


def test_a_ticket_already_verified_still_expires(app, client, world, monkeypatch):
    ticket = issue_ticket(world["person"].id, world["enrollment"].id)
    assert client.post(URL, json={"ticket": ticket, "lesson": world["lesson"]}).status_code == 200
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(seconds=-1))
    response = client.post(URL, json={"ticket": ticket, "lesson": world["lesson"]})
    assert response.status_code == 401 and response.json["refused"] == "expired_ticket"


def test_a_new_secret_key_refuses_tickets_verified_under_the_old_one(app, client, world, monkeypatch):
    ticket = issue_ticket(world["person"].id, world["enrollment"].id)
    assert client.post(URL, json={"ticket": ticket, "lesson": world["lesson"]}).status_code == 200
    monkeypatch.setitem(app.config, "SECRET_KEY", "rotated-secret")
    response = client.post(URL, json={"ticket": ticket, "lesson": world["lesson"]})
    assert response.status_code == 401 and response.json["refused"] == "bad_ticket"


def test_signing_out_revokes_the_tickets_of_pages_still_open(client, login, world, monkeypatch):
    """A lesson tab left open on a shared computer stops crediting its learner at sign-out."""
    login("learner")
    ticket = page_ticket(client, world)
    assert client.post(URL, json={"ticket": ticket, "lesson": world["lesson"]}).status_code == 200
    assert client.post("/logout").status_code == 302
    stale = client.post(URL, json={"ticket": ticket, "lesson": world["lesson"]})
    assert stale.status_code == 401 and stale.json == {"credited": 0, "refused": "signed_out"}
    assert refusals() == ["signed_out"]
    # Signed in again, the new page's ticket counts (signed a few seconds later, as any real
    # sign-in is: ticket times have whole-second resolution).
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: int(time.time()) + 3)
    login("learner")
    fresh = page_ticket(client, world)
    assert client.post(URL, json={"ticket": fresh, "lesson": world["lesson"]}).status_code == 200


def test_another_learners_sign_out_revokes_nothing(client, login, make, world):
    other = make.person("王同事", org=world["ent"], post=Post.SAFETY_MANAGER)
    make.account("colleague", Role.LEARNER, org=world["ent"], person=other)
    ticket = issue_ticket(world["person"].id, world["enrollment"].id)
    login("colleague")
    assert client.post("/logout").status_code == 302
    assert client.post(URL, json={"ticket": ticket, "lesson": world["lesson"]}).status_code == 200
