"""Work every compliance fact out again in large groups and write the facts, and the counts summed
from them, in a few bulk statements: the full rebuild, which row-by-row upkeep would take hours for
at a million employments.

The facts come from the same ``facts_on`` as the incremental upkeep; only the loading (plain rows
by ranges of person ids instead of ORM objects by lists of ids) and the writing (one statement per
group, COPY on PostgreSQL) differ, so the rows written are the rows ``refresh_people`` would write.
"""

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import JSON, delete, select, text

from certificates.compliance.facts import _ENDING, _RESTORING, RULE_KEYS, Fact, Inputs, facts_on
from certificates.compliance.models import MEASURES, ComplianceFact, OrgCounts, OrgTotals, RegionCounts
from certificates.compliance.summaries import _FACT_COLUMNS, rebuild_totals, roll_up
from certificates.models import Certificate, CertificateEvent, CertificateStatus
from exams.assessments.models import Assessment, AssessmentAssignment
from lms.clock import local_date, local_tz
from lms.extensions import db
from lms.models import Employment, Organization
from lms.rules import RuleTable

#: People per round: a round holds their employments and certificates as plain rows in memory.
BULK_GROUP = 20_000
_EMPLOYMENT_COLUMNS = (Employment.id, Employment.person_id, Employment.organization_id, Employment.post,
                       Employment.operation_category, Employment.operation_subtype,
                       Employment.start_date, Employment.end_date, Employment.is_on_the_job)
_FACT_TABLE_COLUMNS = ("employment_id", *_FACT_COLUMNS, *MEASURES, "behind_hours", "training_checked_on",
                       "computed_on")


def rebuild(today: date, group_size: int = BULK_GROUP) -> int:
    """Replace every fact and count by a recomputation on ``today``; the caller commits.
    Returns the number of fact rows written."""
    for model in (OrgCounts, OrgTotals, RegionCounts, ComplianceFact):
        db.session.execute(delete(model))
    rules = RuleTable.load(RULE_KEYS)
    orgs = {row.id: row for row in db.session.execute(select(Organization.id, Organization.is_high_risk))}
    events = _events()
    assessments = _assessments()
    sums: dict[tuple, Counter] = defaultdict(Counter)
    written = 0
    for low, high in _person_ranges(group_size):
        inputs = Inputs(_employments(low, high), orgs, _certificates(low, high), events, assessments)
        facts = facts_on(inputs, today, rules)
        insert_rows(ComplianceFact.__table__, _FACT_TABLE_COLUMNS, (_fact_row(f, today) for f in facts))
        for fact in facts:
            sums[(fact.organization_id, fact.post, fact.category)].update(fact.measures)
        written += len(facts)
    _write_counts(sums)
    rebuild_totals()
    if db.session.get_bind().dialect.name == "postgresql":
        # A million rows written at once: give the planner their statistics now rather than
        # whenever autovacuum gets round to it (ANALYZE runs inside the transaction).
        for table in (ComplianceFact, OrgCounts, OrgTotals, RegionCounts):
            db.session.execute(text(f"ANALYZE {table.__tablename__}"))
    return written


def _person_ranges(group_size: int) -> Iterable[tuple[int, int]]:
    """Inclusive ranges of person ids holding at most ``group_size`` people with employments each."""
    people = db.session.scalars(select(Employment.person_id).distinct().order_by(Employment.person_id)).all()
    for start in range(0, len(people), group_size):
        group = people[start:start + group_size]
        yield group[0], group[-1]


def _employments(low: int, high: int) -> list:
    return db.session.execute(select(*_EMPLOYMENT_COLUMNS).where(
        Employment.person_id.between(low, high)).order_by(Employment.id)).all()


def _certificates(low: int, high: int) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    for cert in db.session.execute(select(*Certificate.__table__.c).where(
            Certificate.person_id.between(low, high), Certificate.status != CertificateStatus.PENDING)):
        found[cert.person_id].append(cert)
    return found


def _events() -> dict[int, list]:
    """The events that cut or restore a cover, for every certificate (few next to the certificates)."""
    found: dict[int, list] = defaultdict(list)
    for event in db.session.execute(select(CertificateEvent.id, CertificateEvent.certificate_id,
                                           CertificateEvent.kind, CertificateEvent.on).where(
            CertificateEvent.kind.in_(_ENDING | _RESTORING))):
        found[event.certificate_id].append(event)
    return found


def _assessments() -> dict[tuple[int, int], list[tuple[date, bool]]]:
    """Completed assessment results by (person, enterprise), on local days, as Inputs.load keys them."""
    tz = local_tz()
    found: dict[tuple[int, int], list[tuple[date, bool]]] = defaultdict(list)
    for row in db.session.execute(select(
            AssessmentAssignment.person_id, Assessment.enterprise_id, AssessmentAssignment.completed_at,
            AssessmentAssignment.passed)
            .join(Assessment, Assessment.id == AssessmentAssignment.assessment_id)
            .where(AssessmentAssignment.completed_at.is_not(None))):
        found[(row.person_id, row.enterprise_id)].append((local_date(row.completed_at, tz), bool(row.passed)))
    return found


def _fact_row(fact: Fact, today: date) -> tuple:
    # A new fact row as summaries._write leaves it: training not yet worked out.
    measures = fact.measures | {"training_known": 0, "training_behind": 0}
    return (fact.employment_id, *(getattr(fact, c) for c in _FACT_COLUMNS),
            *(measures[m] for m in MEASURES), None, None, today)


def _write_counts(sums: dict[tuple, Counter]) -> None:
    """Enterprise rows and the rows of every region above each enterprise.

    Keys whose sums are all zero get no row, as the incremental upkeep adds none for them.
    """
    sums = {key: counter for key, counter in sums.items() if any(counter.values())}
    org_keys = ("organization_id", "post", "category")
    region_keys = ("region_id", "industry", "high_risk", "post", "category")
    for table, keys, rows in ((OrgCounts.__table__, org_keys, sums),
                              (RegionCounts.__table__, region_keys, roll_up(sums))):
        insert_rows(table, (*keys, *MEASURES),
                    (key + tuple(c.get(m, 0) for m in MEASURES) for key, c in sorted(rows.items(), key=repr)))


def insert_rows(table, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Insert rows inside the session's transaction: COPY on PostgreSQL (each value converted by
    its column's type as an INSERT would), one executemany elsewhere."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        batch = [dict(zip(columns, row, strict=True)) for row in rows]
        if batch:
            connection.execute(table.insert(), batch)
        return
    processors = [_copy_processor(table.c[name].type, connection.dialect) for name in columns]
    convert = [i for i, p in enumerate(processors) if p is not None]
    quote = connection.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            if convert:
                row = list(row)
                for i in convert:
                    row[i] = processors[i](row[i])
            copy.write_row(row)


def _copy_processor(kind, dialect):
    """How a value of this column type goes into COPY: JSON as its text, the rest as bound."""
    if isinstance(kind, JSON):
        return lambda value: None if value is None else json.dumps(value)
    return kind.bind_processor(dialect)
