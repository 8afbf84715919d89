"""One-step actions from the enterprise's gap list: assign the missing training and register for the
next exam session, through the courses' and the exam centre's own services."""

import re
from datetime import UTC, date, datetime

import pytest
from centres_world import NOW, add_person, add_session, build_day
from flask import render_template
from flask_babel import force_locale
from flask_login import login_user
from sqlalchemy import func, select

from certificates.compliance.actions import actions_for
from certificates.compliance.models import ComplianceFact
from certificates.compliance.rates import Filters, people
from certificates.compliance.training import refresh_training
from certificates.compliance.verify import verify
from certificates.models import Certificate, CertificateStatus, CertificateType
from courses.models import Catalogue, Course, CourseStatus, Enrollment
from exams.centres.models import Registration
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import AuditEvent, Post
from lms.roles import Role

from support import PASSWORD

TODAY = NOW.date()  # 2026-12-01: registration for the 2026-12-15 session is open


@pytest.fixture
def stopped(app):
    """The app's clock standing at NOW."""
    install_clock(app, FixedClock(NOW))
    yield
    app.extensions.pop("lms.clock", None)


def _course(title: str, catalogue: Catalogue, owner, category: str | None = None,
            status: CourseStatus = CourseStatus.PUBLISHED) -> Course:
    course = Course(title=title, catalogue=catalogue, operation_category=category, owner_org_id=owner.id,
                    status=status)
    db.session.add(course)
    db.session.flush()
    return course


@pytest.fixture
def world(make, stopped):
    """The exam-day world plus: a newcomer behind pre-job training (甲), a colleague up to date (乙),
    a safety manager without a certificate (丙), and courses of several catalogues and owners."""
    day = build_day(make)
    newcomer = add_person("甲", day.enterprise, post=Post.OTHER, subtype=None, seq=301,
                          start=date(2026, 9, 1))
    settled = add_person("乙", day.enterprise, post=Post.OTHER, subtype=None, seq=302, start=date(2025, 3, 1))
    manager = add_person("丙", day.enterprise, post=Post.SAFETY_MANAGER, subtype=None, seq=303,
                         start=date(2025, 3, 1))
    courses = {
        "all_staff": _course("全员安全生产知识", Catalogue.ALL_STAFF, day.centre),
        "electrical": _course("低压电工作业培训", Catalogue.SPECIAL_OPERATIONS, day.centre, "1"),
        "welding": _course("熔化焊接与热切割作业培训", Catalogue.SPECIAL_OPERATIONS, day.centre, "2"),
        "manager": _course("安全管理人员培训", Catalogue.SAFETY_MANAGER, day.centre),
        "others_own": _course("乙机械内部培训", Catalogue.ALL_STAFF, day.other_enterprise),
        "draft": _course("全员培训（草稿）", Catalogue.ALL_STAFF, day.centre, status=CourseStatus.DRAFT),
    }
    make.account("regulator", Role.REGULATOR, region_code="320200")
    db.session.commit()
    refresh_training(TODAY)  # the worker's daily job: who is behind an hour rule
    db.session.commit()
    return day, {"newcomer": newcomer, "settled": settled, "manager": manager,
                 "electrician": day.employees[0]}, courses


def _employment(person):
    return person.employments[0]


def _lines(day):
    return people(day.enterprise, Filters(), TODAY, TODAY)


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as stored:
        return list(stored.get("_flashes", []))


def _english(client) -> None:
    with client.session_transaction() as stored:
        stored["lang"] = "en"


def _enrolments(person, course) -> int:
    return db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.person_id == person.id, Enrollment.course_id == course.id))


def _registrations(session) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.session_id == session.id))


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _gap_list(day) -> str:
    return f"/compliance/enterprise/{day.enterprise.id}"


# --- what each row offers -------------------------------------------------------------------------
def test_each_row_offers_the_courses_of_its_post_and_the_next_session_of_its_exam(world):
    day, who, courses = world
    login_user(day.accounts["ent_admin"])
    lines = _lines(day)
    rows = actions_for(day.enterprise, lines)["rows"]
    newcomer, electrician = rows[_employment(who["newcomer"]).id], rows[_employment(who["electrician"]).id]
    # 甲 is behind pre-job training: the all-staff course of the centre, not the other enterprise's
    # own course nor the draft.
    assert newcomer.training and not newcomer.exam
    assert [c.title for c in newcomer.courses] == ["全员安全生产知识"]
    # The electrician (operation 1.2, no certificate, review training overdue): the electrical course
    # (category 1, not the welding one) and the published theory session of sub-type 1.2.
    assert electrician.training and electrician.exam
    assert [c.title for c in electrician.courses] == ["低压电工作业培训"]
    assert electrician.session.id == day.session.id and electrician.registration is None
    # The safety manager has no certificate and no safety-manager session is open.
    manager = rows[_employment(who["manager"]).id]
    assert manager.exam and manager.session is None and not manager.training
    # 乙 is up to date: nothing to do.
    assert _employment(who["settled"]).id not in rows


def _certificate(person, *, expires_on: date, next_review_on: date) -> Certificate:
    """A low-voltage electrical certificate (1.2) as the lifecycle would leave it."""
    cert = Certificate(cert_type=CertificateType.SPECIAL_OPS, status=CertificateStatus.ISSUED,
                       number="T" + person.id_number, generation=0, person_id=person.id,
                       employment_id=_employment(person).id, post=Post.SPECIAL_OPERATIONS.value,
                       operation_category="1", operation_subtype="1.2", pass_key=f"test:{person.id}",
                       issued_on=date(2020, 12, 20), expires_on=expires_on, next_review_on=next_review_on,
                       issuing_authority="无锡市应急管理局", reissue_count=0, rule_versions={})
    db.session.add(cert)
    db.session.commit()
    return cert


def test_an_expiring_certificate_asks_for_training_and_an_overdue_review_for_both(world):
    day, _who, _courses = world
    expiring, overdue = day.employees[1], day.employees[2]
    _certificate(expiring, expires_on=date(2026, 12, 19), next_review_on=date(2027, 6, 1))
    _certificate(overdue, expires_on=date(2030, 12, 19), next_review_on=date(2026, 11, 1))
    login_user(day.accounts["ent_admin"])
    lines = {line.person.id: line for line in _lines(day)}
    assert lines[expiring.id].fact.certificate_id is not None and lines[expiring.id].fact.expiring_30 == 1
    assert lines[overdue.id].fact.gap == "review_overdue"
    rows = actions_for(day.enterprise, list(lines.values()))["rows"]
    # Certified, cover ending in 18 days: renewal training, no exam.
    assert rows[_employment(expiring).id].training and not rows[_employment(expiring).id].exam
    # Review overdue: the certificate no longer counts; review training and the exam are offered.
    assert rows[_employment(overdue).id].training and rows[_employment(overdue).id].exam


def test_a_regulator_reads_the_list_but_is_offered_no_action(world):
    day, _who, _courses = world
    regulator = db.session.scalar(select(type(day.accounts["ent_admin"])).filter_by(username="regulator"))
    login_user(regulator)
    assert actions_for(day.enterprise, _lines(day))["rows"] == {}


def _statements_for_offers(day) -> tuple[int, int]:
    """(rows offering an action, SQL statements actions_for ran) for the enterprise's gap list."""
    from sqlalchemy import event

    db.session.expire_all()
    lines = _lines(day)
    for line in lines:  # what the gap list itself loads
        line.employment.post, line.person.name  # noqa: B018
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        rows = actions_for(day.enterprise, lines)["rows"]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(rows), len(statements)


def test_the_offers_take_the_same_queries_for_eight_more_rows(world):
    day, _who, _courses = world
    login_user(day.accounts["ent_admin"])
    rows, first = _statements_for_offers(day)
    for seq in range(8):
        add_person(f"新电工{seq}", day.enterprise, seq=500 + seq)
    db.session.commit()
    refresh_training(TODAY)
    db.session.commit()
    more_rows, then = _statements_for_offers(day)
    assert (rows, more_rows) == (8, 16)
    assert then == first


def test_the_included_template_shows_the_forms_in_english(world, app):
    day, who, _courses = world
    login_user(day.accounts["ent_admin"])
    lines = _lines(day)
    actions = actions_for(day.enterprise, lines)
    by_person = {line.person.id: line for line in lines}
    with force_locale("en"):
        electrician = render_template("compliance/_gap_actions.html",
                                      line=by_person[who["electrician"].id], actions=actions)
        manager = render_template("compliance/_gap_actions.html", line=by_person[who["manager"].id],
                                  actions=actions)
        settled = render_template("compliance/_gap_actions.html", line=by_person[who["settled"].id],
                                  actions=actions)
        without = render_template("compliance/_gap_actions.html", line=by_person[who["settled"].id],
                                  actions={})
    employment_id = _employment(who["electrician"]).id
    assert f'action="/compliance/enterprise/{day.enterprise.id}/assign-training"' in electrician
    assert f'action="/compliance/enterprise/{day.enterprise.id}/register-exam"' in electrician
    assert f'<input type="hidden" name="employment" value="{employment_id}">' in electrician
    assert f'<input type="hidden" name="session" value="{day.session.id}">' in electrician
    assert "低压电工作业培训" in electrician and "熔化焊接" not in electrician
    assert "WX-20261215-1.2" in electrician and "2026-12-15 09:00" in electrician
    assert "30 places left" in electrician
    assert f'<label for="gap-course-{employment_id}">Course for 电工0</label>' in electrician
    assert f'<label for="gap-health-{employment_id}">' in electrician
    assert 'name="csrf_token"' in electrician
    assert "No exam session of this post is open for registration." in manager
    assert "<form" not in manager
    assert settled.strip() == "" and without.strip() == ""


def test_after_registering_the_row_shows_the_ticket_instead_of_the_form(world, client, login):
    day, who, _courses = world
    login("ent_admin")
    client.post(f"/compliance/enterprise/{day.enterprise.id}/register-exam",
                data={"employment": _employment(who["electrician"]).id, "session": day.session.id,
                      "health_commitment": "y"})
    reg = db.session.scalar(select(Registration))
    login_user(day.accounts["ent_admin"])
    lines = _lines(day)
    line = next(ln for ln in lines if ln.person.id == who["electrician"].id)
    with force_locale("en"):
        html = render_template("compliance/_gap_actions.html", line=line,
                               actions=actions_for(day.enterprise, lines))
    assert (f"Registered for exam session WX-20261215-1.2 on 2026-12-15, ticket {reg.ticket_number}."
            in html)
    assert "register-exam" not in html


# --- assigning training -------------------------------------------------------------------------
def test_assigning_enrols_once_and_the_second_click_says_already_done(world, client, login):
    day, who, courses = world
    login("ent_admin")
    _english(client)
    form = {"employment": _employment(who["newcomer"]).id, "course": courses["all_staff"].id}
    first = client.post(f"/compliance/enterprise/{day.enterprise.id}/assign-training", data=form)
    assert first.status_code == 302 and first.headers["Location"] == _gap_list(day)
    assert _flashes(client) == [("success", "甲 is enrolled in 全员安全生产知识.")]
    enrolment = db.session.scalar(select(Enrollment))
    assert (enrolment.person_id, enrolment.course_id) == (who["newcomer"].id, courses["all_staff"].id)
    assert enrolment.organization_id == day.enterprise.id
    assert enrolment.assigned_by_id == day.accounts["ent_admin"].id
    assert len(_events("courses.assigned")) == 1
    client.get("/")  # the page that shows the flash takes it
    second = client.post(f"/compliance/enterprise/{day.enterprise.id}/assign-training", data=form)
    assert second.status_code == 302 and second.headers["Location"] == _gap_list(day)
    assert _flashes(client) == [("info", "甲 is already enrolled in 全员安全生产知识.")]
    assert _enrolments(who["newcomer"], courses["all_staff"]) == 1
    assert len(_events("courses.assigned")) == 1


@pytest.mark.parametrize("course_key", ["others_own", "draft", "welding", "manager"])
def test_a_course_that_may_not_be_assigned_is_refused_and_nothing_changes(world, client, login, course_key):
    day, who, courses = world
    login("ent_admin")
    _english(client)
    response = client.post(f"/compliance/enterprise/{day.enterprise.id}/assign-training",
                           data={"employment": _employment(who["electrician"]).id,
                                 "course": courses[course_key].id})
    assert response.status_code == 400
    assert "This course cannot be assigned to this employee." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0
    assert _events("courses.assigned") == []


def test_an_unknown_course_or_a_missing_choice_is_a_bad_request(world, client, login):
    day, who, _courses = world
    login("ent_admin")
    url = f"/compliance/enterprise/{day.enterprise.id}/assign-training"
    employment_id = _employment(who["newcomer"]).id
    assert client.post(url, data={"employment": employment_id, "course": 99999}).status_code == 400
    assert client.post(url, data={"employment": employment_id}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0


def test_another_enterprises_employment_or_an_unknown_one_answers_404(world, client, login):
    day, _who, courses = world
    outsider = day.employees[6]  # 钳工0 of the other enterprise
    login("ent_admin")
    for path, data in (("assign-training", {"course": courses["electrical"].id}),
                       ("register-exam", {"session": day.session.id, "health_commitment": "y"})):
        url = f"/compliance/enterprise/{day.enterprise.id}/{path}"
        assert client.post(url, data={"employment": _employment(outsider).id, **data}).status_code == 404
        assert client.post(url, data={"employment": 99999, **data}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0
    assert _registrations(day.session) == 0


def test_an_admin_of_another_enterprise_cannot_act_on_this_one(world, client, login):
    day, who, courses = world
    login("other_admin")
    response = client.post(f"/compliance/enterprise/{day.enterprise.id}/assign-training",
                           data={"employment": _employment(who["newcomer"]).id,
                                 "course": courses["all_staff"].id})
    assert response.status_code == 404
    response = client.post(f"/compliance/enterprise/{day.enterprise.id}/register-exam",
                           data={"employment": _employment(who["electrician"]).id,
                                 "session": day.session.id, "health_commitment": "y"})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0
    assert _registrations(day.session) == 0


def test_a_regulator_may_not_assign_or_register(world, client, login):
    day, who, courses = world
    login("regulator")
    assert client.post(f"/compliance/enterprise/{day.enterprise.id}/assign-training",
                       data={"employment": _employment(who["newcomer"]).id,
                             "course": courses["all_staff"].id}).status_code == 403
    assert client.post(f"/compliance/enterprise/{day.enterprise.id}/register-exam",
                       data={"employment": _employment(who["electrician"]).id,
                             "session": day.session.id}).status_code == 403


# --- registering for the exam -------------------------------------------------------------------
def test_registering_takes_a_place_once_and_the_second_click_says_already_registered(world, client, login):
    day, who, _courses = world
    login("ent_admin")
    _english(client)
    electrician = who["electrician"]
    form = {"employment": _employment(electrician).id, "session": day.session.id, "health_commitment": "y"}
    first = client.post(f"/compliance/enterprise/{day.enterprise.id}/register-exam", data=form)
    assert first.status_code == 302 and first.headers["Location"] == _gap_list(day)
    reg = db.session.scalar(select(Registration))
    ticket = f"26{day.session.id:06d}0001"
    assert reg.ticket_number == ticket
    assert _flashes(client) == [("success", f"电工0 is registered for WX-20261215-1.2: ticket {ticket}.")]
    assert (reg.person_id, reg.employment_id, reg.organization_id) == (
        electrician.id, _employment(electrician).id, day.enterprise.id)
    assert reg.registered_by_id == day.accounts["ent_admin"].id and reg.health_commitment_at == NOW
    client.get("/")
    second = client.post(f"/compliance/enterprise/{day.enterprise.id}/register-exam", data=form)
    assert second.status_code == 302
    assert _flashes(client) == [("error", f"电工0 is already registered for this session (ticket {ticket}).")]
    assert _registrations(day.session) == 1
    db.session.refresh(day.session)
    assert day.session.registered_count == 1
    assert len(_events("exams.registration.created")) == 1
    assert _events("exams.registration.refused")[0].details["reason"] == "twice"


def test_without_the_health_commitment_the_service_refuses_and_nothing_is_registered(world, client, login):
    day, who, _courses = world
    login("ent_admin")
    _english(client)
    response = client.post(f"/compliance/enterprise/{day.enterprise.id}/register-exam",
                           data={"employment": _employment(who["electrician"]).id, "session": day.session.id})
    assert response.status_code == 302
    assert _flashes(client) == [("error", "The candidate does not meet the conditions. Health commitment: "
                                          "The candidate's written health commitment has not been recorded.")]
    assert _registrations(day.session) == 0
    db.session.refresh(day.session)
    assert day.session.registered_count == 0 and day.session.ticket_seq == 0
    (event,) = _events("exams.registration.refused")
    assert event.details["reason"] == "ineligible" and event.details["checks"] == "health"


def test_a_full_session_is_refused_with_its_reason(world, client, login):
    day, who, _courses = world
    small = add_session(day.centre, day.blueprint, day.bank, [day.room], day.accounts["centre_admin"],
                        code="WX-20261216-1.2", capacity=1,
                        starts_at=datetime(2026, 12, 16, 1, 0, tzinfo=UTC),
                        ends_at=datetime(2026, 12, 16, 3, 0, tzinfo=UTC))
    small.registered_count = 1  # the last place was taken by another enterprise's candidate
    db.session.commit()
    login("ent_admin")
    _english(client)
    response = client.post(f"/compliance/enterprise/{day.enterprise.id}/register-exam",
                           data={"employment": _employment(who["electrician"]).id, "session": small.id,
                                 "health_commitment": "y"})
    assert response.status_code == 302
    assert _flashes(client) == [("error", "The session is full (1 places).")]
    assert _registrations(small) == 0
    db.session.refresh(small)
    assert small.registered_count == 1


def test_a_full_session_is_not_offered(world):
    day, who, _courses = world
    day.session.registered_count = day.session.capacity
    db.session.commit()
    login_user(day.accounts["ent_admin"])
    rows = actions_for(day.enterprise, _lines(day))["rows"]
    assert rows[_employment(who["electrician"]).id].session is None


def test_a_session_of_the_wrong_exam_is_refused_by_the_eligibility_check(world, client, login):
    day, who, _courses = world
    login("ent_admin")
    _english(client)
    response = client.post(f"/compliance/enterprise/{day.enterprise.id}/register-exam",
                           data={"employment": _employment(who["manager"]).id, "session": day.session.id,
                                 "health_commitment": "y"})
    assert response.status_code == 302
    (category, message), = _flashes(client)
    assert category == "error" and message.startswith("The candidate does not meet the conditions. "
                                                      "Post and operation: The session examines")
    assert _registrations(day.session) == 0


def test_an_unknown_session_or_a_non_key_post_is_a_bad_request(world, client, login):
    day, who, _courses = world
    login("ent_admin")
    url = f"/compliance/enterprise/{day.enterprise.id}/register-exam"
    assert client.post(url, data={"employment": _employment(who["electrician"]).id,
                                  "session": 99999, "health_commitment": "y"}).status_code == 400
    assert client.post(url, data={"employment": _employment(who["electrician"]).id}).status_code == 400
    assert client.post(url, data={"employment": _employment(who["settled"]).id, "session": day.session.id,
                                  "health_commitment": "y"}).status_code == 400
    assert _registrations(day.session) == 0


def test_a_session_outside_the_province_cannot_be_chosen(world, client, login, make):
    day, who, _courses = world
    far_centre = make.org("六安考点", region_code="341500", kind=day.centre.kind, industry=None)
    far = add_session(far_centre, day.blueprint, day.bank, [day.room], day.accounts["centre_admin"],
                      code="LA-20261215-1.2")
    db.session.commit()
    login("ent_admin")
    response = client.post(f"/compliance/enterprise/{day.enterprise.id}/register-exam",
                           data={"employment": _employment(who["electrician"]).id, "session": far.id,
                                 "health_commitment": "y"})
    assert response.status_code == 400
    assert _registrations(far) == 0


# --- the figures and the forms' protection --------------------------------------------------------
def test_neither_action_changes_the_rates_and_the_kept_figures_stay_exact(world, client, login):
    day, who, courses = world
    before = {f.employment_id: (f.certified, f.gap, f.behind_hours)
              for f in db.session.scalars(select(ComplianceFact))}
    login("ent_admin")
    client.post(f"/compliance/enterprise/{day.enterprise.id}/assign-training",
                data={"employment": _employment(who["electrician"]).id, "course": courses["electrical"].id})
    client.post(f"/compliance/enterprise/{day.enterprise.id}/register-exam",
                data={"employment": _employment(who["electrician"]).id, "session": day.session.id,
                      "health_commitment": "y"})
    assert _enrolments(who["electrician"], courses["electrical"]) == 1 and _registrations(day.session) == 1
    db.session.expire_all()
    after = {f.employment_id: (f.certified, f.gap, f.behind_hours)
             for f in db.session.scalars(select(ComplianceFact))}
    assert after == before
    assert after[_employment(who["electrician"]).id] == (0, "none", True)
    assert verify(TODAY).ok


def test_a_post_without_the_csrf_token_is_refused(world, strict_app):
    day, who, courses = world
    client = strict_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    signed_in = client.post("/login", data={"username": "ent_admin", "password": PASSWORD,
                                            "csrf_token": token})
    assert signed_in.status_code == 302
    assert client.post(f"/compliance/enterprise/{day.enterprise.id}/assign-training",
                       data={"employment": _employment(who["newcomer"]).id,
                             "course": courses["all_staff"].id}).status_code == 400
    assert client.post(f"/compliance/enterprise/{day.enterprise.id}/register-exam",
                       data={"employment": _employment(who["electrician"]).id,
                             "session": day.session.id, "health_commitment": "y"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0
    assert _registrations(day.session) == 0


def test_the_gap_list_shows_each_rows_actions(world, client, login):
    day, who, _courses = world
    login("ent_admin")
    _english(client)
    page = client.get(_gap_list(day)).get_data(as_text=True)
    assert page.count(f'action="/compliance/enterprise/{day.enterprise.id}/assign-training"') == 7
    assert page.count(f'action="/compliance/enterprise/{day.enterprise.id}/register-exam"') == 6
    assert page.count("No exam session of this post is open for registration.") == 1


def test_the_regulators_gap_list_has_no_action_forms(world, client, login):
    day, _who, _courses = world
    login("regulator")
    response = client.get(_gap_list(day))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "电工0" in page
    assert "assign-training" not in page and "register-exam" not in page
