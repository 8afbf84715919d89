"""Check-in at the exam-room door: lookups, refusals, double scans, incidents and the room record."""

from datetime import UTC, datetime

import pytest
from centres_world import add_person, add_room, add_session
from sqlalchemy import func, select

from exams.centres import checkin as checkin_services
from exams.centres.models import (
    Attendance,
    Incident,
    IncidentKind,
    Registration,
    RegistrationStatus,
    RoomRecord,
    SessionStatus,
)
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.idcard import check_digit
from lms.models import AuditEvent, OrgKind
from lms.roles import Role

from support import PASSWORD, at_once, slowed

#: The exam morning, 08:30 in Shanghai.
MORNING = datetime(2026, 12, 15, 0, 30, tzinfo=UTC)
EN = {"Accept-Language": "en"}


@pytest.fixture
def clock(app):
    stopped = FixedClock(MORNING)
    install_clock(app, stopped)
    yield stopped
    app.extensions.pop("lms.clock")


def register(day, person, seat: int, ticket: str, session=None, room=None) -> Registration:
    """A registration of ``person`` seated at seat number ``seat`` (0-based) of ``room``."""
    session = session or day.session
    room = room or day.room
    employment = day.employment(person)
    reg = Registration(session=session, person=person, employment=employment,
                       organization_id=employment.organization_id, ticket_number=ticket,
                       registered_by_id=day.accounts["centre_admin"].id, seat=room.seats[seat])
    db.session.add(reg)
    db.session.flush()
    return reg


def seq_with_x() -> int:
    """A sequence number whose ID number (born 1985-03-09 in 320213) ends in X."""
    return next(s for s in range(300, 999) if check_digit(f"32021319850309{s:03d}") == "X")


@pytest.fixture
def desk(day, clock):
    """The session with registration closed and three registrations in the room."""
    day.session.status = SessionStatus.REGISTRATION_CLOSED
    x_person = add_person("张晓", day.enterprise, seq=seq_with_x())
    regs = [register(day, day.employees[0], 0, "262026000001"),
            register(day, day.employees[1], 1, "262026000002"),
            register(day, x_person, 2, "262026000003")]
    db.session.commit()
    return {"regs": regs, "url": f"/centre/sessions/{day.session.id}/checkin?room={day.room.id}"}


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def attendance(reg) -> Attendance:
    db.session.expire_all()
    return db.session.get(Registration, reg.id).attendance


def post(client, desk, reg, action: str, **data):
    return client.post(f"/centre/sessions/{reg.session_id}/checkin/{reg.id}/{action}",
                       data={"room": reg.seat.room_id, **data}, headers=EN, follow_redirects=True)


def test_lookup_by_id_number_typed_with_a_lower_case_x(client, login, day, desk):
    login("invigilator")
    reg = desk["regs"][2]
    typed = reg.person.id_number.lower()
    assert typed.endswith("x")
    html = client.get(desk["url"] + f"&q={typed}", headers=EN).get_data(as_text=True)
    assert "张晓" in html and "262026000003" in html and "A03" in html
    assert reg.person.masked_id in html and reg.person.id_number not in html
    assert "无锡甲电气" in html and "Mark present" in html
    assert 'id="scan-q"' in html and "autofocus" in html and "checkin.js" in html
    assert client.get("/exams/assets/checkin.js").status_code == 200
    assert "No photo on record" in html
    reg.photo_digest = "ab" * 32
    db.session.commit()
    html = client.get(desk["url"] + f"&q={typed}", headers=EN).get_data(as_text=True)
    assert f'src="/centre/registrations/{reg.id}/photo"' in html


def test_lookup_by_ticket_number_then_mark_present(client, login, day, desk):
    login("invigilator")
    reg = desk["regs"][0]
    html = client.get(desk["url"] + "&q=262026000001", headers=EN).get_data(as_text=True)
    assert "电工0" in html and "A01" in html
    html = post(client, desk, reg, "present").get_data(as_text=True)
    assert "电工0 is checked in: seat A01." in html
    db.session.expire_all()
    reg = db.session.get(Registration, reg.id)
    assert reg.attendance is Attendance.PRESENT and reg.checked_in_at == MORNING
    assert reg.checked_in_by_id == day.accounts["invigilator"].id
    assert len(events("exams.checkin.present")) == 1


def test_a_ticket_of_another_session_is_refused_saying_so(client, login, day, desk):
    other = add_session(day.centre, day.blueprint, day.bank, [day.room], day.accounts["centre_admin"],
                        code="WX-20261216-1.2", status=SessionStatus.REGISTRATION_CLOSED)
    register(day, day.employees[3], 5, "262026009999", session=other)
    db.session.commit()
    login("invigilator")
    html = client.get(desk["url"] + "&q=262026009999", headers=EN).get_data(as_text=True)
    assert "This ticket is for another session, not for WX-20261215-1.2." in html
    refused = events("exams.checkin.refused")
    assert [e.details["checkin_refusal"] for e in refused] == ["other_session"]
    html = client.get(desk["url"] + "&q=262026000404", headers=EN).get_data(as_text=True)
    assert "No candidate with this ticket or ID number in this session." in html
    assert [a for a in map(attendance, desk["regs"])] == [Attendance.EXPECTED] * 3


def test_a_candidate_seated_in_another_room_is_refused_and_nothing_changes(client, login, day, desk):
    second = add_room(day.centre, "R102", seats=5)
    day.session.rooms.append(type(day.session.rooms[0])(room=second))
    stranger = register(day, day.employees[4], 0, "262026000005", room=second)
    db.session.commit()
    login("invigilator")
    html = client.get(desk["url"] + "&q=262026000005", headers=EN).get_data(as_text=True)
    assert "Seated in room R102 第R102考场, not in this room." in html and "Mark present" not in html
    response = client.post(f"/centre/sessions/{day.session.id}/checkin/{stranger.id}/present",
                           data={"room": day.room.id}, headers=EN, follow_redirects=True)
    assert "Seated in room R102" in response.get_data(as_text=True)
    assert attendance(stranger) is Attendance.EXPECTED
    assert [e.details["checkin_refusal"] for e in events("exams.checkin.refused")] == ["other_room"] * 2
    assert events("exams.checkin.present") == []


def test_a_withdrawn_registration_is_refused(client, login, day, desk):
    desk["regs"][1].status = RegistrationStatus.WITHDRAWN
    db.session.commit()
    login("invigilator")
    html = post(client, desk, desk["regs"][1], "present").get_data(as_text=True)
    assert "This registration was withdrawn" in html
    assert attendance(desk["regs"][1]) is Attendance.EXPECTED


def test_a_session_not_taking_check_ins_says_why(client, login, day, desk):
    day.session.status = SessionStatus.PUBLISHED
    db.session.commit()
    login("invigilator")
    html = client.get(desk["url"], headers=EN).get_data(as_text=True)
    assert "Check-in starts when registration for this session has closed." in html
    assert 'id="scan-q"' not in html
    post(client, desk, desk["regs"][0], "present")
    assert attendance(desk["regs"][0]) is Attendance.EXPECTED
    assert events("exams.checkin.refused")[0].details["checkin_refusal"] == "not_accepting"


def test_a_double_scan_checks_in_once_and_tells_since_when(client, login, day, desk, clock):
    login("invigilator")
    reg = desk["regs"][0]
    post(client, desk, reg, "present")
    clock.advance(minutes=3)
    html = post(client, desk, reg, "present").get_data(as_text=True)
    assert "电工0 was already checked in at 08:30: seat A01." in html
    html = client.get(desk["url"] + "&q=262026000001", headers=EN).get_data(as_text=True)
    assert "already checked in at 08:30" in html
    assert len(events("exams.checkin.present")) == 1
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).checked_in_at == MORNING


def test_two_invigilators_marking_present_at_once_change_the_row_once(app, day, desk, monkeypatch):
    # Both requests pass the checks before either writes: only the conditional update decides.
    monkeypatch.setattr(checkin_services, "check_candidate", slowed(checkin_services.check_candidate))
    centre_admin = app.test_client()
    invigilator = app.test_client()
    for client, name in ((centre_admin, "centre_admin"), (invigilator, "invigilator")):
        assert client.post("/login", data={"username": name, "password": PASSWORD}).status_code == 302
    reg = desk["regs"][0]
    url = f"/centre/sessions/{day.session.id}/checkin/{reg.id}/present"
    form = {"room": day.room.id}
    responses = at_once(lambda: centre_admin.post(url, data=form), lambda: invigilator.post(url, data=form))
    assert [r.status_code for r in responses] == [302, 302]
    assert attendance(reg) is Attendance.PRESENT
    assert len(events("exams.checkin.present")) == 1


def test_mark_absent(client, login, day, desk):
    login("invigilator")
    html = post(client, desk, desk["regs"][1], "absent").get_data(as_text=True)
    assert "电工1 is marked absent." in html
    assert attendance(desk["regs"][1]) is Attendance.ABSENT
    assert len(events("exams.checkin.absent")) == 1
    # An absent candidate who turns up late is still checked in.
    post(client, desk, desk["regs"][1], "present")
    assert attendance(desk["regs"][1]) is Attendance.PRESENT
    html = post(client, desk, desk["regs"][1], "absent").get_data(as_text=True)
    assert "Already checked in at 08:30" in html
    assert attendance(desk["regs"][1]) is Attendance.PRESENT


def test_an_identity_doubt_is_an_incident_and_leaves_the_candidate_unchecked(client, login, day, desk):
    login("invigilator")
    reg = desk["regs"][0]
    html = post(client, desk, reg, "doubt", reason="照片与本人不符").get_data(as_text=True)
    assert "The identity doubt is noted." in html and "照片与本人不符" in html
    incident = db.session.scalar(select(Incident))
    assert (incident.kind, incident.registration_id, incident.room_id) == \
        (IncidentKind.IDENTITY_DOUBT, reg.id, day.room.id)
    assert attendance(reg) is Attendance.EXPECTED
    assert events("exams.incident.recorded")[0].details["kind"] == "identity_doubt"


def test_incidents_for_the_room_are_noted_and_listed(client, login, day, desk):
    login("invigilator")
    response = client.post(f"/centre/sessions/{day.session.id}/incidents", headers=EN, follow_redirects=True,
                           data={"room": day.room.id, "kind": "technical", "registration": 0,
                                 "note": "A05号机蓝屏"})
    html = response.get_data(as_text=True)
    assert "The incident is noted." in html and "A05号机蓝屏" in html and "Technical fault" in html
    incident = db.session.scalar(select(Incident))
    assert incident.registration_id is None and incident.kind is IncidentKind.TECHNICAL


def test_the_roster_counts_the_room(client, login, day, desk):
    login("invigilator")
    post(client, desk, desk["regs"][0], "present")
    post(client, desk, desk["regs"][1], "absent")
    html = client.get(desk["url"], headers=EN).get_data(as_text=True)
    roster = html[html.index('id="roster-h"'):html.index('id="incidents-h"')]
    for name in ("电工0", "电工1", "张晓"):
        assert name in roster
    assert roster.count("Present") >= 2 and "Absent" in roster


def test_the_room_record_is_signed_off_once_with_frozen_counts(client, login, day, desk):
    login("invigilator")
    post(client, desk, desk["regs"][0], "present")
    day.session.status = SessionStatus.OPEN
    db.session.commit()
    url = f"/centre/sessions/{day.session.id}/rooms/{day.room.id}/record"
    html = client.post(url, data={"remarks": "考试秩序良好"}, headers=EN,
                       follow_redirects=True).get_data(as_text=True)
    assert "The room record is signed off." in html and "考试秩序良好" in html
    assert f'href="/centre/sessions/{day.session.id}/rooms/{day.room.id}/record.pdf"' in html
    record = db.session.scalar(select(RoomRecord))
    assert record.summary == {"registered": 3, "present": 1, "absent": 2, "incidents": 0,
                              "invigilators": ["invigilator"]}
    client.post("/logout")
    login("centre_admin")
    html = client.post(url, data={"remarks": "again"}, headers=EN,
                       follow_redirects=True).get_data(as_text=True)
    assert "Only an invigilator assigned to this session and room may sign off its record." in html
    client.post("/logout")
    login("invigilator")
    html = client.post(url, data={"remarks": "again"}, headers=EN,
                       follow_redirects=True).get_data(as_text=True)
    assert "Already signed off by invigilator at 08:30." in html
    assert db.session.scalar(select(func.count(RoomRecord.id))) == 1
    assert len(events("exams.room_record.signed")) == 1


def test_the_room_record_waits_for_the_session_to_open(client, login, day, desk):
    login("invigilator")
    url = f"/centre/sessions/{day.session.id}/rooms/{day.room.id}/record"
    html = client.post(url, data={"remarks": ""}, headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "once the session is open" in html
    assert db.session.scalar(select(func.count(RoomRecord.id))) == 0


def test_the_landing_lists_the_sessions_assigned_ones_first(client, login, day, desk):
    later = add_session(day.centre, day.blueprint, day.bank, [day.room], day.accounts["centre_admin"],
                        code="WX-20261214-EARLY", status=SessionStatus.REGISTRATION_CLOSED,
                        starts_at=datetime(2026, 12, 15, 0, 45, tzinfo=UTC))
    assert later.starts_at < day.session.starts_at
    db.session.commit()
    login("invigilator")
    html = client.get("/centre/checkin", headers=EN).get_data(as_text=True)
    assert html.index("WX-20261215-1.2") < html.index("WX-20261214-EARLY")
    assert "Assigned to you" in html
    assert 'href="/centre/checkin"' in html  # the menu entry


def test_an_invigilator_of_another_centre_finds_nothing(client, login, make, day, desk):
    other = make.org("苏州考点", region_code="320509", kind=OrgKind.EXAM_CENTRE, industry=None)
    make.account("far_invigilator", Role.INVIGILATOR, org=other)
    login("far_invigilator")
    reg = desk["regs"][0]
    assert client.get(desk["url"]).status_code == 404
    assert client.get(desk["url"] + "&q=262026000001").status_code == 404
    assert client.post(f"/centre/sessions/{day.session.id}/checkin/{reg.id}/present",
                       data={"room": day.room.id}).status_code == 404
    assert client.post(f"/centre/sessions/{day.session.id}/incidents",
                       data={"kind": "other", "registration": 0, "note": "x"}).status_code == 404
    assert attendance(reg) is Attendance.EXPECTED
    assert "WX-20261215-1.2" not in client.get("/centre/checkin").get_data(as_text=True)


def test_an_enterprise_admin_may_not_check_in(client, login, day, desk):
    login("ent_admin")
    assert client.get("/centre/checkin").status_code == 403
    assert client.get(desk["url"]).status_code == 403


def test_a_room_of_another_session_is_not_found(client, login, day, desk):
    login("invigilator")
    elsewhere = add_room(day.centre, "R900", seats=1)
    db.session.commit()
    assert client.get(f"/centre/sessions/{day.session.id}/checkin?room={elsewhere.id}").status_code == 404


def test_the_dashboard_counts_todays_sessions_taking_check_ins(client, login, day, desk):
    login("invigilator")
    html = client.get("/dashboard", headers=EN).get_data(as_text=True)
    assert "Sessions to check in today" in html
    day.session.status = SessionStatus.PUBLISHED
    db.session.commit()
    assert "Sessions to check in today" not in client.get("/dashboard", headers=EN).get_data(as_text=True)
