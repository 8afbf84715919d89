"""Closing registration: random seats spreading each enterprise apart, frozen papers, make-ups."""

import random
from datetime import UTC, date, datetime

import pytest
from centres_world import NOW, add_person, add_session
from sqlalchemy import select

from exams.centres.freeze import CannotClose, close_registration, spread_order
from exams.centres.models import Registration, SessionKind, SessionStatus
from exams.centres.registration import register
from exams.models import Paper, PaperItem, PaperPurpose
from lms.extensions import db
from lms.transitions import AlreadyChanged


def _register_all(day, people, session=None, admin="centre_admin"):
    session = session or day.session
    for person in people:
        register(session, person, day.employment(person), day.accounts[admin], NOW, health_commitment=True)
    db.session.commit()


def _seated(session) -> list[Registration]:
    regs = db.session.scalars(select(Registration).where(Registration.session_id == session.id)).all()
    return sorted(regs, key=lambda r: r.seat.label)


def test_spread_order_never_seats_one_enterprise_side_by_side_when_it_can_be_avoided():
    rng = random.Random(7)
    candidates = [(i, "A") for i in range(5)] + [(10 + i, "B") for i in range(4)] + [(20, "C")]
    order = spread_order(candidates, rng)
    org = dict(candidates)
    assert sorted(order) == sorted(c for c, _o in candidates)
    assert all(org[a] != org[b] for a, b in zip(order, order[1:], strict=False))


def test_spread_order_is_random_but_reproducible_from_its_seed():
    candidates = [(i, i % 3) for i in range(12)]
    assert spread_order(candidates, random.Random(1)) == spread_order(candidates, random.Random(1))
    assert spread_order(candidates, random.Random(1)) != spread_order(candidates, random.Random(2))


def test_closing_draws_seats_and_freezes_one_paper_per_candidate(day):
    _register_all(day, day.employees)
    count = close_registration(day.session, day.accounts["centre_admin"], NOW)
    db.session.commit()
    assert count == 9
    regs = _seated(day.session)
    assert all(r.paper_id and r.seat_id for r in regs)
    assert len({r.seat_id for r in regs}) == 9 and len({r.paper_id for r in regs}) == 9
    orgs = [r.organization_id for r in regs]
    # Six of one enterprise and three of another: two same-enterprise neighbours at least, no more.
    assert sum(a == b for a, b in zip(orgs, orgs[1:], strict=False)) == 6 - 1 - 3, orgs
    papers = [r.paper for r in regs]
    assert all(p.person_id == r.person_id and p.session_ref == day.session.code
               and p.purpose is PaperPurpose.EXAM and len(p.items) == 100
               for p, r in zip(papers, regs, strict=True))
    # Neighbours sit different parallel forms.
    assert len({tuple(i.question_id for i in p.items) for p in papers}) == 9
    db.session.refresh(day.session)
    assert day.session.status is SessionStatus.REGISTRATION_CLOSED and day.session.papers_frozen_at == NOW


def test_closing_twice_changes_nothing_the_second_time(day):
    _register_all(day, day.employees[:3])
    close_registration(day.session, day.accounts["centre_admin"], NOW)
    db.session.commit()
    papers = db.session.scalars(select(Paper.id)).all()
    with pytest.raises(AlreadyChanged):
        close_registration(day.session, day.accounts["centre_admin"], NOW)
    db.session.rollback()
    assert db.session.scalars(select(Paper.id)).all() == papers


def test_closing_with_fewer_seats_than_candidates_is_refused_and_writes_nothing(day):
    _register_all(day, day.employees[:3])
    for seat in day.room.seats[2:]:
        seat.in_use = False
    db.session.commit()
    with pytest.raises(CannotClose):
        close_registration(day.session, day.accounts["centre_admin"], NOW)
    db.session.rollback()
    db.session.refresh(day.session)
    assert day.session.status is SessionStatus.PUBLISHED and db.session.scalar(select(Paper.id)) is None


def test_a_make_up_paper_avoids_the_questions_of_the_earlier_attempt(day):
    person = day.employees[0]
    _register_all(day, [person])
    close_registration(day.session, day.accounts["centre_admin"], NOW)
    first = db.session.scalar(select(Registration).where(Registration.person_id == person.id))
    first.passed, first.score, first.result_on = False, 62.0, date(2026, 12, 20)
    day.session.status = SessionStatus.RESULTS_RELEASED
    db.session.commit()
    seen = set(db.session.scalars(select(PaperItem.question_id).where(PaperItem.paper_id == first.paper_id)))
    makeup = add_session(day.centre, day.blueprint, day.bank, [day.room], day.accounts["centre_admin"],
                         code="MK-1", kind=SessionKind.MAKEUP,
                         starts_at=datetime(2027, 1, 10, 1, 0, tzinfo=UTC),
                         ends_at=datetime(2027, 1, 10, 3, 0, tzinfo=UTC))
    makeup.registration_closes_at = datetime(2027, 1, 5, tzinfo=UTC)
    db.session.commit()
    _register_all(day, [person], session=makeup)
    close_registration(makeup, day.accounts["centre_admin"], NOW)
    db.session.commit()
    second = db.session.scalar(select(Registration).where(Registration.session_id == makeup.id))
    items = set(db.session.scalars(select(PaperItem.question_id)
                                   .where(PaperItem.paper_id == second.paper_id)))
    assert second.paper.purpose is PaperPurpose.MAKEUP and len(items) == 100
    # 90 true/false and 40 single-choice questions exist and 70 + 30 are drawn: every one of the
    # 20 + 10 fresh questions is used, so exactly 50 + 20 repeat.
    assert len(items - seen) == 20 + 10 and len(items & seen) == 50 + 20


def test_a_practical_session_seats_candidates_without_papers(day):
    theory_pass = add_person("实操考生", day.enterprise, seq=501)
    db.session.commit()
    practical = add_session(day.centre, None, day.bank, [day.room], day.accounts["centre_admin"],
                            code="PR-1", kind=SessionKind.PRACTICAL)
    db.session.commit()
    passed = add_session(day.centre, day.blueprint, day.bank, [day.room], day.accounts["centre_admin"],
                         code="TH-0", status=SessionStatus.RESULTS_RELEASED,
                         starts_at=datetime(2026, 11, 1, 1, tzinfo=UTC),
                         ends_at=datetime(2026, 11, 1, 3, tzinfo=UTC))
    db.session.add(Registration(session_id=passed.id, person_id=theory_pass.id,
                                employment_id=day.employment(theory_pass).id,
                                organization_id=day.enterprise.id, ticket_number="T-PASS",
                                registered_by_id=day.accounts["centre_admin"].id, passed=True, score=90,
                                result_on=date(2026, 11, 5)))
    db.session.commit()
    _register_all(day, [theory_pass], session=practical)
    close_registration(practical, day.accounts["centre_admin"], NOW)
    db.session.commit()
    reg = db.session.scalar(select(Registration).where(Registration.session_id == practical.id))
    assert reg.seat_id is not None and reg.paper_id is None


def test_close_due_closes_only_sessions_past_their_deadline_once(app, day, runner):
    from datetime import timedelta

    from exams.centres.models import ExamSession
    from lms.clock import FixedClock, install_clock

    _register_all(day, day.employees[:2])
    later = add_session(day.centre, day.blueprint, day.bank, [day.room], day.accounts["centre_admin"],
                        code="LATER", starts_at=datetime(2027, 1, 20, 1, tzinfo=UTC),
                        ends_at=datetime(2027, 1, 20, 3, tzinfo=UTC))
    later.registration_closes_at = datetime(2027, 1, 10, tzinfo=UTC)
    db.session.commit()
    install_clock(app, FixedClock(day.session.registration_closes_at + timedelta(minutes=1)))
    try:
        first = runner.invoke(args=["sessions", "close-due"])
        second = runner.invoke(args=["sessions", "close-due"])
    finally:
        app.extensions.pop("lms.clock", None)
    assert first.exit_code == 0 and f"closed {day.session.code} (2)" in first.output
    assert second.exit_code == 0 and second.output == ""
    db.session.expire_all()
    assert db.session.get(ExamSession, day.session.id).status is SessionStatus.REGISTRATION_CLOSED
    assert db.session.get(ExamSession, later.id).status is SessionStatus.PUBLISHED
    assert all(r.paper_id for r in _seated(day.session))
