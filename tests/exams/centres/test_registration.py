"""Registering candidates: scope, twice, closed, capacity, wrong kind, override; refusals logged."""

from datetime import UTC, date, datetime

from centres_world import NOW, add_person
from sqlalchemy import func, select

from exams.centres.models import ExamSession, Registration, RegistrationStatus
from exams.centres.registration import RegistrationRefused, find_candidate, register, withdraw
from lms.extensions import db
from lms.models import AuditEvent

from support import at_once


def _count(session) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.session_id == session.id, Registration.status == RegistrationStatus.ACTIVE))


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_enterprise_admin_registers_an_employee_and_gets_a_ticket(client, login, day, day_clock):
    person = day.employees[0]
    login("ent_admin")
    response = client.post(f"/centre/sessions/{day.session.id}/registrations",
                           data={"id_number": person.id_number.lower(), "health_commitment": "y"})
    assert response.status_code == 302
    reg = db.session.scalar(select(Registration))
    assert reg.person_id == person.id and reg.is_active and reg.health_commitment_at == NOW
    assert reg.ticket_number == f"26{day.session.id:06d}0001"
    assert all(c["ok"] for c in reg.eligibility)
    db.session.refresh(day.session)
    assert day.session.registered_count == 1
    page = client.get(f"/centre/sessions/{day.session.id}/registrations").get_data(as_text=True)
    assert reg.ticket_number in page and person.name in page
    assert _events("exams.registration.created")


def test_a_refusal_shows_the_rule_is_logged_and_writes_nothing(client, login, day, day_clock):
    young = add_person("少年", day.enterprise, born=date(2008, 12, 16), seq=401)
    db.session.commit()
    login("ent_admin")
    response = client.post(f"/centre/sessions/{day.session.id}/registrations",
                           data={"id_number": young.id_number, "health_commitment": "y",
                                 "education": "college"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "最低年龄" in page and "令30号 第4条" in page and "17" in page
    assert _count(day.session) == 0
    db.session.refresh(young)
    assert young.education == "senior_high"  # the education given with the refused form is not kept
    (event,) = _events("exams.registration.refused")
    assert event.details["reason"] == "ineligible" and event.details["checks"] == "min_age"


def test_enterprise_admin_cannot_register_another_enterprises_employee(client, login, day, day_clock):
    outsider = day.employees[6]
    login("ent_admin")
    response = client.post(f"/centre/sessions/{day.session.id}/registrations",
                           data={"id_number": outsider.id_number, "health_commitment": "y"})
    assert response.status_code == 422
    assert "范围内没有" in response.get_data(as_text=True)
    assert _count(day.session) == 0
    assert _events("exams.registration.refused")[0].details["reason"] == "not_found"


def test_twice_closed_and_full_are_refused_with_their_reason(day):
    admin = day.accounts["ent_admin"]
    first, second = day.employees[0], day.employees[1]
    register(day.session, first, day.employment(first), admin, NOW, health_commitment=True)
    db.session.commit()
    try:
        register(day.session, first, day.employment(first), admin, NOW, health_commitment=True)
        raise AssertionError("registered twice")
    except RegistrationRefused as refused:
        assert refused.code == "twice"
    db.session.rollback()
    day.session.capacity = 1
    db.session.commit()
    try:
        register(day.session, second, day.employment(second), admin, NOW, health_commitment=True)
        raise AssertionError("registered past capacity")
    except RegistrationRefused as refused:
        assert refused.code == "full"
    db.session.rollback()
    day.session.capacity = 30
    db.session.commit()
    late = datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
    try:
        register(day.session, second, day.employment(second), admin, late, health_commitment=True)
        raise AssertionError("registered after the deadline")
    except RegistrationRefused as refused:
        assert refused.code == "closed"
    db.session.rollback()
    assert _count(day.session) == 1


def test_two_admins_taking_the_last_place_at_once_get_one_registration(app, day):
    day.session.capacity = 1
    db.session.commit()
    session_id = day.session.id
    people = [(p.id, day.employment(p).id) for p in day.employees[:2]]
    admin_id = day.accounts["centre_admin"].id

    def attempt(person_id, employment_id):
        def run():
            from lms.models import Account, Employment, Person

            with app.test_request_context():
                session = db.session.get(ExamSession, session_id)
                try:
                    register(session, db.session.get(Person, person_id),
                             db.session.get(Employment, employment_id),
                             db.session.get(Account, admin_id), NOW, health_commitment=True)
                    db.session.commit()
                    return "ok"
                except RegistrationRefused as refused:
                    db.session.rollback()
                    return refused.code
        return run

    results = at_once(*(attempt(*p) for p in people))
    assert sorted(results) == ["full", "ok"]
    db.session.expire_all()
    assert _count(day.session) == 1 and db.session.get(ExamSession, session_id).registered_count == 1


def test_a_centre_admin_may_override_with_a_written_reason_an_enterprise_admin_may_not(day):
    young = add_person("少年乙", day.enterprise, born=date(2008, 12, 20), seq=402)
    db.session.commit()
    employment = day.employment(young)
    try:
        register(day.session, young, employment, day.accounts["ent_admin"], NOW, health_commitment=True,
                 override_reason="经核实身份证件有误，实际已满十八周岁")
        raise AssertionError("enterprise admin overrode")
    except RegistrationRefused as refused:
        assert refused.code == "override_denied"
    db.session.rollback()
    reg = register(day.session, young, employment, day.accounts["centre_admin"], NOW,
                   health_commitment=True, override_reason="经核实户籍证明，出生日期登记有误")
    db.session.commit()
    assert reg.override_reason.startswith("经核实户籍证明")
    (event,) = _events("exams.registration.overridden")
    assert event.details["checks"] == "min_age" and "户籍" in event.details["reason"]


def test_a_health_commitment_cannot_be_overridden(day):
    person = day.employees[0]
    try:
        register(day.session, person, day.employment(person), day.accounts["centre_admin"], NOW,
                 health_commitment=False, override_reason="本人口头承诺身体健康")
        raise AssertionError("registered without a health commitment")
    except RegistrationRefused as refused:
        assert refused.code == "not_overridable"


def test_withdrawing_gives_the_place_back_and_keeps_the_ticket_on_re_registration(day):
    person = day.employees[0]
    admin = day.accounts["ent_admin"]
    reg = register(day.session, person, day.employment(person), admin, NOW, health_commitment=True)
    db.session.commit()
    ticket = reg.ticket_number
    withdraw(reg, admin, NOW, "改期")
    db.session.commit()
    db.session.refresh(day.session)
    assert day.session.registered_count == 0
    again = register(day.session, person, day.employment(person), admin, NOW, health_commitment=True)
    db.session.commit()
    assert again.id == reg.id and again.ticket_number == ticket and again.is_active


def test_find_candidate_prefers_the_employment_the_session_examines(day):
    person = day.employees[0]
    _person, employment = find_candidate(day.accounts["centre_admin"], day.session, person.id_number)
    assert employment.operation_subtype == "1.2"


def test_registering_twice_or_for_the_wrong_exam_is_refused_logged_and_changes_nothing(client, login, day,
                                                                                       day_clock):
    person = day.employees[0]
    welder = add_person("焊工丙", day.enterprise, subtype="2.1", seq=403)
    db.session.commit()
    login("ent_admin")
    url = f"/centre/sessions/{day.session.id}/registrations"
    assert client.post(url, data={"id_number": person.id_number, "health_commitment": "y"}).status_code == 302
    again = client.post(url, data={"id_number": person.id_number, "health_commitment": "y"})
    assert again.status_code == 422 and "已报名" in again.get_data(as_text=True)
    wrong = client.post(url, data={"id_number": welder.id_number, "health_commitment": "y"})
    assert wrong.status_code == 422 and "2.1" in wrong.get_data(as_text=True)
    assert _count(day.session) == 1
    reasons = sorted(e.details["reason"] for e in _events("exams.registration.refused"))
    assert reasons == ["ineligible", "twice"]
    db.session.refresh(day.session)
    assert day.session.registered_count == 1 and day.session.ticket_seq == 1
