"""Benchmark the compliance figures: drill-down reads from the kept counts, their upkeep, equality
with a recomputation and the streamed export, on generated data.

Run from the repository root:  .venv/bin/python benchmarks/compliance.py [--db sqlite|postgresql|both]
    [--employments 1000000] [--enterprises 20000] [--runs 200] [--keep]

For each database it generates the regions of lms/data/regions.json, N enterprises spread over the
Jiangsu and Anhui districts (industries, about a third high-risk), and M employments (principals,
safety managers, special operations with categories and sub-types, other posts; some ended, not yet
started or on leave; a few people hold two posts), certificates for most key-post staff with varied
dates and states (expired, review overdue, revoked, suspended and reinstated, wrong sub-type) and
enterprise assessment results at the high-risk enterprises. Rows go in with one executemany per
batch (SQLite) or COPY (PostgreSQL). The kept figures are then built with rebuild_all.

Measured: p50/p95/p99 of the regional overview (province, city, district; no filter and one
filter; a district's first and last page of enterprises), a typical enterprise's gap list, the
first and last page of the largest enterprise's, and the furthest enterprises of the province and
a district; a plain GROUP BY over the base tables with a covering index for the province (and the
ratio to the kept read, same run); the commit of one revoked certificate and of one added
employment (the session hooks recompute the figures); the province's kept counts against a GROUP BY
over the fact rows and against a recomputation (verify(): the whole database up to --full-verify
employments, else every person of a random sample of enterprises); and the streamed CSV export of
every on-the-job employment in a subprocess (peak RSS, rows/s). Targets: p95 <= 20 ms for the
overview and each drill-down level, export under 300 MB. Not a test: it prints figures.

SQLite: a file under /tmp (kept with --keep, reused when it holds the same sizes). PostgreSQL: the
scratch database bench_compliance at 127.0.0.1:5432 (created and dropped here; --keep leaves it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SQLITE_FILE = Path("/tmp/bench_compliance.db")
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
PG_NAME = "bench_compliance"
BATCH = 50_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "安平国强建军明华伟芳敏静丽磊洋勇艳杰娟涛超"


# -- databases -------------------------------------------------------------------------------------

def _pg_admin(statement: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(statement)


def _pg_exists() -> bool:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_NAME,)).fetchone() is not None


def _url(kind: str) -> str:
    return f"sqlite:///{SQLITE_FILE}" if kind == "sqlite" else PG_SERVER + PG_NAME


def _fresh(kind: str, keep: bool) -> bool:
    """Prepare an empty database unless --keep finds one; True when data must be generated."""
    if kind == "sqlite":
        if keep and SQLITE_FILE.exists():
            return False
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        return True
    if keep and _pg_exists():
        return False
    _pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {PG_NAME}")
    return True


def _drop(kind: str) -> None:
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    else:
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")


def _app(kind: str):
    from lms import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": _url(kind), "SECRET_KEY": "bench", "TESTING": True})


# -- generation -------------------------------------------------------------------------------------

def _chunks(rows, size: int = BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _put(model, columns: tuple[str, ...], rows) -> int:
    from certificates.compliance.bulk import insert_rows

    count = 0
    for batch in _chunks(rows):
        insert_rows(model.__table__, columns, batch)
        count += len(batch)
    return count


def _subtypes() -> list[tuple[str, str]]:
    data = json.loads((ROOT / "lms/data/operation_categories.json").read_text(encoding="utf-8"))
    return [(c["code"], s["code"]) for c in data["categories"] for s in c["subtypes"]]


def _industries() -> list[tuple[str, bool]]:
    data = json.loads((ROOT / "lms/data/industries.json").read_text(encoding="utf-8"))
    return [(i["code"], bool(i["high_risk"])) for i in data]


def _sizes(rng: random.Random, total: int, parts: int) -> list[int]:
    """Employments per enterprise: a long tail (a few large plants, many small firms), summing to total."""
    weights = [rng.paretovariate(1.6) for _ in range(parts)]
    scale = (total - 3 * parts) / sum(weights)
    sizes = [3 + int(w * scale) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % parts] += 1
    return sizes


def generate(employments: int, enterprises: int, today: date, phases: list) -> None:
    """Insert the generated world; each phase's time goes to ``phases``."""
    from sqlalchemy import select, text

    from certificates.models import Certificate, CertificateEvent
    from exams.assessments.models import Assessment, AssessmentAssignment
    from exams.models import Blueprint, QuestionBank
    from lms.extensions import db
    from lms.models import Employment, Organization, Person, Region
    from lms.regions import seed_regions
    from lms.rules import seed_rules

    rng = random.Random(20261129)
    started = time.perf_counter()
    db.create_all()
    seed_regions()
    seed_rules()
    db.session.commit()
    districts = list(db.session.scalars(
        select(Region.id).where(Region.level == "district").order_by(Region.code)))
    industries = _industries()
    hazardous = [i for i in industries if i[1]]
    ordinary = [i for i in industries if not i[1]]
    orgs = []
    for i in range(1, enterprises + 1):
        industry, high_risk = rng.choice(hazardous if rng.random() < 0.33 else ordinary)
        orgs.append((i, "enterprise", f"企业{i:05d}有限公司", f"BENCH{i:010d}", rng.choice(districts),
                     industry, high_risk))
    _put(Organization, ("id", "kind", "name", "code", "region_id", "industry", "is_high_risk"), orgs)
    db.session.commit()
    phases.append(("regions, rules and enterprises", time.perf_counter() - started))

    started = time.perf_counter()
    subtypes = _subtypes()
    people, jobs = [], []
    sizes = _sizes(rng, employments, enterprises)
    for org_id, size in zip(range(1, enterprises + 1), sizes, strict=True):
        managers = 1 + (size > 40) + (size > 200)
        special = int(size * rng.uniform(0.1, 0.3))
        for slot in range(size):
            post = ("principal" if slot == 0 else "safety_manager" if slot <= managers
                    else "special_operations" if slot <= managers + special else "other")
            if people and rng.random() < 0.02:  # a second post of someone elsewhere
                person_id = rng.randrange(1, len(people) + 1)
            else:
                person_id = len(people) + 1
                born = date(1965 + rng.randrange(35), 1 + rng.randrange(12), 1 + rng.randrange(28))
                people.append((person_id, f"{person_id:017d}X", rng.choice(SURNAMES) + rng.choice(GIVEN)
                               + rng.choice(GIVEN), born))
            jobs.append(_employment(rng, len(jobs) + 1, person_id, org_id, post, subtypes, today))
    phases.append(("people and employments generated in memory", time.perf_counter() - started))
    started = time.perf_counter()
    _put(Person, ("id", "id_number", "name", "birth_date"), people)
    del people
    _put(Employment, ("id", "person_id", "organization_id", "post", "operation_category", "operation_subtype",
                      "start_date", "end_date", "is_on_the_job"), jobs)
    db.session.commit()
    phases.append((f"insert {len(jobs):,} employments and their people", time.perf_counter() - started))

    started = time.perf_counter()
    certs, events = _certificates(rng, jobs, subtypes, today)
    _put(Certificate, ("id", "cert_type", "status", "source", "number", "generation", "person_id",
                       "employment_id", "post", "operation_category", "operation_subtype", "pass_key",
                       "issued_on", "expires_on", "next_review_on", "reissue_count", "rule_versions",
                       "created_at"), certs)
    _put(CertificateEvent, ("certificate_id", "kind", "on", "at", "reason", "rule_versions", "data"), events)
    db.session.commit()
    phases.append((f"insert {len(certs):,} certificates, {len(events):,} events",
                   time.perf_counter() - started))

    started = time.perf_counter()
    bank = QuestionBank(code="BENCH-P", name="练习题库", purpose="practice", organization_id=1)
    blueprint = Blueprint(code="BENCH-B", name="考核组卷", exam_kind="assessment", organization_id=1,
                          duration_minutes=60, pass_mark=80)
    db.session.add_all([bank, blueprint])
    db.session.flush()
    high = {o[0] for o in orgs if o[6]}
    opens = datetime.combine(today - timedelta(days=600), datetime.min.time(), UTC)
    closes = opens + timedelta(days=700)
    assessments = [(org_id, "年度考核", "annual_retraining", bank.id, blueprint.id, opens, closes, 60, 80.0,
                    "scheduled", opens) for org_id in sorted(high)]
    _put(Assessment, ("enterprise_id", "title", "purpose", "bank_id", "blueprint_id", "opens_at", "closes_at",
                      "time_limit_minutes", "pass_percent", "status", "created_at"), assessments)
    assessment_of = dict(db.session.execute(select(Assessment.enterprise_id, Assessment.id)).all())
    results = []
    for job in jobs:
        if job[2] in high and rng.random() < 0.7:
            done = datetime.combine(today - timedelta(days=rng.randrange(1, 540)), datetime.min.time(), UTC)
            passed = rng.random() < 0.88
            results.append((assessment_of[job[2]], job[1], job[0], 90.0 if passed else 45.0, passed,
                            done + timedelta(hours=2)))
    _put(AssessmentAssignment, ("assessment_id", "person_id", "employment_id", "score", "passed",
                                "completed_at"), _unique_sittings(results))
    db.session.commit()
    phases.append((f"insert {len(results):,} assessment results", time.perf_counter() - started))
    if db.engine.dialect.name == "postgresql":
        for table in ("organizations", "people", "employments", "certificates"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _unique_sittings(results: list[tuple]):
    seen = set()
    for row in results:
        if (row[0], row[1]) not in seen:  # one sitting per person and assessment
            seen.add((row[0], row[1]))
            yield row


def _employment(rng, job_id, person_id, org_id, post, subtypes, today) -> tuple:
    category = subtype = None
    if post == "special_operations":
        category, subtype = rng.choice(subtypes)
    start = today - timedelta(days=rng.randrange(30, 3650))
    end = None
    draw = rng.random()
    if draw < 0.02:
        start = today + timedelta(days=rng.randrange(1, 60))  # hired, not started yet
    elif draw < 0.08:
        end = start + timedelta(days=rng.randrange(1, max(2, (today - start).days)))  # left
    elif draw < 0.10:
        end = today + timedelta(days=rng.randrange(0, 180))  # leaving soon
    return (job_id, person_id, org_id, post, category, subtype, start, end, rng.random() > 0.03)


def _certificates(rng, jobs, subtypes, today):
    """Certificates for most key-post employments, with varied dates and lifecycle events."""
    certs, events = [], []
    at = datetime.now(UTC)
    for job in jobs:
        job_id, person_id, _org, post, category, subtype = job[:6]
        if post == "other" or rng.random() > 0.88:
            continue
        cert_id = len(certs) + 1
        special = post == "special_operations"
        if special and rng.random() < 0.04:
            category, subtype = rng.choice(subtypes)  # wrong sub-type
        issued = today - timedelta(days=rng.randrange(0, 7 * 365 if special else 4 * 365))
        expires = issued + timedelta(days=(6 if special else 3) * 365)
        review = None
        if special:
            review = issued + timedelta(days=3 * 365)
            if review < today and rng.random() < 0.9:
                review = expires  # reviewed on time
        status = "issued"
        draw = rng.random()
        if draw < 0.02:
            status = "revoked"
            events.append((cert_id, "revoked", _between(rng, issued, today), at, "bench", {}, {}))
        elif draw < 0.03:
            status = "suspended"
            events.append((cert_id, "suspended", _between(rng, issued, today), at, "bench", {}, {}))
        elif draw < 0.04:
            paused = _between(rng, issued, today)
            events.append((cert_id, "suspended", paused, at, "bench", {}, {}))
            events.append((cert_id, "reinstated", _between(rng, paused, today), at, "bench", {}, {}))
        certs.append((cert_id, "special_ops" if special else "safety_qualification", status, "exam",
                      f"B{cert_id:09d}", 0, person_id, job_id, post, category if special else None,
                      subtype if special else None, f"bench:{cert_id}", issued, expires, review, 0, {}, at))
    return certs, events


def _between(rng, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange(0, max(1, (last - first).days + 1)))


# -- measuring ----------------------------------------------------------------------------------------

def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def _time(fn, runs: int) -> list[float]:
    """Milliseconds of each call; a new transaction for each, as a request would have (objects
    read before are expired and read again, as a request finds its region)."""
    from lms.extensions import db

    fn()
    db.session.rollback()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return samples


def _baseline_index() -> None:
    """The covering indexes a plain GROUP BY over the base tables would use."""
    from sqlalchemy import text

    from lms.extensions import db

    db.session.execute(text("CREATE INDEX IF NOT EXISTS bench_employments_cover ON employments "
                            "(organization_id, post, is_on_the_job, start_date, end_date)"))
    db.session.execute(text("CREATE INDEX IF NOT EXISTS bench_organizations_cover ON organizations "
                            "(region_id, id, industry, is_high_risk)"))
    db.session.execute(text("CREATE INDEX IF NOT EXISTS bench_facts_cover ON compliance_facts "
                            f"(organization_id, post, category, {', '.join(_measures())})"))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _measures() -> tuple[str, ...]:
    from certificates.compliance.models import MEASURES

    return MEASURES


def _baseline_query(region, today: date):
    """Key-post and all employments on the job per industry, high-risk flag and post, straight from
    the employments: the plain GROUP BY the kept counts replace."""
    from sqlalchemy import case, func, or_, select

    from lms.models import Employment, Organization, Post, Region

    key = case((Employment.post != Post.OTHER, 1), else_=0)
    return (select(Organization.industry, Organization.is_high_risk, Employment.post,
                   func.count().label("on_job"), func.sum(key).label("key_on_job"))
            .join(Organization, Organization.id == Employment.organization_id)
            .where(Organization.region_id.in_(select(Region.id).where(Region.path.startswith(region.path))),
                   Employment.is_on_the_job.is_(True), Employment.start_date <= today,
                   or_(Employment.end_date.is_(None), Employment.end_date >= today))
            .group_by(Organization.industry, Organization.is_high_risk, Employment.post))


def _fact_group_by(region):
    """The province's counts summed straight from the fact rows."""
    from sqlalchemy import func, select

    from certificates.compliance.models import ComplianceFact
    from lms.models import Organization, Region

    keys = (Organization.industry, Organization.is_high_risk, ComplianceFact.post, ComplianceFact.category)
    return (select(*keys, *[func.sum(getattr(ComplianceFact, m)).label(m) for m in _measures()])
            .join(Organization, Organization.id == ComplianceFact.organization_id)
            .where(Organization.region_id.in_(select(Region.id).where(Region.path.startswith(region.path))))
            .group_by(*keys))


def measure_reads(today: date, runs: int, out: list) -> None:
    """Percentiles of each drill-down read and of the base-table GROUP BY."""
    from sqlalchemy import func, select

    from certificates.compliance import rates
    from certificates.compliance.rates import Filters
    from lms.extensions import db
    from lms.models import Employment, Organization
    from lms.regions import region_by_code

    province, city, district = (region_by_code(c) for c in ("320000", "320200", "320213"))
    one = Filters(industry="hazardous_chemicals")
    sizes = db.session.execute(select(Employment.organization_id, func.count()).join(
        Organization, Organization.id == Employment.organization_id).where(
        Organization.region_id == district.id).group_by(Employment.organization_id)
        .order_by(func.count(), Employment.organization_id)).all()
    typical, largest = sizes[len(sizes) // 2], sizes[-1]
    typical_org = db.session.get(Organization, typical[0])
    largest_org = db.session.get(Organization, largest[0])
    cases = [
        ("overview, province, no filter", lambda: rates.overview(province, Filters(), today, today)),
        ("overview, province, industry filter", lambda: rates.overview(province, one, today, today)),
        ("overview, city, no filter", lambda: rates.overview(city, Filters(), today, today)),
        ("overview, city, industry filter", lambda: rates.overview(city, one, today, today)),
        (f"overview, district ({len(sizes)} enterprises), first page by name",
         lambda: rates.overview(district, Filters(), today, today)),
        ("overview, district, last page, lowest rate first",
         lambda: rates.overview(district, Filters(), today, today,
                                rates.Paging(page=-(-len(sizes) // 50), sort="certified_rate"))),
        ("overview, district, industry filter (summed, then paged)",
         lambda: rates.overview(district, one, today, today)),
        (f"people of one enterprise ({typical[1]} employments)",
         lambda: rates.people(typical_org, Filters(), today, today)),
        (f"gap list of the district's largest enterprise ({largest[1]} employments), first page",
         lambda: rates.people_page(largest_org, Filters(), "all", rates.Paging(per_page=100), today)),
        ("the same gap list, last page",
         lambda: rates.people_page(largest_org, Filters(), "all",
                                   rates.Paging(page=-(-largest[1] // 100), per_page=100), today)),
        ("furthest_enterprises of the province",
         lambda: rates.furthest_enterprises(province, Filters(), today)),
        ("furthest_enterprises of the district",
         lambda: rates.furthest_enterprises(district, Filters(), today)),
    ]
    kept_province = None
    for name, fn in cases:
        samples = _time(fn, runs)
        out.append((name, *_percentiles(samples)))
        if kept_province is None:
            kept_province = statistics.median(samples)
    _baseline_index()
    baseline = _time(lambda: db.session.execute(_baseline_query(province, today)).all(), max(20, runs // 10))
    out.append(("baseline: GROUP BY over employments (covering index), province", *_percentiles(baseline)))
    facts = _time(lambda: db.session.execute(_fact_group_by(province)).all(), max(20, runs // 10))
    out.append(("reference: GROUP BY over the fact rows (covering index), province", *_percentiles(facts)))
    out.append(("ratio baseline p50 / kept province overview p50",
                statistics.median(baseline) / kept_province, None, None))


def measure_upkeep(today: date, runs: int, out: list) -> None:
    """Commits that revoke one certificate, and that add one employment."""
    from sqlalchemy import func, select

    from certificates.models import Certificate, CertificateEvent, CertificateStatus
    from lms.extensions import db
    from lms.models import Employment, Organization

    rng = random.Random(7)
    ids = list(db.session.scalars(select(Certificate.id).where(
        Certificate.status == CertificateStatus.ISSUED, Certificate.expires_on > today)
        .order_by(func.random()).limit(runs)))
    revoke = []
    for cert_id in ids:
        cert = db.session.get(Certificate, cert_id)
        started = time.perf_counter()
        cert.status = CertificateStatus.REVOKED
        db.session.add(CertificateEvent(certificate_id=cert.id, kind="revoked", on=today, reason="bench"))
        db.session.commit()
        revoke.append((time.perf_counter() - started) * 1000)
        db.session.expunge_all()
    out.append(("commit: revoke one certificate (figures kept in the same transaction)",
                *_percentiles(revoke)))
    people = list(db.session.scalars(select(Employment.person_id).order_by(func.random()).limit(runs)))
    orgs = db.session.scalar(select(func.max(Organization.id)))
    add = []
    for person_id in people:
        started = time.perf_counter()
        db.session.add(Employment(person_id=person_id, organization_id=rng.randrange(1, orgs + 1),
                                  post="special_operations", operation_category="1", operation_subtype="1.1",
                                  start_date=today - timedelta(days=3), is_on_the_job=True))
        db.session.commit()
        add.append((time.perf_counter() - started) * 1000)
        db.session.expunge_all()
    out.append(("commit: add one employment", *_percentiles(add)))


def check_equality(today: date, full_limit: int, sample: int, out: list, notes: list) -> None:
    """The province's kept counts against the fact rows, and the facts against a recomputation."""
    from sqlalchemy import func, select

    from certificates.compliance.models import RegionCounts
    from certificates.compliance.verify import verify
    from lms.extensions import db
    from lms.models import Employment
    from lms.regions import region_by_code

    province = region_by_code("320000")
    kept = {}
    for row in db.session.scalars(select(RegionCounts).where(RegionCounts.region_id == province.id)):
        key = (row.industry, bool(row.high_risk), row.post, row.category)
        kept[key] = tuple(getattr(row, m) for m in _measures())
    summed = {}
    for row in db.session.execute(_fact_group_by(province)):
        values = tuple(int(getattr(row, m)) for m in _measures())
        if any(values):
            summed[(row.industry or "", bool(row.is_high_risk), row.post, row.category)] = values
    kept = {k: v for k, v in kept.items() if any(v)}
    notes.append(f"province kept counts vs GROUP BY over compliance_facts: "
                 f"{'equal' if kept == summed else 'DIFFERENT'} ({len(kept)} rows)")
    employments = db.session.scalar(select(func.count()).select_from(Employment))
    started = time.perf_counter()
    if employments <= full_limit:
        report = verify(today)
        db.session.commit()
        notes.append(f"verify() over all {report.employments:,} employments: "
                     f"{'ok' if report.ok else f'{len(report.differences)} differences'}")
        out.append(("verify(), whole database (once)", (time.perf_counter() - started) * 1000, None, None))
        return
    checked, differences = _sampled_verify(today, sample)
    found = "no difference" if not differences else f"{len(differences)} differences: {differences[:3]}"
    notes.append(f"verify() is not run at {employments:,} employments (above --full-verify); recomputed "
                 f"instead every person of {sample} random enterprises ({checked:,} facts) and their "
                 f"enterprise counts: {found}")
    out.append((f"recomputation of {sample} random enterprises' people and counts (once)",
                (time.perf_counter() - started) * 1000, None, None))


def _sampled_verify(today: date, sample: int) -> tuple[int, list[str]]:
    """verify()'s fact comparison for every person of a sample of enterprises, and their counts."""
    from sqlalchemy import select

    from certificates.compliance.facts import RULE_KEYS, Inputs, facts_on
    from certificates.compliance.models import ComplianceFact, OrgCounts
    from certificates.compliance.summaries import GROUP_SIZE
    from certificates.compliance.verify import Report, _compare_fact
    from lms.extensions import db
    from lms.models import Employment, Organization
    from lms.rules import RuleTable

    rng = random.Random(11)
    org_ids = sorted(rng.sample(list(db.session.scalars(select(Organization.id))), sample))
    people = sorted(set(db.session.scalars(select(Employment.person_id).where(
        Employment.organization_id.in_(org_ids)))))
    rules = RuleTable.load(RULE_KEYS)
    report, checked = Report(), 0
    for start in range(0, len(people), GROUP_SIZE):
        group = people[start:start + GROUP_SIZE]
        stored = {r.employment_id: r for r in db.session.execute(
            select(ComplianceFact.__table__).where(ComplianceFact.person_id.in_(group)))}
        for fact in facts_on(Inputs.load(group), today, rules):
            _compare_fact(report, fact, stored.get(fact.employment_id))
            checked += 1
    sums: dict[tuple, Counter] = defaultdict(Counter)
    for row in db.session.execute(select(ComplianceFact.__table__).where(
            ComplianceFact.organization_id.in_(org_ids))):
        sums[(row.organization_id, row.post, row.category)].update({m: getattr(row, m) for m in _measures()})
    kept = {(r.organization_id, r.post, r.category): r for r in db.session.scalars(
        select(OrgCounts).where(OrgCounts.organization_id.in_(org_ids)))}
    for key in set(sums) | set(kept):
        for name in _measures():
            have = getattr(kept[key], name) if key in kept else 0
            if have != sums.get(key, Counter()).get(name, 0):
                report.differences.append(f"enterprise counts {key}: {name}")
    db.session.rollback()
    return checked, report.differences


EXPORT_SCRIPT = """
import resource, sys, time
sys.path.insert(0, {root!r})
from lms import create_app
from lms.clock import today
app = create_app({{"SQLALCHEMY_DATABASE_URI": {url!r}, "SECRET_KEY": "bench", "TESTING": True}})
with app.test_request_context():
    from certificates.compliance.exports import person_rows, write_csv
    from certificates.compliance.rates import Filters
    from lms.regions import region_by_code
    day = today()
    count = 0
    def counted(rows):
        global count
        for row in rows:
            count += 1
            yield row
    started = time.perf_counter()
    with open({out!r}, "wb") as out:
        for code in ("320000", "340000"):
            write_csv(counted(person_rows(region_by_code(code), Filters(), day, day)), out)
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print(count, time.perf_counter() - started, peak)
"""


def measure_export(kind: str, out: list, notes: list) -> None:
    """Stream every on-the-job employment (both provinces) to a CSV file in a subprocess."""
    target = Path(f"/tmp/bench_compliance_{kind}.csv")
    script = EXPORT_SCRIPT.format(root=str(ROOT), url=_url(kind), out=str(target))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        notes.append("export not measured: " + done.stderr.strip().splitlines()[-1])
        return
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rows, seconds, own = done.stdout.split()
    rows, seconds = int(rows), float(seconds)
    out.append((f"CSV export of {rows:,} rows, both provinces (subprocess)", seconds * 1000, None, None))
    out.append(("  rows per second", rows / seconds, None, None))
    out.append(("  peak RSS of the export process (its VmHWM), MB", int(own) / 1024, None, None))
    caveat = "" if children > before else ", not above an earlier child"
    out.append((f"  ru_maxrss of RUSAGE_CHILDREN, MB (counts this process's pages at the fork{caveat})",
                children / 1024, None, None))
    notes.append(f"export file {target.stat().st_size / 2**20:.0f} MB")
    target.unlink(missing_ok=True)


# -- driver ---------------------------------------------------------------------------------------------

def run(kind: str, args) -> None:
    """Generate (or reuse), build, measure and print one database's figures."""
    if args.export_only:
        out, notes = [], []
        measure_export(kind, out, notes)
        _print(kind, args, [], out, notes)
        return
    fresh = _fresh(kind, args.keep)
    app = _app(kind)
    phases, out, notes = [], [], []
    with app.test_request_context():
        from certificates.compliance.summaries import rebuild_all
        from lms.clock import today
        from lms.extensions import db

        day = today()
        if not fresh and not _same_sizes(args):
            db.session.remove()
            db.engine.dispose()
            _drop(kind)
            fresh = _fresh(kind, False)
        if fresh:
            generate(args.employments, args.enterprises, day, phases)
        started = time.perf_counter()
        written = rebuild_all(day)
        db.session.commit()
        phases.append((f"rebuild_all: {written:,} facts and their counts", time.perf_counter() - started))
        steps = [("reads", lambda: measure_reads(day, args.runs, out)),
                 ("upkeep", lambda: measure_upkeep(day, args.upkeep_runs, out)),
                 ("equality", lambda: check_equality(day, args.full_verify, args.sample, out, notes))]
        for name, step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001  (report it and go on with the other figures)
                notes.append(f"{name} failed: {exc!r}")
                db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    measure_export(kind, out, notes)
    _print(kind, args, phases, out, notes)
    if not args.keep:
        _drop(kind)


def _same_sizes(args) -> bool:
    """True when a kept database holds the sizes asked for (the upkeep runs add a few employments)."""
    from sqlalchemy import func, inspect, select

    from lms.extensions import db
    from lms.models import Employment, Organization

    if not inspect(db.engine).has_table("compliance_facts"):
        return False
    orgs = db.session.scalar(select(func.count()).select_from(Organization))
    employments = db.session.scalar(select(func.count()).select_from(Employment))
    db.session.rollback()
    return orgs == args.enterprises and args.employments <= employments <= args.employments * 1.05


def _print(kind: str, args, phases: list, out: list, notes: list) -> None:
    print(f"\n== {kind}: {args.employments:,} employments, {args.enterprises:,} enterprises, "
          f"load average {os.getloadavg()[0]:.1f}")
    for name, seconds in phases:
        print(f"  {name:<66} {seconds:9.1f} s")
    width = max(len(r[0]) for r in out)
    print(f"  {'measure'.ljust(width)}  {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}")
    for name, p50, p95, p99 in out:
        cells = [f"{v:9.2f}" if v is not None else " " * 9 for v in (p50, p95, p99)]
        print(f"  {name.ljust(width)}  {' '.join(cells)}")
    for note in notes:
        print(f"  - {note}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--employments", type=int, default=1_000_000)
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--upkeep-runs", type=int, default=100)
    parser.add_argument("--full-verify", type=int, default=2_000_000,
                        help="run verify() over everything up to this many employments")
    parser.add_argument("--sample", type=int, default=500, help="enterprises recomputed above that")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the generated databases")
    parser.add_argument("--export-only", action="store_true", help="only the export, on a kept database")
    args = parser.parse_args(argv)
    for kind in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        if kind == "postgresql" and not _pg_reachable():
            print("\n== postgresql: skipped, no server at 127.0.0.1:5432")
            continue
        run(kind, args)


def _pg_reachable() -> bool:
    import psycopg

    try:
        _pg_exists()
    except psycopg.OperationalError:
        return False
    return True


if __name__ == "__main__":
    main()
