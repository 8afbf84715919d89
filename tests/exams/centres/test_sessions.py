"""Exam sessions: drafts checked against the rules, the status machine, scope, and the centre's pages."""

import re
from datetime import UTC, datetime

import pytest
from centres_world import NOW, add_room, add_session
from sqlalchemy import func, select

from exams.centres import sessions as services
from exams.centres.models import (
    ExamSession,
    Registration,
    RoomKind,
    SessionKind,
    SessionStaff,
    SessionStatus,
    StaffDuty,
)
from exams.models import BankPurpose, BankTier, QuestionBank
from exams.services.blueprints import principal_paper, special_ops_theory
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import AuditEvent, OrgKind, Post
from lms.roles import Role

from support import PASSWORD, at_once


@pytest.fixture
def clock(app):
    """The app's clock, standing while registration is open until a test moves it."""
    stopped = FixedClock(NOW)
    install_clock(app, stopped)
    yield stopped
    app.extensions.pop("lms.clock")


def events(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def reload(session: ExamSession) -> ExamSession:
    db.session.expire_all()
    return db.session.get(ExamSession, session.id)


def form_data(w, **changes) -> dict:
    """A valid new-session form for the day's centre: low-voltage theory on 2026-12-20."""
    data = {"kind": "special_ops_theory", "title": "低压电工作业理论考试（二）", "operation_subtype": "1.2",
            "blueprint": w.blueprint.id, "bank": w.bank.id, "day": "2026-12-20", "start": "09:00",
            "end": "11:00", "registration_closes": "2026-12-13T17:00", "rooms": [w.room.id],
            "capacity": "", "code_prefix": "WX",
            f"staff-invigilator-{w.accounts['invigilator'].id}": "any"}
    data.update(changes)
    return data


def draft(day, **kw) -> ExamSession:
    """A draft at the day's centre on 2026-12-20 using the day's room, with its invigilator."""
    session = add_session(day.centre, day.blueprint, day.bank, [day.room], day.accounts["centre_admin"],
                          code=kw.pop("code", "WX-20261220-01"), status=SessionStatus.DRAFT,
                          starts_at=datetime(2026, 12, 20, 1, tzinfo=UTC),
                          ends_at=datetime(2026, 12, 20, 3, tzinfo=UTC), **kw)
    session.staff = [SessionStaff(account=day.accounts["invigilator"], duty=StaffDuty.INVIGILATOR)]
    db.session.commit()
    return session


@pytest.fixture
def other_centre(make, day):
    """A second centre in Wuxi with its own admin and a room: outside the first admin's scope."""
    centre = make.org("江阴考点", region_code="320281", kind=OrgKind.EXAM_CENTRE, industry=None)
    make.account("other_centre_admin", Role.EXAM_CENTRE_ADMIN, org=centre)
    room = add_room(centre, "J1", seats=5)
    db.session.commit()
    return centre, room


# Creating and editing ------------------------------------------------------------------------------


def test_a_new_draft_stores_local_times_as_utc_with_a_fresh_code_seed_and_access_code(client, login, day,
                                                                                      clock):
    login("centre_admin")
    response = client.post(f"/centre/sessions/new?centre={day.centre.id}", data=form_data(day))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    created = db.session.scalar(select(ExamSession).where(ExamSession.code == "WX-20261220-01"))
    assert response.headers["Location"].endswith(f"/centre/sessions/{created.id}")
    assert created.status is SessionStatus.DRAFT and created.post == Post.SPECIAL_OPERATIONS.value
    assert created.starts_at == datetime(2026, 12, 20, 1, tzinfo=UTC)
    assert created.registration_closes_at == datetime(2026, 12, 13, 9, tzinfo=UTC)
    assert created.capacity == 30 and re.fullmatch(r"\d{6}", created.access_code)
    assert 0 <= created.seed < 2**63
    assert [(s.account.username, s.duty, s.room) for s in created.staff] == [
        ("invigilator", StaffDuty.INVIGILATOR, None)]
    assert events("exams.session.created") == 1
    again = client.post(f"/centre/sessions/new?centre={day.centre.id}", data=form_data(day))
    assert again.status_code == 302
    assert db.session.scalar(select(ExamSession.code).order_by(ExamSession.id.desc())) == "WX-20261220-02"


def test_capacity_can_never_exceed_the_seats_in_use(client, login, day, clock):
    login("centre_admin")
    page = client.post(f"/centre/sessions/new?centre={day.centre.id}", data=form_data(day, capacity="31"))
    assert page.status_code == 200 and "30" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExamSession)) == 1
    day.room.seats[0].in_use = False
    db.session.commit()
    session = draft(day, capacity=30)
    with pytest.raises(services.SessionRefused) as refused:
        services.publish(session, day.accounts["centre_admin"], NOW)
    assert any("29" in reason for reason in refused.value.reasons)


@pytest.mark.parametrize("changes, field", [
    ({"operation_subtype": "1.1"}, "blueprint"),
    ({"operation_subtype": ""}, "operation_subtype"),
    ({"registration_closes": "2026-12-20T09:30"}, "registration_closes"),
    ({"end": "08:00"}, "end"),
    ({"day": "2026-11-30"}, "day"),
    ({"blueprint": 0}, "blueprint"),
    ({"bank": 0}, "bank"),
])
def test_a_plan_that_breaks_a_rule_is_refused_on_its_field(client, login, day, clock, changes, field):
    login("centre_admin")
    page = client.post(f"/centre/sessions/new?centre={day.centre.id}", data=form_data(day, **changes))
    assert page.status_code == 200
    assert f'id="{field}-errors"' in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExamSession)) == 1


def test_kind_decides_post_rooms_and_blueprint(day, make, clock):
    centre, admin = day.centre, day.accounts["centre_admin"]
    hall = add_room(centre, "P1", seats=4, kind=RoomKind.PRACTICAL)
    principal_bp = principal_paper(centre, "PR", "主要负责人考试", Post.PRINCIPAL.value, NOW.date())
    other_bank = QuestionBank(code="OTHER", name="他人题库", purpose=BankPurpose.EXAM,
                              tier=BankTier.PROVINCIAL, organization=day.enterprise)
    db.session.add(other_bank)
    db.session.commit()
    base = dict(title="t", operation_subtype="1.2", starts_at=datetime(2026, 12, 20, 1, tzinfo=UTC),
                ends_at=datetime(2026, 12, 20, 3, tzinfo=UTC),
                registration_closes_at=datetime(2026, 12, 13, 1, tzinfo=UTC))
    practical = services.SessionPlan(kind=SessionKind.PRACTICAL, blueprint=None, bank=None, rooms=[hall],
                                     **base)
    assert services.plan_problems(centre, practical, NOW) == {}
    assert practical.post is Post.SPECIAL_OPERATIONS
    wrong_room = services.SessionPlan(kind=SessionKind.PRACTICAL, blueprint=None, bank=None, rooms=[day.room],
                                      **base)
    assert set(services.plan_problems(centre, wrong_room, NOW)) == {"rooms"}
    principal = services.SessionPlan(kind=SessionKind.PRINCIPAL, blueprint=principal_bp, bank=day.bank,
                                     rooms=[day.room], **base)
    assert services.plan_problems(centre, principal, NOW) == {} and principal.post is Post.PRINCIPAL
    safety = services.SessionPlan(kind=SessionKind.SAFETY_MANAGER, blueprint=principal_bp, bank=day.bank,
                                  rooms=[day.room], **base)
    assert set(services.plan_problems(centre, safety, NOW)) == {"blueprint"}
    foreign_bank = services.SessionPlan(kind=SessionKind.MAKEUP, blueprint=day.blueprint, bank=other_bank,
                                        rooms=[day.room], **base)
    assert set(services.plan_problems(centre, foreign_bank, NOW)) == {"bank"}
    session = services.create_session(centre, admin, practical, NOW, prefix="wx")
    assert session.code == "WX-20261220-01" and session.blueprint_id is None and session.capacity == 4


def test_blueprints_of_another_province_cannot_be_scheduled(day, make, clock):
    anhui = make.org("六安考点", region_code="341502", kind=OrgKind.EXAM_CENTRE, industry=None)
    foreign = special_ops_theory(anhui, "LA", "六安蓝图", "1.2", NOW.date())
    suzhou = make.org("吴江考点", region_code="320509", kind=OrgKind.EXAM_CENTRE, industry=None)
    shared = special_ops_theory(suzhou, "WJ", "吴江蓝图", "1.2", NOW.date())
    db.session.commit()
    assert {b.code for b in services.schedulable_blueprints(day.centre)} == {"LV-THEORY", "WJ"}
    assert services.schedulable(day.centre, shared) and not services.schedulable(day.centre, foreign)


def test_a_draft_is_edited_but_a_published_session_is_not(client, login, day, clock):
    session = draft(day)
    login("centre_admin")
    response = client.post(f"/centre/sessions/{session.id}/edit",
                           data=form_data(day, title="改过的标题", capacity="20"))
    assert response.status_code == 302
    changed = reload(session)
    assert (changed.title, changed.capacity, changed.code) == ("改过的标题", 20, "WX-20261220-01")
    assert events("exams.session.updated") == 1
    published = client.post(f"/centre/sessions/{day.session.id}/edit", data=form_data(day, title="x"))
    assert published.status_code == 302
    assert reload(day.session).title != "x"


# The status machine -------------------------------------------------------------------------------


def test_publishing_checks_rooms_and_invigilators_then_opens_registration(client, login, day, clock):
    session = draft(day)
    session.staff = []
    db.session.commit()
    login("centre_admin")
    client.post(f"/centre/sessions/{session.id}/status/publish")
    page = client.get(f"/centre/sessions/{session.id}").get_data(as_text=True)
    assert "Assign at least one invigilator." in page or "监考" in page
    assert reload(session).status is SessionStatus.DRAFT and events("exams.session.published") == 0
    session.staff = [SessionStaff(account=day.accounts["invigilator"], duty=StaffDuty.INVIGILATOR)]
    db.session.commit()
    assert client.post(f"/centre/sessions/{session.id}/status/publish").status_code == 302
    assert reload(session).status is SessionStatus.PUBLISHED and events("exams.session.published") == 1


def test_publishing_refuses_a_bank_that_cannot_fill_the_blueprint(day, clock):
    thin = QuestionBank(code="THIN", name="薄题库", purpose=BankPurpose.EXAM, tier=BankTier.PROVINCIAL,
                        organization=day.centre)
    db.session.add(thin)
    db.session.flush()
    session = draft(day)
    session.bank_id = thin.id
    db.session.commit()
    assert "考试题库的试题尚不足以满足组卷方案的每一项要求。" in services.publish_problems(session, NOW)


@pytest.mark.parametrize("action", ["open", "close", "release-results", "close-registration"])
def test_wrong_order_transitions_are_refused_with_a_clear_message_and_change_nothing(client, login, day,
                                                                                     clock, action):
    session = draft(day)
    login("centre_admin")
    response = client.post(f"/centre/sessions/{session.id}/status/{action}", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="flash error"' in page
    assert reload(session).status is SessionStatus.DRAFT
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.like("exams.session.%"))) == 0


def test_an_unknown_transition_is_not_found(client, login, day, clock):
    login("centre_admin")
    assert client.post(f"/centre/sessions/{day.session.id}/status/explode").status_code == 404


def test_two_publish_clicks_at_once_publish_once(app, day, clock):
    session = draft(day)
    clients = []
    for _n in range(2):
        c = app.test_client()
        assert c.post("/login", data={"username": "centre_admin", "password": PASSWORD}).status_code == 302
        clients.append(c)
    url = f"/centre/sessions/{session.id}/status/publish"
    responses = at_once(lambda: clients[0].post(url), lambda: clients[1].post(url))
    assert [r.status_code for r in responses] == [302, 302]
    assert reload(session).status is SessionStatus.PUBLISHED
    assert events("exams.session.published") == 1


def test_closing_registration_freezes_through_the_freeze_module(client, login, day, clock):
    person = day.employees[0]
    db.session.add(Registration(session=day.session, person=person, employment=day.employment(person),
                                organization_id=day.enterprise.id, ticket_number="20261215001",
                                registered_by_id=day.accounts["ent_admin"].id, registered_at=NOW))
    db.session.commit()
    login("centre_admin")
    client.post(f"/centre/sessions/{day.session.id}/status/close-registration")
    closed = reload(day.session)
    assert closed.status is SessionStatus.REGISTRATION_CLOSED and closed.papers_frozen_at is not None
    assert events("exams.session.registration_closed") == 1


def test_opening_only_on_the_exam_day_with_frozen_papers_and_closing_only_after_the_start(client, login, day,
                                                                                          clock):
    session = day.session
    session.status = SessionStatus.REGISTRATION_CLOSED
    db.session.commit()
    url = f"/centre/sessions/{session.id}/status/"
    clock.set(datetime(2026, 12, 14, 15, 30, tzinfo=UTC))  # 23:30 the evening before, Beijing time
    login("centre_admin")  # a sign-in does not last from the first of the month
    client.post(url + "open")
    assert reload(session).status is SessionStatus.REGISTRATION_CLOSED
    clock.set(datetime(2026, 12, 14, 16, 30, tzinfo=UTC))  # 00:30 on the exam day
    client.post(url + "open")
    assert reload(session).status is SessionStatus.REGISTRATION_CLOSED  # papers not frozen
    reload(session).papers_frozen_at = datetime(2026, 12, 9, tzinfo=UTC)
    db.session.commit()
    client.post(url + "open")
    assert reload(session).status is SessionStatus.OPEN and events("exams.session.opened") == 1
    client.post(url + "close")
    assert reload(session).status is SessionStatus.OPEN  # 08:30, before the 09:00 start
    clock.set(datetime(2026, 12, 15, 3, 5, tzinfo=UTC))
    login("centre_admin")
    client.post(url + "cancel")
    assert reload(session).status is SessionStatus.OPEN  # too late to cancel
    client.post(url + "close")
    client.post(url + "release-results")
    assert reload(session).status is SessionStatus.RESULTS_RELEASED
    assert events("exams.session.closed") == events("exams.session.results_released") == 1


def test_cancel_before_opening(client, login, day, clock):
    login("centre_admin")
    client.post(f"/centre/sessions/{day.session.id}/status/cancel")
    assert reload(day.session).status is SessionStatus.CANCELLED and events("exams.session.cancelled") == 1


def test_the_access_code_is_regenerated_until_the_session_opens(client, login, day, clock, monkeypatch):
    login("centre_admin")
    monkeypatch.setattr(services, "new_access_code", lambda: "048213")
    client.post(f"/centre/sessions/{day.session.id}/access-code")
    assert reload(day.session).access_code == "048213" and events("exams.session.code_regenerated") == 1
    assert "048213" in client.get(f"/centre/sessions/{day.session.id}").get_data(as_text=True)
    reload(day.session).status = SessionStatus.OPEN
    db.session.commit()
    monkeypatch.setattr(services, "new_access_code", lambda: "999999")
    client.post(f"/centre/sessions/{day.session.id}/access-code")
    assert reload(day.session).access_code == "048213"


# Pages and scope --------------------------------------------------------------------------------


def test_the_session_page_shows_rules_rooms_staff_counts_and_only_links_that_exist(client, login, day, clock,
                                                                                  app):
    login("centre_admin")
    page = client.get(f"/centre/sessions/{day.session.id}").get_data(as_text=True)
    assert "WX-20261215-1.2" in page and "731946" in page and "2026-12-15 09:00" in page
    assert "R101" in page and "invigilator" in page and "120" in page
    for endpoint, path in (("centres.registrations", "/registrations"),
                           ("centres.session_tickets_pdf", "/tickets.pdf"),
                           ("centres.checkin", "/checkin")):
        linked = f'/centre/sessions/{day.session.id}{path}"' in page
        assert linked == (endpoint in app.view_functions), endpoint


def test_the_list_counts_registered_against_capacity(client, login, day, clock):
    draft(day)
    login("centre_admin")
    page = client.get("/centre/sessions").get_data(as_text=True)
    assert "WX-20261215-1.2" in page and "WX-20261220-01" in page and "0 / 30" in page


def test_a_centre_admin_of_another_centre_gets_not_found(client, login, day, other_centre, clock):
    login("other_centre_admin")
    sid = day.session.id
    assert client.get(f"/centre/sessions/{sid}").status_code == 404
    assert client.get(f"/centre/sessions/{sid}/edit").status_code == 404
    assert client.post(f"/centre/sessions/{sid}/status/cancel").status_code == 404
    assert client.post(f"/centre/sessions/{sid}/access-code").status_code == 404
    assert client.get(f"/centre/sessions/new?centre={day.centre.id}").status_code == 404
    assert "WX-20261215" not in client.get("/centre/sessions").get_data(as_text=True)
    assert reload(day.session).status is SessionStatus.PUBLISHED


def test_roles_without_centre_management_are_refused(client, login, day, clock):
    login("invigilator")
    assert client.get("/centre/sessions").status_code == 403
    assert client.get(f"/centre/sessions/{day.session.id}").status_code == 403


def test_the_blueprint_page_shows_the_recipe_and_never_a_question(client, login, day, clock):
    login("centre_admin")
    listing = client.get("/centre/blueprints")
    assert listing.status_code == 200 and "低压电工作业理论" in listing.get_data(as_text=True)
    page = client.get(f"/centre/blueprints/{day.blueprint.id}").get_data(as_text=True)
    assert "70" in page and "30" in page and "120" in page
    assert "考题" not in page and "甲" not in page


def test_a_blueprint_of_another_province_is_not_found(client, login, day, make, clock):
    anhui = make.org("六安考点", region_code="341502", kind=OrgKind.EXAM_CENTRE, industry=None)
    foreign = special_ops_theory(anhui, "LA", "六安秘密蓝图", "1.2", NOW.date())
    db.session.commit()
    login("centre_admin")
    assert "六安秘密蓝图" not in client.get("/centre/blueprints").get_data(as_text=True)
    assert client.get(f"/centre/blueprints/{foreign.id}").status_code == 404


def test_the_centre_admin_home_has_a_tile_of_upcoming_sessions(client, login, day, clock):
    draft(day)
    login("centre_admin")
    page = client.get("/dashboard").get_data(as_text=True)
    tile = re.search(r'<a class="task" href="/centre/sessions"><span class="num">(\d+)</span>', page)
    assert tile and tile.group(1) == "2"
    assert services.upcoming_count(day.accounts["centre_admin"], datetime(2027, 1, 1, tzinfo=UTC)) == 0


def test_the_admin_pages_render_with_unique_ids(client, login, day, clock):
    session = draft(day)
    login("centre_admin")
    for url in ("/centre/sessions", f"/centre/sessions/new?centre={day.centre.id}",
                f"/centre/sessions/{session.id}", f"/centre/sessions/{session.id}/edit", "/centre/rooms",
                f"/centre/rooms/{day.room.id}", "/centre/staff", "/centre/blueprints",
                f"/centre/blueprints/{day.blueprint.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        ids = re.findall(r'\sid="([^"]+)"', response.get_data(as_text=True))
        repeated = {i for i in ids if ids.count(i) > 1 and not i.endswith("csrf_token")}
        assert not repeated, (url, repeated)
    edit = client.get(f"/centre/sessions/{session.id}/edit").get_data(as_text=True)
    assert 'value="2026-12-20"' in edit and 'value="09:00"' in edit
    assert f'name="staff-invigilator-{day.accounts["invigilator"].id}"' in edit
