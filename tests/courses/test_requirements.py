"""Statutory hours per person come from the rule set; each test names the rule and its numbers."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from courses.models import InductionRecord, WorkAbsence
from courses.requirements import Calculator
from lms.clock import local_tz
from lms.extensions import db
from lms.models import Employment, Post, RuleValue

HOUR = 45 * 60  # hours.class_hour_minutes = 45 (tag S), checked in its own test below


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def rules(make):
    make.rules()


def employee(make, org, post, start: date, subtype=None):
    person = make.person("测试员工", org=org, post=post, subtype=subtype)
    employment = person.employments[0]
    employment.start_date = start
    db.session.commit()
    return person


def requirements(person, year):
    db.session.expire_all()
    return Calculator(local_tz()).for_person(person, year)


def only(person, year, kind):
    found = [r for r in requirements(person, year) if r.kind == kind]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("high_risk", "hours", "key"), [
    (False, 32, "hours.principal_safety_manager.initial.general"),
    (True, 48, "hours.principal_safety_manager.initial.high_risk"),
])
def test_initial_training_of_principals_令3号_art9_32_or_48_hours(ctx, make, rules, high_risk,
                                                                  hours, key):
    org = make.org("企业", high_risk=high_risk)
    person = employee(make, org, Post.PRINCIPAL, date(2025, 3, 10))
    r = only(person, 2025, "initial")
    assert (r.required, r.rule.key, r.rule.version) == (hours, key, "令3号 第9条")
    # assessment.principal_safety_manager.deadline_months.high_risk = 6 (令3号 第24条, [C]);
    # .general = 6 (the non-high-risk syllabus, [S])
    assert r.deadline == date(2025, 9, 10)
    assert r.missing == hours and r.status(date(2025, 4, 1)) == "open"
    assert r.status(date(2025, 9, 11)) == "overdue"
    assert not [x for x in requirements(person, 2025) if x.kind == "annual"]


@pytest.mark.parametrize(("high_risk", "hours"), [(False, 12), (True, 16)])
def test_annual_retraining_of_safety_managers_令3号_art9_12_or_16_hours(ctx, make, cf, rules,
                                                                       high_risk, hours):
    org = make.org("企业", high_risk=high_risk)
    person = employee(make, org, Post.SAFETY_MANAGER, date(2020, 5, 1))
    lesson = cf.course(org).lessons[0]
    cf.study(person, lesson, at(2025, 3, 1, 2, 0), hours * HOUR - 1)
    r = only(person, 2025, "annual")
    assert r.required == hours and r.rule.version == "令3号 第9条"
    assert r.period_start == date(2025, 1, 1) and r.deadline == date(2025, 12, 31)
    assert not r.met and r.missing == 0.01  # one second short is not done
    cf.study(person, lesson, at(2025, 4, 1, 2, 0), 1)
    assert only(person, 2025, "annual").met


@pytest.mark.parametrize(("industry", "high_risk", "hours", "version"), [
    ("machinery", False, 24, "令3号 第13条"),
    ("hazardous_chemicals", True, 72, "令3号 第13条"),
    ("construction", False, 32, "安委〔2012〕10号"),
])
def test_prejob_training_of_new_employees_24_72_or_32_hours(ctx, make, rules, industry, high_risk,
                                                            hours, version):
    org = make.org("企业", high_risk=high_risk, industry=industry)
    person = employee(make, org, Post.OTHER, date(2025, 7, 1))
    r = only(person, 2025, "prejob")
    assert (r.required, r.rule.version) == (hours, version)
    assert r.period_start == date(2025, 7, 1) and r.deadline == date(2025, 7, 1)


@pytest.mark.parametrize(("industry", "high_risk", "hours", "version"), [
    ("machinery", False, 8, "安委〔2012〕10号"),
    ("hazardous_chemicals", True, 20, "令3号 第13条"),
    ("construction", False, 20, "安委〔2012〕10号"),
])
def test_annual_retraining_of_employees_8_or_20_hours(ctx, make, rules, industry, high_risk,
                                                      hours, version):
    org = make.org("企业", high_risk=high_risk, industry=industry)
    person = employee(make, org, Post.SPECIAL_OPERATIONS, date(2019, 2, 1), subtype="1.2")
    r = only(person, 2025, "annual")
    assert (r.required, r.rule.version) == (hours, version)


def test_study_seconds_convert_with_45_minute_class_hours(ctx, make, cf, rules):
    """hours.class_hour_minutes = 45 (tag S): 90 minutes of study are 2 class hours."""
    org = make.org("企业")
    person = employee(make, org, Post.OTHER, date(2018, 1, 1))
    cf.study(person, cf.course(org).lessons[0], at(2025, 5, 5, 1, 0), 90 * 60)
    r = only(person, 2025, "annual")
    assert r.done == 2.0 and r.missing == 6.0


def test_prejob_hours_include_induction_records(ctx, make, rules):
    org = make.org("企业")
    person = employee(make, org, Post.OTHER, date(2025, 3, 1))
    for level, hours in (("factory", 8), ("workshop", 8), ("team", 8)):
        db.session.add(InductionRecord(person_id=person.id, organization_id=org.id, level=level,
                                       held_on=date(2025, 3, 2), trainer="王师傅",
                                       class_hours=hours, content="内容"))
    db.session.commit()
    assert only(person, 2025, "prejob").met  # 24 class hours, 令3号 第13条


def test_hours_fall_into_the_year_they_were_studied_in_local_time(ctx, make, cf, rules):
    """Edge of a year: 23:59 on 31 December (UTC+8) is still the old year; 00:00 the new one."""
    org = make.org("企业")
    person = employee(make, org, Post.OTHER, date(2018, 1, 1))
    lesson = cf.course(org).lessons[0]
    cf.study(person, lesson, at(2025, 12, 31, 15, 59), 45 * 60)   # 23:59 local, 31 Dec 2025
    cf.study(person, lesson, at(2025, 12, 31, 16, 0), 90 * 60)    # 00:00 local, 1 Jan 2026
    assert only(person, 2025, "annual").done == 1.0
    assert only(person, 2026, "annual").done == 2.0


def test_a_new_hire_in_late_december_has_prejob_then_annual_training(ctx, make, cf, rules):
    org = make.org("企业")
    person = employee(make, org, Post.OTHER, date(2025, 12, 31))
    assert [r.kind for r in requirements(person, 2025)] == ["prejob"]
    annual = only(person, 2026, "annual")
    assert annual.required == 8 and annual.period_start == date(2026, 1, 1)


def test_a_rule_change_in_the_middle_of_a_year_applies_the_value_in_force_at_the_deadline(
        ctx, make, rules):
    old = db.session.scalar(select(RuleValue).where(RuleValue.key == "hours.employee.annual.general"))
    old.valid_to = date(2027, 7, 1)
    db.session.add(RuleValue(key=old.key, valid_from=date(2027, 7, 1), value=10, unit="class_hours",
                             tag="U", source="test revision", version="测试修订 2027"))
    db.session.commit()
    org = make.org("企业")
    person = employee(make, org, Post.OTHER, date(2018, 1, 1))
    assert (only(person, 2026, "annual").required, only(person, 2026, "annual").rule.version) == \
        (8, "安委〔2012〕10号")
    r2027 = only(person, 2027, "annual")
    assert (r2027.required, r2027.rule.version) == (10, "测试修订 2027")


def test_review_training_before_a_certificate_review_令30号_art23_ends_on_2026_06_01(ctx, make, rules):
    """8 class hours before a review due on 2026-05-31; no review (so no training) from 2026-06-01."""
    org = make.org("企业")
    before = employee(make, org, Post.SPECIAL_OPERATIONS, date(2023, 5, 31), subtype="1.2")
    r = only(before, 2026, "review")
    assert (r.required, r.rule.version, r.deadline) == (8, "令30号 第23条", date(2026, 5, 31))
    after = employee(make, org, Post.SPECIAL_OPERATIONS, date(2023, 6, 1), subtype="1.2")
    assert [x.kind for x in requirements(after, 2026)] == ["annual"]


def test_transfer_calls_for_workshop_and_team_retraining_令3号_art17(ctx, make, rules):
    org = make.org("企业")
    person = employee(make, org, Post.OTHER, date(2019, 1, 1))
    person.employments[0].end_date = date(2025, 6, 30)
    db.session.add(Employment(person=person, organization=org, post=Post.SPECIAL_OPERATIONS,
                              operation_subtype="1.2", operation_category="1",
                              start_date=date(2025, 7, 1)))
    db.session.add(InductionRecord(person_id=person.id, organization_id=org.id, level="workshop",
                                   held_on=date(2025, 7, 2), trainer="王", class_hours=4,
                                   content="车间级"))
    db.session.commit()
    r = only(person, 2025, "retraining")
    assert r.rule.key == "retraining.transfer_or_absence" and r.rule.version == "令3号 第17条"
    assert (r.required, r.done, r.levels_done) == (2, 1, ("workshop",))


@pytest.mark.parametrize(("left", "due"), [(date(2024, 3, 1), True), (date(2024, 4, 2), False)])
def test_absence_of_one_year_or_more_calls_for_retraining(ctx, make, rules, left, due):
    """retraining.transfer_or_absence: absence_years = 1; return on 2025-04-01."""
    org = make.org("企业")
    person = employee(make, org, Post.OTHER, date(2019, 1, 1))
    db.session.add(WorkAbsence(person_id=person.id, organization_id=org.id, left_on=left,
                               returned_on=date(2025, 4, 1)))
    db.session.commit()
    kinds = [r.kind for r in requirements(person, 2025)]
    assert ("retraining" in kinds) is due
