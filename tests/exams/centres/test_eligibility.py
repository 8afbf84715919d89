"""Eligibility at its edges: each rule on either side of its limit, with the rule version cited."""

from datetime import UTC, date, datetime

from centres_world import NOW, add_person, add_session

from courses.models import ExternalTraining
from exams.centres.eligibility import Eligibility, age_on
from exams.centres.labels import describe_check
from exams.centres.models import BarReason, ExamBar, Registration, SessionKind, SessionStatus
from exams.centres.registration import register
from lms.extensions import db
from lms.models import Education


def _verdict(day, person, *, health=True, session=None):
    session = session or day.session
    return Eligibility(session, [person.id]).check(person, day.employment(person), health_commitment=health)


def _failed(verdict) -> set[str]:
    return {c.check for c in verdict.refusals}


def test_a_plain_candidate_meets_every_condition_and_each_check_names_its_rule(day):
    verdict = _verdict(day, day.employees[0])
    assert verdict.eligible, [c for c in verdict.refusals]
    by_name = {c.check: c for c in verdict.checks}
    assert by_name["min_age"].version == "令30号 第4条"
    assert by_name["education"].key == "special_ops.education"


def test_eighteenth_birthday_on_the_exam_day_is_old_enough_and_the_day_after_is_not(day):
    # The session is on 2026-12-15 (Beijing time).
    ready = add_person("满十八", day.enterprise, born=date(2008, 12, 15), seq=301)
    early = add_person("差一天", day.enterprise, born=date(2008, 12, 16), seq=302)
    db.session.commit()
    assert "min_age" not in _failed(_verdict(day, ready))
    refused = _verdict(day, early)
    assert _failed(refused) == {"min_age"}
    text = describe_check(refused.refusals[0].as_dict())
    assert "17" in text and "18" in text and "令30号" in text
    assert refused.overridable


def test_retirement_age_by_sex_from_the_id_number(day):
    # Odd 17th digit: a man; the upper bound in force on 2026-12-15 is 63 for men, 58 for women.
    man_62 = add_person("男六十二", day.enterprise, born=date(1964, 12, 16), seq=311)
    man_63 = add_person("男六十三", day.enterprise, born=date(1963, 12, 15), seq=313)
    woman_58 = add_person("女五十八", day.enterprise, born=date(1968, 12, 15), seq=312)
    db.session.commit()
    assert "max_age" not in _failed(_verdict(day, man_62))
    assert _failed(_verdict(day, man_63)) == {"max_age"}
    assert _failed(_verdict(day, woman_58)) == {"max_age"}


def _hazchem_session(day, starts: datetime):
    session = add_session(day.centre, None, day.bank, [day.room], day.accounts["centre_admin"],
                          code=f"HZ-{starts:%Y%m%d}", subtype="9.3", starts_at=starts,
                          ends_at=starts.replace(hour=starts.hour + 2))
    db.session.commit()
    return session


def _electrical_session(day, starts: datetime):
    session = add_session(day.centre, None, day.bank, [day.room], day.accounts["centre_admin"],
                          code=f"EL-{starts:%Y%m%d}", subtype="1.2", starts_at=starts,
                          ends_at=starts.replace(hour=starts.hour + 2))
    db.session.commit()
    return session


def test_education_junior_middle_dropped_for_electrical_from_2026_06_01_but_not_for_chemicals(day):
    primary = add_person("小学电工", day.enterprise, education=Education.PRIMARY.value, seq=321)
    chem_junior = add_person("初中危化", day.enterprise, subtype="9.3",
                             education=Education.JUNIOR_MIDDLE.value, seq=322)
    db.session.commit()
    before = _electrical_session(day, datetime(2026, 5, 31, 1, 0, tzinfo=UTC))
    after = _electrical_session(day, datetime(2026, 6, 1, 1, 0, tzinfo=UTC))
    assert "education" in _failed(_verdict(day, primary, session=before))
    assert "education" not in _failed(_verdict(day, primary, session=after))
    chem = _hazchem_session(day, datetime(2026, 6, 2, 1, 0, tzinfo=UTC))
    refused = _verdict(day, chem_junior, session=chem)
    assert "education" in _failed(refused)
    education = next(c for c in refused.refusals if c.check == "education")
    assert education.params["needed"] == "senior_high" and education.version == "令30号 2026修订"


def test_unknown_education_is_refused_where_the_rule_asks_for_one(day):
    unknown = add_person("学历未知", day.enterprise, subtype="9.3", education=None, seq=331)
    db.session.commit()
    chem = _hazchem_session(day, datetime(2026, 12, 16, 1, 0, tzinfo=UTC))
    refused = _verdict(day, unknown, session=chem)
    assert _failed(refused) == {"education"}
    assert "未登记" in describe_check(refused.refusals[0].as_dict())
    # Electrical work asks for none from 2026-06-01: an unknown education is no obstacle there.
    electrician = add_person("学历未知电工", day.enterprise, education=None, seq=332)
    db.session.commit()
    assert _verdict(day, electrician).eligible


def test_health_commitment_is_required_and_cannot_be_overridden(day):
    verdict = _verdict(day, day.employees[0], health=False)
    assert _failed(verdict) == {"health"}
    assert not verdict.overridable


def test_a_session_for_another_operation_is_the_wrong_kind(day):
    welder = add_person("焊工", day.enterprise, subtype="2.1", seq=341)
    db.session.commit()
    verdict = _verdict(day, welder)
    assert _failed(verdict) == {"fits"} and not verdict.overridable


def _result(day, person, *, part_kind=SessionKind.SPECIAL_OPS_THEORY, passed: bool, on: date,
            code: str) -> Registration:
    """A graded sitting of ``person`` on ``on``."""
    starts = datetime(on.year, on.month, on.day, 1, 0, tzinfo=UTC)
    session = add_session(day.centre, day.blueprint, day.bank, [day.room], day.accounts["centre_admin"],
                          code=code, kind=part_kind, status=SessionStatus.RESULTS_RELEASED,
                          starts_at=starts, ends_at=starts.replace(hour=3))
    reg = Registration(session_id=session.id, person_id=person.id,
                       employment_id=day.employment(person).id,
                       organization_id=day.employment(person).organization_id,
                       ticket_number=f"T{code}", registered_by_id=day.accounts["centre_admin"].id,
                       passed=passed, score=85.0 if passed else 60.0, result_on=on)
    db.session.add(reg)
    db.session.commit()
    return reg


def _practical_session(day, starts: datetime):
    session = add_session(day.centre, None, day.bank, [day.room], day.accounts["centre_admin"],
                          code=f"PR-{starts:%Y%m%d}", kind=SessionKind.PRACTICAL, starts_at=starts,
                          ends_at=starts.replace(hour=starts.hour + 2))
    db.session.commit()
    return session


def test_practical_needs_a_theory_pass_still_valid_for_12_months(day):
    person = day.employees[1]
    _result(day, person, passed=True, on=date(2025, 12, 16), code="TH1")
    last_valid_day = _practical_session(day, datetime(2026, 12, 15, 1, 0, tzinfo=UTC))
    assert "theory_pass" not in _failed(_verdict(day, person, session=last_valid_day))
    expired = _practical_session(day, datetime(2026, 12, 16, 1, 0, tzinfo=UTC))
    refused = _verdict(day, person, session=expired)
    assert "theory_pass" in _failed(refused)
    check = next(c for c in refused.refusals if c.check == "theory_pass")
    assert check.params == {"months": 12, "passed_on": "2025-12-16"}


def test_practical_without_any_theory_pass_is_refused(day):
    session = _practical_session(day, datetime(2026, 12, 15, 1, 0, tzinfo=UTC))
    assert "theory_pass" in _failed(_verdict(day, day.employees[2], session=session))


def test_theory_attempt_limit_on_either_side_of_2026_06_01(day):
    person = day.employees[3]
    _result(day, person, passed=False, on=date(2026, 3, 1), code="F1")
    _result(day, person, passed=False, on=date(2026, 4, 1), code="F2")
    before = _electrical_session(day, datetime(2026, 5, 31, 1, 0, tzinfo=UTC))
    refused = _verdict(day, person, session=before)
    assert _failed(refused) == {"attempts"}
    check = refused.refusals[0]
    assert check.params["used"] == 2 and check.params["limit"] == 2 and check.version == "令30号 第13条"
    after = _electrical_session(day, datetime(2026, 6, 1, 1, 0, tzinfo=UTC))
    assert "attempts" not in _failed(_verdict(day, person, session=after))


def test_one_failure_leaves_the_make_up_before_2026_06_01(day):
    person = day.employees[3]
    _result(day, person, passed=False, on=date(2026, 3, 1), code="F1")
    makeup = add_session(day.centre, day.blueprint, day.bank, [day.room], day.accounts["centre_admin"],
                         code="MK-0530", kind=SessionKind.MAKEUP,
                         starts_at=datetime(2026, 5, 30, 1, 0, tzinfo=UTC),
                         ends_at=datetime(2026, 5, 30, 3, 0, tzinfo=UTC))
    db.session.commit()
    assert _verdict(day, person, session=makeup).eligible
    # A make-up is only for candidates whose latest theory result is a fail.
    assert "makeup" in _failed(_verdict(day, day.employees[4], session=makeup))


def test_practical_attempts_five_from_2026_06_01_counted_since_the_theory_pass(day):
    person = day.employees[1]
    _result(day, person, passed=True, on=date(2026, 6, 10), code="TP")
    for i in range(4):
        _result(day, person, part_kind=SessionKind.PRACTICAL, passed=False, on=date(2026, 7, 1 + i),
                code=f"P{i}")
    fifth = _practical_session(day, datetime(2026, 8, 1, 1, 0, tzinfo=UTC))
    assert "attempts" not in _failed(_verdict(day, person, session=fifth))
    _result(day, person, part_kind=SessionKind.PRACTICAL, passed=False, on=date(2026, 7, 20), code="P5")
    sixth = _practical_session(day, datetime(2026, 8, 2, 1, 0, tzinfo=UTC))
    refused = _verdict(day, person, session=sixth)
    assert "attempts" in _failed(refused)
    assert next(c for c in refused.refusals if c.check == "attempts").params["limit"] == 5


def test_a_fraud_bar_refuses_until_its_end_and_cannot_be_overridden(day):
    person = day.employees[4]
    db.session.add(ExamBar(person_id=person.id, reason=BarReason.FRAUD_REVOCATION,
                           starts_on=date(2023, 12, 16), ends_on=date(2026, 12, 16),
                           rule_version="令30号 第30条"))
    db.session.commit()
    refused = _verdict(day, person)
    assert _failed(refused) == {"bar"} and not refused.overridable
    later = _electrical_session(day, datetime(2026, 12, 16, 1, 0, tzinfo=UTC))
    assert "bar" not in _failed(_verdict(day, person, session=later))


def test_overlapping_sessions_are_refused(day):
    person = day.employees[5]
    register(day.session, person, day.employment(person), day.accounts["ent_admin"], NOW,
             health_commitment=True)
    db.session.commit()
    clash = add_session(day.centre, day.blueprint, day.bank, [day.room], day.accounts["centre_admin"],
                        code="CLASH", starts_at=datetime(2026, 12, 15, 2, 0, tzinfo=UTC),
                        ends_at=datetime(2026, 12, 15, 4, 0, tzinfo=UTC))
    db.session.commit()
    assert _failed(_verdict(day, person, session=clash)) == {"overlap"}


def test_training_hours_missing_in_the_entry_year_are_refused_with_the_rule(day):
    newcomer = add_person("新员工", day.enterprise, start=date(2026, 9, 1), seq=351)
    db.session.commit()
    refused = _verdict(day, newcomer)
    assert _failed(refused) == {"training"}
    check = refused.refusals[0]
    assert check.params["kind"] == "prejob" and check.params["done"] == 0
    db.session.add(ExternalTraining(person_id=newcomer.id, organization_id=day.enterprise.id,
                                    provider="安全培训机构", title="岗前培训",
                                    started_on=date(2026, 9, 2), ended_on=date(2026, 9, 10),
                                    class_hours=check.params["required"], proof_sha256="0" * 64,
                                    proof_mime="application/pdf",
                                    recorded_by_id=day.accounts["ent_admin"].id))
    db.session.commit()
    assert "training" not in _failed(_verdict(day, newcomer))


def test_age_counts_full_years():
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
