"""The WSGI gateway answers ticket heartbeats ahead of Flask; everything else still reaches Flask."""

import pytest
from sqlalchemy import select

from courses.beat_gateway import TicketBeatGateway
from courses.models import StudyRecord
from courses.tickets import issue_ticket
from lms.extensions import db
from lms.models.base import utcnow

URL = "/courses/study/heartbeat"


@pytest.fixture
def world(course_world):
    person, enrollment = course_world["person"], course_world["enrollment"]
    return {**course_world, "lesson": course_world["course"].lessons[0].id,
            "ticket": issue_ticket(person.id, enrollment.id)}


@pytest.fixture
def view_calls(app, monkeypatch):
    """Count the calls that reach the Flask view of the heartbeat."""
    calls = []
    view = app.view_functions["courses.heartbeat_view"]
    monkeypatch.setitem(app.view_functions, "courses.heartbeat_view",
                        lambda *a, **kw: calls.append(1) or view(*a, **kw))
    return calls


def gateways(app) -> list:
    """The WSGI layers installed in front of Flask, outermost first (other packages add their own)."""
    layers, layer = [], app.wsgi_app
    while hasattr(layer, "wrapped"):
        layers.append(layer)
        layer = layer.wrapped
    return layers


def test_the_gateway_sits_in_front_of_flask(app):
    [beat_gateway] = [g for g in gateways(app) if isinstance(g, TicketBeatGateway)]
    assert beat_gateway.path == URL


def test_a_ticket_beat_is_answered_by_the_gateway_and_written(client, world, view_calls):
    response = client.post(URL, json={"ticket": world["ticket"], "lesson": world["lesson"]})
    assert response.status_code == 200 and response.json == {"credited": 0, "refused": None}
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert view_calls == []
    record = db.session.scalar(select(StudyRecord))
    assert record.open_person_id == world["person"].id


def test_refusals_from_the_gateway_keep_their_status(client, world, view_calls):
    forged = world["ticket"][:-2] + ("AA" if not world["ticket"].endswith("AA") else "BB")
    assert client.post(URL, json={"ticket": forged, "lesson": world["lesson"]}).status_code == 401
    response = client.post(URL, json={"ticket": world["ticket"], "lesson": "x"})
    assert response.status_code == 400 and response.json["refused"] == "bad_request"
    assert view_calls == []
    assert db.session.scalar(select(StudyRecord)) is None


def test_session_beats_pass_through_with_their_body_intact(client, login, world, view_calls):
    login("learner")
    response = client.post(URL, json={"enrollment": world["enrollment"].id, "lesson": world["lesson"]})
    assert response.status_code == 200 and view_calls == [1]
    assert db.session.scalar(select(StudyRecord)).lesson_id == world["lesson"]


@pytest.mark.parametrize("body, content_type", [
    ('{"ticket": "x", "lesson": 1', "application/json"),          # broken JSON
    ("ticket=x&lesson=1", "application/x-www-form-urlencoded"),    # a form, not JSON
    ('{"ticket": "' + "x" * 5000 + '"}', "application/json"),     # larger than any beat
])
def test_bodies_that_are_not_plain_ticket_beats_go_to_flask(client, world, view_calls, body,
                                                            content_type):
    response = client.post(URL, data=body, content_type=content_type)
    assert view_calls == [1]
    assert response.status_code in (400, 401)
    assert db.session.scalar(select(StudyRecord)) is None


def test_a_failure_inside_the_ledger_answers_503_and_writes_nothing(client, world, monkeypatch,
                                                                     caplog):
    import courses.ledger as ledger

    def explode(*_args, conn, **_kwargs):
        conn.execute(StudyRecord.__table__.insert().values(
            person_id=world["person"].id, lesson_id=world["lesson"],
            course_id=world["enrollment"].course_id, started_at=utcnow(), ended_at=utcnow(),
            seconds=5))
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ledger, "heartbeat", explode)
    response = client.post(URL, json={"ticket": world["ticket"], "lesson": world["lesson"]})
    assert response.status_code == 503 and response.json["refused"] == "unavailable"
    assert db.session.scalar(select(StudyRecord)) is None  # the half-done insert was rolled back
    assert "writing 1 heartbeats failed" in caplog.text


def test_other_urls_and_methods_are_untouched(client, world, view_calls):
    assert client.get(URL).status_code == 405
    assert client.post("/courses/study/heartbeat/", json={"ticket": world["ticket"]}).status_code == 404
    assert view_calls == []


def test_with_the_gateway_off_the_flask_view_answers_ticket_beats(other_app, world):
    plain = other_app(COURSES_BEAT_GATEWAY=False)
    assert not any(isinstance(g, TicketBeatGateway) for g in gateways(plain))
    response = plain.test_client().post(URL, json={"ticket": world["ticket"], "lesson": world["lesson"]})
    assert response.status_code == 200 and response.json == {"credited": 0, "refused": None}
    assert db.session.scalar(select(StudyRecord)).open_person_id == world["person"].id


def test_behind_a_trusted_proxy_refused_beats_are_audited_with_the_clients_address(other_app, world):
    from lms.models import AuditEvent

    proxied = other_app(TRUSTED_PROXIES=1)
    forged = world["ticket"][:-2] + ("AA" if not world["ticket"].endswith("AA") else "BB")
    response = proxied.test_client().post(URL, json={"ticket": forged, "lesson": world["lesson"]},
                                          headers={"X-Forwarded-For": "198.51.100.7"})
    assert response.status_code == 401
    db.session.expire_all()
    assert db.session.scalars(select(AuditEvent.ip)).all() == ["198.51.100.7"]
