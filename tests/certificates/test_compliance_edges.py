"""The compliance figures of one hand-built world holding every edge, with the expected counts and
rates written out by hand: at the enterprise, district, city and province levels, per filter, as of
past days and after the calendar moves on.

The world (today is 2026-07-15, after the special-operations review was abolished on 2026-06-01):

甲化工 (Liangxi, Wuxi; high-risk, hazardous chemicals)
  a1  welder 2.1, certificate expiring today                    assessment passed 2026-03-10
  a2  electrician 1.2, certificate revoked on 2026-05-10
  a3  welder 2.1, suspended 2026-04-01, reinstated 2026-05-01   assessment failed 2026-03-10
  a4  electrician 1.2 holding a 2.1 certificate (wrong sub-type)
  a5  safety manager with the safety qualification certificate  assessed once for both posts:
  a6  ... the same person as a welder 2.1, no welding certificate   passed 2026-01-10
  a7  welder 2.1, valid certificate, employment ended 2026-06-30
  a8  welder 2.1, valid certificate, on leave
  a9  welder 2.1 issued 2023-03-01: review due 2026-03-01, not done   passed 2025-09-01, failed 2026-02-01
  a10 welder 2.1 issued 2023-07-01: the review would fall due 2026-07-01, after the abolition: none
                                                                 assessment passed 2025-05-01 (too old)
  a11 principal, imported safety qualification certificate (2024-09-01 .. 2027-08-31)
  a12 welder 2.1, imported certificate of 2014 expired 2020-04-30
  a13 welder 2.1, certificate replaced on 2026-05-20 (old to 2026-05-31, successor from 2026-06-01)
  a14 other post, recruited 2026-07-01, no assessment yet
乙机械 (Binhu, Wuxi; not high-risk, machinery)
  b1  principal, certificate to 2027-09-30
  b2  safety manager without a certificate
  b3  welder 2.1, certificate to 2026-08-29 (45 days)
  b4  electrician 1.2, certificate to 2026-10-03 (80 days)
  b5  other post, assessment passed (not counted: not high-risk)
丙化工 (Wujiang, Suzhou; high-risk, hazardous chemicals)
  c1  welder 2.1, valid certificate                             assessment passed 2026-05-01
  c2  other post                                                assessment failed 2026-05-01
"""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import pytest

from certificates.compliance.facts import Inputs, facts_on
from certificates.compliance.models import ComplianceFact
from certificates.compliance.rates import Filters, enterprise_figures, overview, people
from certificates.compliance.verify import verify
from certificates.dates import dates_for
from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateSource,
    CertificateStatus,
    CertificateType,
)
from exams.assessments.models import Assessment, AssessmentAssignment, AssessmentPurpose
from exams.models import BankPurpose, BankTier, Blueprint, QuestionBank
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import Employment, Post
from lms.regions import region_by_code

TODAY = date(2026, 7, 15)
WELD, LOW_VOLTAGE = "2.1", "1.2"


def noon(day: date) -> datetime:
    """04:00 UTC: noon in Beijing on ``day``."""
    return datetime.combine(day, time(4), tzinfo=UTC)


@pytest.fixture
def clock(app):
    """The app's clock standing on TODAY; tests move it with ``clock.set``."""
    from lms.clock import _EXTENSION

    before = app.extensions.get(_EXTENSION)
    stopped = FixedClock(noon(TODAY))
    install_clock(app, stopped)
    yield stopped
    if before is None:
        app.extensions.pop(_EXTENSION, None)
    else:
        install_clock(app, before)


class World:
    """Builds the enterprises, people, certificates and assessment results of the docstring."""

    def __init__(self, make):
        self.make = make
        self.jobs: dict[str, Employment] = {}
        self.banks: dict[int, tuple[int, int]] = {}
        self.count = 0

    def job(self, label: str, org, post: Post, subtype: str | None = None, *, person=None,
            start: date = date(2020, 1, 1), end: date | None = None, on_the_job: bool = True) -> Employment:
        """An employment (and its person unless given)."""
        if person is None:
            person = self.make.person(f"员工{label}", region_code=org.region.code)
        employment = Employment(person=person, organization=org, post=post, start_date=start, end_date=end,
                                is_on_the_job=on_the_job, operation_subtype=subtype,
                                operation_category=subtype.split(".")[0] if subtype else None)
        db.session.add(employment)
        db.session.commit()
        self.jobs[label] = employment
        return employment

    def cert(self, label: str, *, subtype: str | None = WELD, issued: date, expires: date,
             review: date | None = None, status=CertificateStatus.ISSUED, source=CertificateSource.EXAM,
             post: str | None = None, generation: int = 0, replaces: Certificate | None = None,
             events: tuple = ()) -> Certificate:
        """A certificate of the person of ``label``'s employment, with lifecycle events (kind, day)."""
        employment = self.jobs[label]
        self.count += 1
        special = subtype is not None
        cert = Certificate(
            cert_type=CertificateType.SPECIAL_OPS if special else CertificateType.SAFETY_QUALIFICATION,
            status=status, source=source, number=f"T{employment.person.id_number}", generation=generation,
            person_id=employment.person_id, employment_id=employment.id,
            post=Post.SPECIAL_OPERATIONS.value if special else (post or employment.post.value),
            operation_category=subtype.split(".")[0] if special else None, operation_subtype=subtype,
            pass_key=f"edge:{self.count}", issued_on=issued, expires_on=expires, next_review_on=review,
            issuing_authority="无锡市应急管理局", replaces_id=replaces.id if replaces else None,
            rule_versions={})
        db.session.add(cert)
        db.session.flush()
        for kind, on in events:
            db.session.add(CertificateEvent(certificate_id=cert.id, kind=kind, on=on, reason="edge"))
        db.session.commit()
        return cert

    def assess(self, label: str, day: date, passed: bool) -> None:
        """A completed enterprise assessment of the person of ``label``'s employment."""
        employment = self.jobs[label]
        org = employment.organization
        if org.id not in self.banks:
            bank = QuestionBank(code=f"EDGE{org.id}", name="练习题库", purpose=BankPurpose.PRACTICE,
                                tier=BankTier.PROVINCIAL, organization_id=org.id)
            blueprint = Blueprint(code=f"EDGE-BP{org.id}", name="考核", exam_kind="custom",
                                  organization_id=org.id, duration_minutes=30, pass_mark=80, points={})
            db.session.add_all([bank, blueprint])
            db.session.flush()
            self.banks[org.id] = (bank.id, blueprint.id)
        bank_id, blueprint_id = self.banks[org.id]
        assessment = Assessment(enterprise_id=org.id, title=f"考核 {day}", purpose=AssessmentPurpose.OTHER,
                                bank_id=bank_id, blueprint_id=blueprint_id,
                                opens_at=noon(day) - timedelta(hours=2),
                                closes_at=noon(day) + timedelta(hours=4), time_limit_minutes=30,
                                pass_percent=80)
        db.session.add(assessment)
        db.session.flush()
        db.session.add(AssessmentAssignment(assessment_id=assessment.id, person_id=employment.person_id,
                                            employment_id=employment.id, score=90 if passed else 50,
                                            passed=passed, completed_at=noon(day)))
        db.session.commit()


@pytest.fixture
def world(make, clock):
    make.rules()
    w = World(make)
    a = make.org("甲化工", "320213", industry="hazardous_chemicals", high_risk=True)
    b = make.org("乙机械", "320211", industry="machinery", high_risk=False)
    c = make.org("丙化工", "320509", industry="hazardous_chemicals", high_risk=True)
    w.orgs = {"a": a, "b": b, "c": c}
    special = Post.SPECIAL_OPERATIONS

    w.job("a1", a, special, WELD)
    w.cert("a1", issued=date(2020, 7, 16), expires=TODAY)
    w.assess("a1", date(2026, 3, 10), True)

    w.job("a2", a, special, LOW_VOLTAGE)
    w.cert("a2", subtype=LOW_VOLTAGE, issued=date(2024, 1, 10), expires=date(2030, 1, 9),
           review=date(2027, 1, 10), status=CertificateStatus.REVOKED,
           events=(("revoked", date(2026, 5, 10)),))

    w.job("a3", a, special, WELD)
    w.cert("a3", issued=date(2024, 2, 1), expires=date(2030, 1, 31), review=date(2027, 2, 1),
           events=(("suspended", date(2026, 4, 1)), ("reinstated", date(2026, 5, 1))))
    w.assess("a3", date(2026, 3, 10), False)

    w.job("a4", a, special, LOW_VOLTAGE)
    w.cert("a4", issued=date(2024, 3, 1), expires=date(2030, 2, 28), review=date(2027, 3, 1))

    w.job("a5", a, Post.SAFETY_MANAGER)
    w.job("a6", a, special, WELD, person=w.jobs["a5"].person)
    w.cert("a5", subtype=None, issued=date(2025, 1, 10), expires=date(2028, 1, 9))
    w.assess("a5", date(2026, 1, 10), True)

    w.job("a7", a, special, WELD, end=date(2026, 6, 30))
    w.cert("a7", issued=date(2024, 4, 1), expires=date(2030, 3, 31), review=date(2027, 4, 1))

    w.job("a8", a, special, WELD, on_the_job=False)
    w.cert("a8", issued=date(2024, 5, 1), expires=date(2030, 4, 30), review=date(2027, 5, 1))

    # Dates worked out the way issuance does, under the rules in force on the issue day.
    w.job("a9", a, special, WELD)
    before = dates_for(CertificateType.SPECIAL_OPS, date(2023, 3, 1), a.region)
    assert (before.next_review_on, before.expires_on) == (date(2026, 3, 1), date(2029, 2, 28))
    w.cert("a9", issued=date(2023, 3, 1), expires=before.expires_on, review=before.next_review_on)
    w.assess("a9", date(2025, 9, 1), True)
    w.assess("a9", date(2026, 2, 1), False)

    w.job("a10", a, special, WELD)
    after = dates_for(CertificateType.SPECIAL_OPS, date(2023, 7, 1), a.region)
    assert (after.next_review_on, after.expires_on) == (None, date(2029, 6, 30))
    w.cert("a10", issued=date(2023, 7, 1), expires=after.expires_on, review=after.next_review_on)
    w.assess("a10", date(2025, 5, 1), True)

    w.job("a11", a, Post.PRINCIPAL)
    w.cert("a11", subtype=None, issued=date(2024, 9, 1), expires=date(2027, 8, 31),
           source=CertificateSource.IMPORT)

    w.job("a12", a, special, WELD)
    w.cert("a12", issued=date(2014, 5, 1), expires=date(2020, 4, 30), source=CertificateSource.IMPORT)

    w.job("a13", a, special, WELD)
    old = w.cert("a13", issued=date(2020, 6, 1), expires=date(2026, 5, 31), status=CertificateStatus.REPLACED,
                 events=(("replaced", date(2026, 5, 20)),))
    w.cert("a13", issued=date(2026, 6, 1), expires=date(2032, 5, 31), generation=1, replaces=old)

    w.job("a14", a, Post.OTHER, start=date(2026, 7, 1))

    w.job("b1", b, Post.PRINCIPAL)
    w.cert("b1", subtype=None, issued=date(2024, 10, 1), expires=date(2027, 9, 30))
    w.job("b2", b, Post.SAFETY_MANAGER)
    w.job("b3", b, special, WELD)
    w.cert("b3", issued=date(2020, 8, 30), expires=date(2026, 8, 29))
    w.job("b4", b, special, LOW_VOLTAGE)
    w.cert("b4", subtype=LOW_VOLTAGE, issued=date(2020, 10, 4), expires=date(2026, 10, 3))
    w.job("b5", b, Post.OTHER)
    w.assess("b5", date(2026, 6, 1), True)

    w.job("c1", c, special, WELD)
    w.cert("c1", issued=date(2025, 2, 1), expires=date(2031, 1, 31), review=date(2028, 2, 1))
    w.assess("c1", date(2026, 5, 1), True)
    w.job("c2", c, Post.OTHER)
    w.assess("c2", date(2026, 5, 1), False)
    return w


def counts(figures) -> dict:
    """The record-driven measures of a Figures, by name."""
    names = ("on_job", "key_on_job", "certified", "review_overdue", "expiring_30", "expiring_60",
             "expiring_90", "hr_on_job", "hr_passed")
    return {n: figures.values[n] for n in names}


def figures(on_job, key, certified, overdue, e30, e60, e90, hr, passed) -> dict:
    return {"on_job": on_job, "key_on_job": key, "certified": certified, "review_overdue": overdue,
            "expiring_30": e30, "expiring_60": e60, "expiring_90": e90, "hr_on_job": hr, "hr_passed": passed}


def region(code: str):
    return region_by_code(code)


def fact_of(world, label: str, day: date | None = None):
    """The fact of one employment: the kept row (today) or worked out from the base tables on
    ``day``, with its measures as attributes either way."""
    employment = world.jobs[label]
    if day is None:
        return db.session.get(ComplianceFact, employment.id)
    found = facts_on(Inputs.load([employment.person_id]), day)
    fact = next(f for f in found if f.employment_id == employment.id)
    return SimpleNamespace(**fact.measures, gap=fact.gap, cover_until=fact.cover_until,
                           certificate_id=fact.certificate_id, next_change_on=fact.next_change_on)


# -- today ------------------------------------------------------------------------------------------

#: By hand, on 2026-07-15.
A_TODAY = figures(on_job=12, key=11, certified=6, overdue=1, e30=1, e60=1, e90=1, hr=12, passed=3)
B_TODAY = figures(on_job=5, key=4, certified=3, overdue=0, e30=0, e60=1, e90=2, hr=0, passed=0)
C_TODAY = figures(on_job=2, key=1, certified=1, overdue=0, e30=0, e60=0, e90=0, hr=2, passed=1)
WUXI_TODAY = figures(on_job=17, key=15, certified=9, overdue=1, e30=1, e60=2, e90=3, hr=12, passed=3)
JIANGSU_TODAY = figures(on_job=19, key=16, certified=10, overdue=1, e30=1, e60=2, e90=3, hr=14, passed=4)


def test_each_employment_stands_where_the_hand_reading_puts_it(world):
    certified = {label: fact_of(world, label).certified for label in world.jobs}
    assert [k for k, v in certified.items() if v] == [
        "a1", "a3", "a5", "a10", "a11", "a13", "b1", "b3", "b4", "c1"]
    gaps = {label: fact_of(world, label).gap for label in world.jobs if fact_of(world, label).gap}
    assert gaps == {"a2": "revoked", "a4": "wrong_subtype", "a6": "none", "a9": "review_overdue",
                    "a12": "expired", "b2": "none"}
    # Ended and on-leave employments hold valid certificates but are not on the job: not counted.
    assert fact_of(world, "a7").on_job == 0 and fact_of(world, "a8").on_job == 0
    assert fact_of(world, "a14").on_job == 1 and fact_of(world, "a14").key_on_job == 0
    # The certificate expiring today covers today: its last day.
    assert fact_of(world, "a1").cover_until == TODAY
    # The replaced certificate's successor carries on; the rule change left a10 without a review.
    assert fact_of(world, "a13").cover_until == date(2032, 5, 31)
    assert fact_of(world, "a10").cover_until == date(2029, 6, 30)
    # A person assessed once counts as passed in both posts at the enterprise.
    assert (fact_of(world, "a5").hr_passed, fact_of(world, "a6").hr_passed) == (1, 1)


def test_the_enterprise_district_city_and_province_figures_are_the_hand_counts(world):
    a, b, c = (world.orgs[k] for k in "abc")
    assert counts(enterprise_figures(a, Filters(), TODAY, TODAY)) == A_TODAY
    assert counts(enterprise_figures(b, Filters(), TODAY, TODAY)) == B_TODAY
    assert counts(enterprise_figures(c, Filters(), TODAY, TODAY)) == C_TODAY
    assert counts(overview(region("320213"), Filters(), TODAY, TODAY).total) == A_TODAY
    assert counts(overview(region("320509"), Filters(), TODAY, TODAY).total) == C_TODAY
    wuxi = overview(region("320200"), Filters(), TODAY, TODAY)
    assert counts(wuxi.total) == WUXI_TODAY
    assert [(r.kind, r.code) for r in wuxi.children] == [("region", "320211"), ("region", "320213")]
    assert [counts(r.figures) for r in wuxi.children] == [B_TODAY, A_TODAY]
    jiangsu = overview(region("320000"), Filters(), TODAY, TODAY)
    assert counts(jiangsu.total) == JIANGSU_TODAY
    assert [r.code for r in jiangsu.children] == ["320200", "320500"]
    assert [counts(r.figures) for r in jiangsu.children] == [WUXI_TODAY, C_TODAY]
    assert jiangsu.total.certified_rate == 10 / 16
    assert jiangsu.total.pass_rate == 4 / 14
    assert wuxi.total.certified_rate == 9 / 15 and wuxi.total.pass_rate == 3 / 12
    assert enterprise_figures(a, Filters(), TODAY, TODAY).certified_rate == 6 / 11
    assert enterprise_figures(b, Filters(), TODAY, TODAY).pass_rate is None  # not high-risk: no denominator
    assert jiangsu.total.not_certified == 6
    assert jiangsu.total.training_rate is None  # the training job has not run


def test_an_enterprise_level_drill_down_lists_the_enterprises_placed_in_a_district(world):
    liangxi = overview(region("320213"), Filters(), TODAY, TODAY)
    assert [(r.kind, r.name_zh) for r in liangxi.children] == [("enterprise", "甲化工")]
    assert counts(liangxi.children[0].figures) == A_TODAY


@pytest.mark.parametrize("filters, key, certified, on_job, hr, passed", [
    # post: a1 a2 a3 a4 a6 a9 a10 a12 a13 | b3 b4 | c1; certified a1 a3 a10 a13 b3 b4 c1
    (Filters(post="special_operations"), 12, 7, 12, 10, 3),
    (Filters(post="principal"), 2, 2, 2, 1, 0),          # a11, b1
    (Filters(post="safety_manager"), 2, 1, 2, 1, 1),     # a5 (passed), b2
    (Filters(post="other"), 0, 0, 3, 2, 0),             # a14, b5, c2 (failed)
    # category 1 (electricians): a2 revoked, a4 wrong sub-type, b4 certified
    (Filters(category="1"), 3, 1, 3, 2, 0),
    (Filters(category="2"), 9, 6, 9, 8, 3),
    (Filters(high_risk=True), 12, 7, 14, 14, 4),          # 甲 and 丙
    (Filters(high_risk=False), 4, 3, 5, 0, 0),            # 乙
    (Filters(industry="machinery"), 4, 3, 5, 0, 0),
    (Filters(industry="hazardous_chemicals"), 12, 7, 14, 14, 4),
    (Filters(industry="hazardous_chemicals", post="special_operations", category="2"), 8, 5, 8, 8, 3),
])
def test_each_filter_counts_its_slice_by_hand(world, filters, key, certified, on_job, hr, passed):
    total = overview(region("320000"), filters, TODAY, TODAY).total
    assert (total.key_on_job, total.certified, total.on_job, total.hr_on_job, total.hr_passed) == (
        key, certified, on_job, hr, passed)
    # The same slice worked out from the base tables (the as-of path, asked with another "today").
    from_base = overview(region("320000"), filters, TODAY, TODAY + timedelta(days=1))
    assert counts(from_base.total) == counts(total)


def test_the_enterprise_gap_list_puts_the_gaps_first(world):
    lines = people(world.orgs["a"], Filters(), TODAY, TODAY)
    label_of = {employment.id: label for label, employment in world.jobs.items()}
    ordered = [label_of[line.employment.id] for line in lines]
    assert sorted(ordered[:5]) == ["a12", "a2", "a4", "a6", "a9"]  # key posts without cover
    assert sorted(ordered[5:11]) == ["a1", "a10", "a11", "a13", "a3", "a5"]
    assert ordered[11:] == ["a14"]


def test_the_kept_figures_equal_a_full_recomputation(world):
    assert verify(TODAY).differences == []


# -- the calendar moves on ----------------------------------------------------------------------------

def test_the_certificate_expiring_today_no_longer_covers_tomorrow(world, clock):
    tomorrow = TODAY + timedelta(days=1)
    clock.set(noon(tomorrow))
    wuxi = overview(region("320200"), Filters(), tomorrow, tomorrow)  # catches the kept counts up
    assert fact_of(world, "a1").gap == "expired" and fact_of(world, "a1").certified == 0
    # a1 gone from certified and from every window; b3 (44 days) and b4 (79 days) remain.
    assert counts(wuxi.total) == figures(on_job=17, key=15, certified=8, overdue=1, e30=0, e60=1, e90=2,
                                         hr=12, passed=3)
    assert wuxi.total.certified_rate == 8 / 15
    assert counts(enterprise_figures(world.orgs["a"], Filters(), tomorrow, tomorrow))["certified"] == 5
    assert verify(tomorrow).differences == []


def test_a_past_day_is_worked_out_from_the_base_tables(world):
    """2026-06-15: a7 still employed, a14 not yet; a1 has exactly 30 days left; a2 already revoked."""
    day = date(2026, 6, 15)
    a_then = figures(on_job=12, key=12, certified=7, overdue=1, e30=1, e60=1, e90=1, hr=12, passed=3)
    b_then = figures(on_job=5, key=4, certified=3, overdue=0, e30=0, e60=0, e90=1, hr=0, passed=0)
    jiangsu_then = figures(on_job=19, key=17, certified=11, overdue=1, e30=1, e60=1, e90=2, hr=14, passed=4)
    jiangsu = overview(region("320000"), Filters(), day, TODAY)
    assert counts(jiangsu.total) == jiangsu_then
    assert jiangsu.total.certified_rate == 11 / 17 and jiangsu.total.pass_rate == 4 / 14
    assert jiangsu.total.training_rate is None  # training is not known for past days
    assert [counts(r.figures) for r in overview(region("320200"), Filters(), day, TODAY).children] == [
        b_then, a_then]
    assert counts(enterprise_figures(world.orgs["a"], Filters(), day, TODAY)) == a_then
    assert fact_of(world, "a7", day).certified == 1 and fact_of(world, "a14", day).on_job == 0


def test_suspension_and_the_old_assessment_on_a_day_in_april(world):
    """2026-04-15: a3 suspended, a2 not yet revoked, a10's 2025-05-01 pass still counts; a1 has 91
    days left (outside every window) and a13's certificate is followed by its replacement."""
    day = date(2026, 4, 15)
    assert fact_of(world, "a3", day).gap == "suspended"
    assert fact_of(world, "a2", day).certified == 1
    a_then = figures(on_job=12, key=12, certified=7, overdue=1, e30=0, e60=0, e90=0, hr=12, passed=4)
    assert counts(enterprise_figures(world.orgs["a"], Filters(), day, TODAY)) == a_then


def test_the_review_rule_change_splits_certificates_by_their_due_date(world):
    """Before 2026-03-01 a9 was covered; from 2026-03-02 its review is overdue; a10 never had one."""
    assert fact_of(world, "a9", date(2026, 3, 1)).certified == 1
    assert fact_of(world, "a9", date(2026, 3, 2)).gap == "review_overdue"
    assert fact_of(world, "a10", date(2026, 7, 2)).certified == 1
    assert fact_of(world, "a10", date(2029, 6, 30)).certified == 1
    assert fact_of(world, "a10", date(2029, 7, 1)).gap == "expired"


def test_a_replaced_certificate_covers_until_its_successor_starts(world):
    for day in (date(2026, 5, 19), date(2026, 5, 20), date(2026, 5, 31), date(2026, 6, 1)):
        fact = fact_of(world, "a13", day)
        assert fact.certified == 1 and fact.cover_until == date(2032, 5, 31), day
        assert fact.expiring_90 == 0


def test_an_imported_historical_certificate_counts_by_its_dates(world):
    assert fact_of(world, "a12", date(2020, 4, 30)).certified == 1
    assert fact_of(world, "a12", date(2020, 5, 1)).gap == "expired"
    assert fact_of(world, "a11").cover_until == date(2027, 8, 31)


def test_a_revoked_certificate_covers_until_the_day_before_its_revocation(world):
    assert fact_of(world, "a2", date(2026, 5, 9)).certified == 1
    assert fact_of(world, "a2", date(2026, 5, 10)).gap == "revoked"


def test_the_windows_count_the_days_left_by_hand(world):
    """b3 ends 2026-08-29: 45 days from today (60 and 90), 30 days from 2026-07-30 (all three)."""
    def windows(fact):
        return fact.expiring_30, fact.expiring_60, fact.expiring_90

    assert windows(fact_of(world, "b3")) == (0, 1, 1)
    assert windows(fact_of(world, "b3", date(2026, 7, 30))) == (1, 1, 1)
    assert windows(fact_of(world, "b3", date(2026, 7, 29))) == (0, 1, 1)  # 31 days left
    assert windows(fact_of(world, "b3", date(2026, 5, 31))) == (0, 0, 1)  # 90 days left
    assert windows(fact_of(world, "b3", date(2026, 5, 30))) == (0, 0, 0)  # 91 days left


def test_the_kept_facts_move_on_the_day_the_calendar_changes_them(world, clock):
    """b3 enters the 30-day window on 2026-07-30: the kept row names that day as its next change."""
    assert fact_of(world, "b3").next_change_on == date(2026, 7, 30)
    clock.set(noon(date(2026, 7, 30)))
    wuxi = overview(region("320200"), Filters(), date(2026, 7, 30), date(2026, 7, 30))
    # a1 expired on 07-15; b3 in all three windows, b4 (65 days) in the 90-day one.
    assert (wuxi.total.certified, wuxi.total.expiring_30, wuxi.total.expiring_60, wuxi.total.expiring_90) == (
        8, 1, 1, 2)
    assert verify(date(2026, 7, 30)).differences == []


def test_the_ended_employment_stops_counting_the_day_after_its_end(world):
    assert fact_of(world, "a7", date(2026, 6, 30)).on_job == 1
    assert fact_of(world, "a7", date(2026, 7, 1)).on_job == 0

