"""Boundaries of the courses rules, each tested on both sides: the day a deadline falls due, an absence
of exactly ``absence_years``, and a heartbeat exactly at the configured gap."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from courses.models import WorkAbsence
from courses.requirements import Calculator
from lms.clock import FixedClock, install_clock, local_tz
from lms.extensions import db
from lms.models import Post
from lms.roles import Role

#: A new employee's pre-job training falls due on the start date (hours.new_employee.prejob.*).
DEADLINE = date(2025, 9, 10)


@pytest.fixture
def clock(app):
    """The app's clock, stopped until a test moves it."""
    stopped = FixedClock(datetime(2025, 1, 1, 4, 0, tzinfo=UTC))
    install_clock(app, stopped)
    yield stopped
    app.extensions.pop("lms.clock")


def stand_on(clock: FixedClock, day: date) -> None:
    """Noon of ``day`` in Shanghai."""
    clock.set(datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC))


@pytest.fixture
def due_world(make, cf):
    """A newcomer starting on DEADLINE, assigned a course due on DEADLINE, with their login and admin."""
    make.rules()
    ent = make.org("企业")
    newcomer = make.person("新员工", org=ent, post=Post.OTHER)
    newcomer.employments[0].start_date = DEADLINE
    db.session.commit()
    course = cf.course(ent)
    cf.enrol(course, newcomer, ent, due=DEADLINE)
    make.account("admin", Role.ENTERPRISE_ADMIN, org=ent)
    make.account("newcomer", Role.LEARNER, org=ent, person=newcomer)
    return {"ent": ent, "person": newcomer, "course": course}


def badges(html: str) -> list[str]:
    """The status badges of a page, in order."""
    return re.findall(r'class="badge st-([a-z_]+)"', html)


@pytest.mark.parametrize(("days_after_deadline", "status"), [(-1, "open"), (0, "open"), (1, "overdue")])
def test_a_requirement_is_overdue_only_from_the_day_after_its_deadline(ctx, due_world,
                                                                       days_after_deadline, status):
    [prejob] = Calculator(local_tz()).for_person(due_world["person"], 2025)
    assert (prejob.kind, prejob.deadline, prejob.met) == ("prejob", DEADLINE, False)
    assert prejob.status(DEADLINE + timedelta(days=days_after_deadline)) == status


@pytest.mark.parametrize(("days_after_deadline", "course_status", "requirement_status"),
                         [(-1, "not_started", "open"), (0, "not_started", "open"),
                          (1, "overdue", "overdue")])
def test_the_admin_pages_call_it_overdue_only_from_the_day_after_the_deadline(
        client, login, due_world, clock, days_after_deadline, course_status, requirement_status):
    stand_on(clock, DEADLINE + timedelta(days=days_after_deadline))
    login("admin")
    ent, course, person = due_world["ent"], due_world["course"], due_world["person"]
    per_course = client.get(f"/courses/admin/progress?org={ent.id}&course={course.id}")
    assert badges(per_course.get_data(as_text=True)) == [course_status]
    per_person = client.get(f"/courses/admin/progress?org={ent.id}&year=2025")
    assert badges(per_person.get_data(as_text=True)) == [requirement_status]
    person_page = client.get(f"/courses/admin/people/{person.id}?year=2025")
    assert badges(person_page.get_data(as_text=True)) == [requirement_status]


@pytest.mark.parametrize(("days_after_deadline", "expected"),
                         [(-1, ["open"]), (0, ["open"]), (1, ["overdue", "overdue"])])
def test_my_training_calls_it_overdue_only_from_the_day_after_the_deadline(
        client, login, due_world, clock, days_after_deadline, expected):
    """The assigned course gets an overdue badge next to its due date; the requirement its status."""
    stand_on(clock, DEADLINE + timedelta(days=days_after_deadline))
    login("newcomer")
    page = client.get("/courses/mine?year=2025")
    assert badges(page.get_data(as_text=True)) == expected


@pytest.mark.parametrize(("left_on", "due"), [
    (date(2024, 3, 31), True),
    (date(2024, 4, 1), True),  # "one year or more" (令3号 第17条)
    (date(2024, 4, 2), False),
], ids=["a_year_and_a_day", "exactly_a_year", "a_day_short"])
def test_an_absence_of_exactly_absence_years_calls_for_retraining(ctx, make, left_on, due):
    """retraining.transfer_or_absence: absence_years = 1; back at work on 2025-04-01."""
    make.rules()
    org = make.org("企业")
    person = make.person("回岗员工", org=org, post=Post.OTHER)
    person.employments[0].start_date = date(2019, 1, 1)
    db.session.add(WorkAbsence(person_id=person.id, organization_id=org.id, left_on=left_on,
                               returned_on=date(2025, 4, 1)))
    db.session.commit()
    db.session.expire_all()
    retraining = [r for r in Calculator(local_tz()).for_person(person, 2025) if r.kind == "retraining"]
    assert bool(retraining) is due
    if due:
        assert (retraining[0].deadline, retraining[0].rule.value["absence_years"]) == (date(2025, 4, 1), 1)


@pytest.fixture
def beat(client, login, course_world, clock, monkeypatch):
    """Send one session heartbeat for the learner's lesson ``seconds`` after the previous one."""
    clock.set(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    # The view reads the app's clock; while it still reads lms.models.base.utcnow, that is the
    # same stopped clock too.
    monkeypatch.setattr("courses.routes.study.utcnow", clock.now, raising=False)
    login("learner")
    body = {"enrollment": course_world["enrollment"].id, "lesson": course_world["course"].lessons[0].id}

    def send(seconds: int) -> int:
        clock.advance(seconds=seconds)
        response = client.post("/courses/study/heartbeat", json=body)
        assert response.status_code == 200, response.json
        return response.json["credited"]

    return send


def test_the_default_gap_of_75_seconds_is_credited_and_76_is_not(app, beat):
    """COURSES_MAX_GAP_SECONDS = 75 (README): a beat 75 s after the last one still counts."""
    assert app.config["COURSES_MAX_GAP_SECONDS"] == 75
    assert [beat(0), beat(30), beat(75)] == [0, 30, 75]
    assert beat(76) == 0  # the clock had stopped: nothing since the last beat is credited
    assert beat(30) == 30  # a new stretch starts from the late beat


def test_the_configured_gap_is_the_one_applied(app, beat, monkeypatch):
    monkeypatch.setitem(app.config, "COURSES_MAX_GAP_SECONDS", 40)
    assert [beat(0), beat(40), beat(41), beat(40)] == [0, 40, 0, 40]
