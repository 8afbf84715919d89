"""The study-time ledger credits only active, single-lesson, wall-clock time on the server's clock."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from courses.ledger import Beat, Policy, heartbeat
from courses.models import CourseStatus, StudyRecord
from lms.extensions import db
from lms.models import AuditEvent, Post

POLICY = Policy(max_gap=timedelta(seconds=75), clock_skew=timedelta(seconds=120),
                tz=ZoneInfo("Asia/Shanghai"))
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def study(make, cf):
    org = make.org("企业")
    person = make.person("学员", org=org, post=Post.OTHER)
    other = make.person("别人", org=org, post=Post.OTHER)
    course = cf.course(org, lessons=3)
    enrollment = cf.enrol(course, person, org)
    return {"org": org, "person": person, "other": other, "course": course,
            "enrollment": enrollment, "lessons": course.lessons, "cf": cf}


def beat(s, seconds_after_t0: float, lesson=0, **kw):
    fields = {"person_id": s["person"].id, "enrollment_id": s["enrollment"].id,
              "lesson_id": s["lessons"][lesson].id,
              "now": T0 + timedelta(seconds=seconds_after_t0)}
    fields.update(kw)
    result = heartbeat(Beat(**fields), POLICY)
    db.session.commit()
    return result


def credited_total(person_id) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(StudyRecord.seconds), 0))
                             .where(StudyRecord.person_id == person_id))


def refusals() -> list[str]:
    return [e.details["reason"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "courses.heartbeat_refused"))]


def test_beats_within_the_gap_credit_the_elapsed_time(study):
    assert beat(study, 0).credited == 0
    assert beat(study, 30).credited == 30
    assert beat(study, 60.5).credited == 30
    assert beat(study, 90).credited == 30  # the half second carried over
    record = db.session.scalar(select(StudyRecord))
    assert (record.started_at, record.ended_at, record.seconds) == (T0, T0 + timedelta(seconds=90), 90)
    assert record.open_person_id == study["person"].id


def test_a_gap_longer_than_allowed_credits_nothing_and_starts_a_new_record(study):
    beat(study, 0)
    beat(study, 30)
    assert beat(study, 30 + 76).credited == 0  # hidden tab or idle: the clock had stopped
    assert beat(study, 30 + 76 + 20).credited == 20
    records = db.session.scalars(select(StudyRecord).order_by(StudyRecord.id)).all()
    assert [r.seconds for r in records] == [30, 20]
    assert [r.open_person_id for r in records] == [None, study["person"].id]


def test_stop_closes_the_record(study):
    beat(study, 0)
    assert beat(study, 10, stop=True).credited == 10
    assert db.session.scalar(select(StudyRecord.open_person_id)) is None
    assert beat(study, 20).credited == 0


def test_another_lesson_closes_the_open_one_and_overlap_is_logged(study):
    beat(study, 0, lesson=0)
    beat(study, 30, lesson=0)
    assert beat(study, 40, lesson=1).credited == 0
    assert beat(study, 50, lesson=0).credited == 0
    assert beat(study, 60, lesson=1).credited == 0
    assert credited_total(study["person"].id) == 30
    assert refusals() == ["overlapping_lessons"] * 3
    assert db.session.scalar(select(func.count()).where(StudyRecord.open_person_id.is_not(None))) == 1


def test_moving_to_the_next_lesson_after_stopping_is_not_an_overlap(study):
    beat(study, 0, lesson=0)
    beat(study, 30, lesson=0, stop=True)
    beat(study, 31, lesson=1)
    assert beat(study, 61, lesson=1).credited == 30
    assert refusals() == []


def test_credit_never_exceeds_wall_clock_time(study):
    """Random beats over two lessons, with bursts and gaps: at most one second per second."""
    rng = random.Random(7)
    t = 0.0
    for _ in range(300):
        t += rng.choice([0.2, 1, 5, 29, 31, 74, 80, 200])
        beat(study, t, lesson=rng.choice([0, 0, 0, 1]), stop=rng.random() < 0.05)
    assert 0 < credited_total(study["person"].id) <= t
    spans = db.session.execute(select(StudyRecord.started_at, StudyRecord.ended_at)
                               .order_by(StudyRecord.started_at)).all()
    for (_s1, end1), (start2, _e2) in zip(spans, spans[1:], strict=False):
        assert end1 <= start2, "two lessons were credited at the same time"


def test_a_future_client_time_credits_nothing_and_is_logged(study):
    beat(study, 0)
    forged = beat(study, 30, client_time=T0 + timedelta(seconds=30 + 3600))
    assert (forged.credited, forged.refused) == (0, "future_time")
    assert credited_total(study["person"].id) == 0
    assert refusals() == ["future_time"]
    # A client clock a little ahead (within the allowed skew) is fine; it is never used to credit.
    assert beat(study, 40, client_time=T0 + timedelta(seconds=100)).credited == 40


def test_another_persons_enrolment_credits_nothing_and_is_logged(study):
    other_enrollment = study["cf"].enrol(study["course"], study["other"], study["org"])
    forged = beat(study, 0, enrollment_id=other_enrollment.id)
    assert forged.refused == "other_person"
    assert db.session.scalar(select(func.count(StudyRecord.id))) == 0
    assert refusals() == ["other_person"]


def test_a_lesson_outside_the_enrolment_or_unpublished_credits_nothing(study):
    stranger = study["cf"].course(study["org"], title="别的课程").lessons[0]
    assert beat(study, 0, lesson_id=stranger.id).refused == "lesson_not_assigned"
    study["course"].status = CourseStatus.RETIRED
    db.session.commit()
    assert beat(study, 10).refused == "lesson_not_assigned"
    assert beat(study, 20, lesson_id=999999).refused == "unknown_lesson"
    assert db.session.scalar(select(func.count(StudyRecord.id))) == 0
    assert refusals() == ["lesson_not_assigned", "lesson_not_assigned", "unknown_lesson"]


def test_study_across_local_midnight_is_split_between_the_two_days(study):
    """Records never span two local dates, so each year and day gets exactly its own seconds."""
    new_year_local = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 2027-01-01 00:00 in Shanghai
    offset = (new_year_local - T0).total_seconds()
    beat(study, offset - 20)
    assert beat(study, offset + 10).credited == 30
    records = db.session.scalars(select(StudyRecord).order_by(StudyRecord.id)).all()
    assert [(r.seconds, r.ended_at == new_year_local) for r in records] == [(20, True), (10, False)]
    assert records[1].started_at == new_year_local and records[1].open_person_id is not None


def test_a_concurrent_duplicate_beat_credits_once(study):
    from courses.ledger import _extend

    beat(study, 0)
    open_row = db.session.execute(select(StudyRecord.id, StudyRecord.lesson_id,
                                         StudyRecord.ended_at)).first()
    late = Beat(study["person"].id, study["enrollment"].id, study["lessons"][0].id,
                T0 + timedelta(seconds=30))
    conn = db.session.connection()
    assert _extend(conn, late, POLICY, open_row, study["course"].id) == (30, True)
    assert _extend(conn, late, POLICY, open_row, study["course"].id) == (0, True)
    assert credited_total(study["person"].id) == 30
