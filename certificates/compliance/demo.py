"""Demo data for the compliance pages: the certificates the demo enterprises held before the system
(imported with their dates), with a realistic few gaps of each kind, last year's retraining
assessments at the high-risk enterprises, and a year of monthly snapshots for the trend charts.

The certificate demo gives the demo enterprise its certificates; this one gives every other
enterprise theirs. The snapshots are taken at the demo's commit, once the kept figures have been
worked out from everything the demo receivers wrote (they run in no fixed order)."""

import itertools
import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import event, select

from certificates.dates import dates_for, next_review
from certificates.issuance import authority_name, certificate_type_for
from certificates.models import Certificate, CertificateEvent, CertificateSource, CertificateStatus
from courses.requirements import add_months
from exams.assessments.models import Assessment, AssessmentAssignment, AssessmentPurpose
from exams.models import Blueprint, BlueprintCell, QuestionBank, QuestionType
from lms.clock import local_tz
from lms.extensions import db
from lms.models import Employment, Organization, OrgKind, Post, Region

SEED = 20261201
#: Share of key-post employments left without a valid certificate, by city (Wuxi a little ahead).
GAP_SHARE = {"320200": 0.04, "320500": 0.12}
DEFAULT_GAP_SHARE = 0.09
#: The gaps left, taken in turn so that every kind shows: special-operations workers, and the
#: principal persons and safety managers (whose certificate has no review or sub-type).
SPECIAL_GAPS = ("expired", "wrong_subtype", "review_overdue", "none", "expired", "wrong_subtype")
OTHER_GAPS = ("none", "expired")
#: Certified staff whose certificate ends within 30, 60 and 90 days (shares of the certified).
EXPIRING = ((0.03, 5, 30), (0.03, 31, 60), (0.04, 61, 90))
#: Passing share of last year's retraining assessment, and the share of staff it missed.
PASS_SHARE, MISSED_SHARE = 0.9, 0.08
#: The last day the rules had a 3-yearly special-operations review (an overdue one is older).
LAST_REVIEW_DAY = date(2026, 5, 31)
CELLS = ((QuestionType.TRUE_FALSE, 10), (QuestionType.SINGLE, 10))


def init_app(app) -> None:
    """Add the compliance demo records when ``lms demo`` has loaded the rest."""
    from lms.signals import demo_finished

    demo_finished.connect(add_demo_compliance, weak=False)


def add_demo_compliance(_sender=None, *, today: date, **_kwargs) -> None:
    """Receiver of lms.signals.demo_finished: certificates and assessment results for the demo
    enterprises, then (at the demo's commit) twelve months of snapshots and this month's."""
    from courses.demo import DEMO_ENTERPRISE

    enterprises = db.session.scalars(select(Organization).where(
        Organization.kind == OrgKind.ENTERPRISE).order_by(Organization.id)).all()
    if not enterprises:
        return
    rng = random.Random(SEED)
    turns = {True: itertools.cycle(SPECIAL_GAPS), False: itertools.cycle(OTHER_GAPS)}
    cities = {r.id: r for r in db.session.scalars(select(Region))}
    for org in enterprises:
        city = _city(org.region, cities)
        if org.name != DEMO_ENTERPRISE:
            _certificates(rng, turns, org, city, today)
        if org.is_high_risk:
            _assessment(rng, org, today)
    db.session.flush()
    event.listen(db.session, "before_commit", _snapshots_at_commit(today), once=True)


def _city(region: Region, regions: dict[int, Region]) -> Region:
    """The city (prefecture) above a district: its bureau issues the certificates."""
    while region.parent_id is not None and regions[region.parent_id].parent_id is not None:
        region = regions[region.parent_id]
    return region


def _certificates(rng: random.Random, turns: dict, org: Organization, city: Region, today: date) -> None:
    share = GAP_SHARE.get(city.code, DEFAULT_GAP_SHARE)
    jobs = db.session.scalars(select(Employment).where(
        Employment.organization_id == org.id,
        Employment.post.in_([Post.PRINCIPAL, Post.SAFETY_MANAGER, Post.SPECIAL_OPERATIONS]))
        .order_by(Employment.id)).all()
    for row, job in enumerate(jobs, start=1):
        if rng.random() < share:
            _gap(rng, job, next(turns[job.post is Post.SPECIAL_OPERATIONS]), city, today, row)
        else:
            _valid(rng, job, city, today, row)


def _valid(rng: random.Random, job: Employment, city: Region, today: date, row: int) -> None:
    """A certificate in force today; a few end within the 30/60/90-day windows."""
    draw, low = rng.random(), 0.0
    for share, first, last in EXPIRING:
        if low <= draw < low + share:
            _issue_to_end(job, city, today + timedelta(days=rng.randint(first, last)), today, row)
            return
        low += share
    years = _validity(job, city, today)
    issued = today - timedelta(days=rng.randrange(60, 365 * years - 120))
    _imported(job, job.operation_subtype, issued, city, today, row)


def _validity(job: Employment, city: Region, day: date) -> int:
    kind = certificate_type_for(job.operation_subtype)
    dates = dates_for(kind, day, city)
    return round((dates.expires_on - day).days / 365.25)


def _issue_to_end(job: Employment, city: Region, last_day: date, today: date, row: int) -> None:
    """A certificate whose last day is ``last_day``: issued one validity period before it."""
    years = _validity(job, city, last_day)
    issued = add_months(last_day + timedelta(days=1), -12 * years)
    _imported(job, job.operation_subtype, issued, city, today, row)


def _gap(rng: random.Random, job: Employment, kind: str, city: Region, today: date, row: int) -> None:
    special = job.post is Post.SPECIAL_OPERATIONS
    if kind == "expired" or (kind == "review_overdue" and not special):
        years = _validity(job, city, today)
        issued = today - timedelta(days=365 * years + rng.randrange(30, 700))
        _imported(job, job.operation_subtype, issued, city, today, row)
    elif kind == "review_overdue":
        # Issued three years and a little before the review was abolished, the review never done.
        issued = add_months(min(today, LAST_REVIEW_DAY), -36) - timedelta(days=rng.randrange(5, 150))
        _imported(job, job.operation_subtype, issued, city, today, row, review_done=False)
    elif kind == "wrong_subtype" and special:
        from lms.demo import DEFAULT_SUBTYPES, INDUSTRY_SUBTYPES

        usual = INDUSTRY_SUBTYPES.get(job.organization.industry, DEFAULT_SUBTYPES) + DEFAULT_SUBTYPES
        others = [s for s in usual if s != job.operation_subtype]
        issued = today - timedelta(days=rng.randrange(200, 1000))
        _imported(job, rng.choice(sorted(set(others))), issued, city, today, row)
    # "none": no certificate on file at all.


def _imported(job: Employment, subtype: str | None, issued: date, city: Region, today: date, row: int,
              *, review_done: bool = True) -> Certificate:
    """A certificate as the certificate import writes it, with its reviews up to ``today`` done."""
    kind = certificate_type_for(subtype)
    dates = dates_for(kind, issued, city)
    number = "T" + job.person.id_number if subtype else f"AQ{city.code}{issued.year}{job.person_id:06d}"
    cert = Certificate(cert_type=kind, status=CertificateStatus.ISSUED, source=CertificateSource.IMPORT,
                       number=number, person_id=job.person_id, employment_id=job.id, post=job.post.value,
                       operation_category=subtype.split(".")[0] if subtype else None,
                       operation_subtype=subtype,
                       pass_key=f"demo-compliance:{job.id}", issued_on=issued, expires_on=dates.expires_on,
                       next_review_on=dates.next_review_on, issuing_authority=authority_name(city),
                       rule_versions={})
    db.session.add(cert)
    db.session.flush()
    db.session.add(CertificateEvent(
        certificate_id=cert.id, kind="imported", on=today, reason="",
        data={"source": "demo", "row": row, "issued_on": issued.isoformat(),
              "expires_on": dates.expires_on.isoformat(),
              "next_review_on": dates.next_review_on.isoformat() if dates.next_review_on else None,
              "issuing_authority": cert.issuing_authority}))
    while review_done and cert.next_review_on is not None and cert.next_review_on < today:
        due = cert.next_review_on
        following, _versions = next_review(due, cert.expires_on, city)
        db.session.add(CertificateEvent(certificate_id=cert.id, kind="reviewed", on=due - timedelta(days=20),
                                        reason="", data={"source": "demo", "due": due.isoformat(),
                                                         "next_review_on": following.isoformat()
                                                         if following else None}))
        cert.next_review_on = following
    return cert


def _assessment(rng: random.Random, org: Organization, today: date) -> None:
    """Last year's annual retraining assessment of the enterprise, handed in by most of its staff
    on the job, most of them passing."""
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == "JS-PRACTICE"))
    if bank is None:
        return
    blueprint = Blueprint(code=f"DEMO-AR-{org.id}", name="年度安全再培训考核（20题）", exam_kind="custom",
                          organization_id=org.id, duration_minutes=30, pass_mark=80,
                          points={QuestionType.TRUE_FALSE.value: 5, QuestionType.SINGLE.value: 5},
                          cells=[BlueprintCell(qtype=qtype, count=count) for qtype, count in CELLS])
    db.session.add(blueprint)
    db.session.flush()
    held_on = today - timedelta(days=rng.randrange(60, 240))
    opens = datetime.combine(held_on, time(9), tzinfo=local_tz())
    assessment = Assessment(enterprise_id=org.id, title=f"{held_on.year}年度安全生产再培训考核",
                            purpose=AssessmentPurpose.ANNUAL_RETRAINING, bank_id=bank.id,
                            blueprint_id=blueprint.id, opens_at=opens, closes_at=opens + timedelta(days=7),
                            time_limit_minutes=30, pass_percent=80)
    db.session.add(assessment)
    db.session.flush()
    staff = db.session.scalars(select(Employment).where(
        Employment.organization_id == org.id, Employment.start_date <= held_on,
        Employment.is_on_the_job.is_(True)).order_by(Employment.id)).all()
    seen: set[int] = set()
    for job in staff:
        if job.person_id in seen or rng.random() < MISSED_SHARE:
            continue
        seen.add(job.person_id)
        score = float(rng.randrange(82, 101, 2) if rng.random() < PASS_SHARE else rng.randrange(50, 80, 2))
        handed_in = opens + timedelta(days=rng.randrange(7), minutes=rng.randrange(20, 300))
        db.session.add(AssessmentAssignment(assessment_id=assessment.id, person_id=job.person_id,
                                            employment_id=job.id, score=score, passed=score >= 80,
                                            completed_at=handed_in))


def _snapshots_at_commit(today: date):
    """A before_commit hook, run once: the session hooks have just worked the figures out."""

    def take(_session) -> None:
        from certificates.compliance.snapshots import snapshot_as_of, take_snapshot
        from certificates.compliance.summaries import needs_catch_up

        start = today.replace(day=1)
        for months in range(12, 0, -1):
            snapshot_as_of(add_months(start, -months))
        if needs_catch_up(today):
            snapshot_as_of(today)
        else:
            take_snapshot(today)

    return take

