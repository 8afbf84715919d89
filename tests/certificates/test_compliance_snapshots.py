"""Monthly snapshots: taken once a month from the kept counts (a second call in the same month
writes nothing), past months worked out from the base tables equal the as-of-date overview of
that day, and the trend reads them oldest first. Expected figures written by hand."""

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from certificates.compliance.models import ComplianceSnapshot
from certificates.compliance.rates import Filters, overview
from certificates.compliance.snapshots import snapshot_as_of, take_snapshot, trend
from certificates.models import Certificate, CertificateStatus, CertificateType
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import Employment, Post
from lms.regions import region_by_code

TODAY = date(2026, 7, 15)
PAST = [date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)]
RECORD = ("on_job", "key_on_job", "certified", "review_overdue", "expiring_30", "expiring_60", "expiring_90",
          "hr_on_job", "hr_passed")


@pytest.fixture
def clock(app):
    from lms.clock import _EXTENSION

    before = app.extensions.get(_EXTENSION)
    stopped = FixedClock(datetime.combine(TODAY, time(4), tzinfo=UTC))
    install_clock(app, stopped)
    yield stopped
    if before is None:
        app.extensions.pop(_EXTENSION, None)
    else:
        install_clock(app, before)


def _cert(person, issued: date, expires: date, review: date | None = None) -> None:
    employment = person.employments[0]
    db.session.add(Certificate(
        cert_type=CertificateType.SPECIAL_OPS, status=CertificateStatus.ISSUED, number=f"T{person.id_number}",
        person_id=person.id, employment_id=employment.id, post=Post.SPECIAL_OPERATIONS.value,
        operation_category="2", operation_subtype="2.1", pass_key=f"snap:{person.id}", issued_on=issued,
        expires_on=expires, next_review_on=review, issuing_authority="无锡市应急管理局", rule_versions={}))
    db.session.commit()


@pytest.fixture
def world(make, clock):
    """A high-risk Liangxi enterprise: w1's certificate ends 2026-04-30, w2's is valid, w3 starts on
    2026-04-01 without one; a Wujiang enterprise with one certified welder."""
    make.rules()
    ent = make.org("无锡甲化工", "320213", industry="hazardous_chemicals", high_risk=True)
    far = make.org("吴江乙机械", "320509", industry="machinery")
    w1 = make.person("一号", ent, Post.SPECIAL_OPERATIONS, subtype="2.1")
    w2 = make.person("二号", ent, Post.SPECIAL_OPERATIONS, subtype="2.1")
    w3 = make.person("三号", ent, Post.SPECIAL_OPERATIONS, subtype="2.1")
    s1 = make.person("四号", far, Post.SPECIAL_OPERATIONS, subtype="2.1", region_code="320509")
    w3.employments[0].start_date = date(2026, 4, 1)
    db.session.commit()
    _cert(w1, date(2020, 5, 1), date(2026, 4, 30))
    _cert(w2, date(2024, 1, 10), date(2030, 1, 9), date(2027, 1, 10))
    _cert(s1, date(2025, 2, 1), date(2031, 1, 31), date(2028, 2, 1))
    return {"ent": ent, "far": far}


def _values(figures) -> dict:
    return {name: figures.values[name] for name in RECORD}


def _rows() -> int:
    return db.session.scalar(select(func.count(ComplianceSnapshot.id)))


def test_one_snapshot_a_month_and_the_trend_oldest_first(world):
    for day in PAST:
        assert snapshot_as_of(day) > 0
    assert snapshot_as_of(PAST[0]) == 0  # that day is kept already
    written = take_snapshot(TODAY)
    assert written > 0
    before = _rows()
    assert take_snapshot(TODAY) == 0
    assert take_snapshot(date(2026, 7, 31)) == 0  # still July
    assert _rows() == before
    wuxi = region_by_code("320200")
    points = trend(wuxi, Filters())
    assert [day for day, _f in points] == [*PAST, TODAY]
    # By hand: key-post employments on the job and those certified, in Wuxi.
    assert [(f.key_on_job, f.certified) for _d, f in points] == [(2, 2), (3, 2), (3, 1), (3, 1)]
    assert [f.expiring_30 for _d, f in points] == [0, 1, 0, 0]  # w1 had 29 days left on 04-01
    assert [f.certified_rate for _d, f in points] == [1, 2 / 3, 1 / 3, 1 / 3]
    assert points[0][1].training_rate is None  # not known for past days
    assert [day for day, _f in trend(wuxi, Filters(), months=2)] == [PAST[2], TODAY]
    jiangsu = trend(region_by_code("320000"), Filters())
    assert [(f.key_on_job, f.certified) for _d, f in jiangsu] == [(3, 3), (4, 3), (4, 2), (4, 2)]
    assert [(f.hr_on_job, f.hr_passed) for _d, f in jiangsu] == [(2, 0), (3, 0), (3, 0), (3, 0)]
    assert trend(wuxi, Filters(high_risk=False)) == []
    assert [f.key_on_job for _d, f in trend(region_by_code("320000"), Filters(industry="machinery"))] == [
        1, 1, 1, 1]


def test_a_new_month_takes_a_new_snapshot(world, clock):
    assert take_snapshot(TODAY) > 0
    assert take_snapshot(date(2026, 8, 1)) > 0
    assert [day for day, _f in trend(region_by_code("320213"), Filters())] == [TODAY, date(2026, 8, 1)]


@pytest.mark.parametrize("code", ["320000", "320200", "320213", "320500", "320509"])
@pytest.mark.parametrize("filters", [Filters(), Filters(post="special_operations", category="2"),
                                     Filters(high_risk=True), Filters(industry="machinery")])
def test_a_past_snapshot_equals_the_overview_of_that_day(world, code, filters):
    for day in PAST:
        snapshot_as_of(day)
    region = region_by_code(code)
    points = dict(trend(region, filters))
    for day in PAST:
        expected = _values(overview(region, filters, day, TODAY).total)
        if not any(expected.values()):
            assert day not in points
            continue
        assert _values(points[day]) == expected, day


def test_a_snapshot_taken_today_equals_the_kept_overview(world):
    take_snapshot(TODAY)
    for code in ("320000", "320200", "320509"):
        region = region_by_code(code)
        assert _values(dict(trend(region, Filters()))[TODAY]) == _values(
            overview(region, Filters(), TODAY, TODAY).total)


def test_the_snapshot_counts_employments_by_their_dates(world):
    """w3 started on 2026-04-01: absent from March, present from April."""
    snapshot_as_of(PAST[0])
    snapshot_as_of(PAST[1])
    march, april = (f for _d, f in trend(region_by_code("320213"), Filters()))
    assert (march.on_job, april.on_job) == (2, 3)
    assert db.session.scalar(select(func.count(Employment.id))) == 4
