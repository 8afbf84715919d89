"""Compliance exports: the summary (a region's total and its children) and one row per on-the-job
employment in a region or an enterprise, written as CSV or Excel, streamed in groups of enterprises so
a million rows go out in constant memory.

Every export carries what it is: the scope, the as-of day, when it was made, the filters, the
definitions of the three rates and the versions of the rules used.

- Excel: sheets "Summary", "People" and "Definitions" (the last holds the "about" lines).
- CSV: one file, three tables one after another, each with its own header row and separated by a
  blank line: first the about lines (two columns: item, value), then the summary, then the people.
  The people table comes last so that everything before it is small and a reader can skip to it.

Row dicts hold codes (post, gap reason, operation sub-type, industry); the writers put them into
words in the current locale. Rates in rows are fractions (0..1, None when nothing is counted).
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import func, select

from certificates.compliance.facts import RULE_KEYS, Inputs, facts_on
from certificates.compliance.models import MEASURES, ComplianceFact, OrgCounts
from certificates.compliance.rates import Filters, Overview, ensure_current
from certificates.compliance.summaries import GROUP_SIZE
from certificates.models import Certificate
from lms import catalog
from lms.clock import local_tz, now
from lms.extensions import db
from lms.i18n import _, _l, current_locale
from lms.idcard import mask_id_number
from lms.labels import POST_LABELS
from lms.models import Employment, Organization, OrgKind, Person, Region
from lms.rules import RuleMissing, RuleTable
from lms.spreadsheets import append_row, csv_cell

#: Employments per group of enterprises read at once (one query; a bigger enterprise is a group alone).
BATCH_ROWS = 5000
#: Rows fetched from the database cursor at a time inside a group.
FETCH_ROWS = 2000

GAP_LABELS = {
    "none": _l("No certificate of the required type"),
    "wrong_subtype": _l("Certificate of another operation sub-type"),
    "expired": _l("Certificate expired"),
    "review_overdue": _l("Certificate review overdue"),
    "revoked": _l("Certificate revoked"),
    "suspended": _l("Certificate suspended"),
    "cancelled": _l("Certificate cancelled"),
    "replaced": _l("Certificate replaced"),
    "not_yet": _l("Certificate not yet in force"),
}

#: The three rates: their names and their definitions, as every export and the API state them.
RATES = {
    "certified_rate": (
        _l("Certified-on-the-job rate (持证上岗率)"),
        _l("Employments in the three key posts (principal person in charge, safety manager, special-"
           "operations worker) on the job on the day that hold a certificate in force of the required "
           "type (special operations: the same operation sub-type; principal and safety manager: the "
           "safety qualification certificate of the same post), divided by all key-post employments on "
           "the job. A certificate is in force from its issue until it expires or its review falls "
           "overdue, and not while suspended or after it is revoked, cancelled or replaced.")),
    "pass_rate": (
        _l("Training and assessment pass rate (培训考核合格率)"),
        _l("Employments on the job at high-risk enterprises whose latest completed enterprise training "
           "assessment within the period set by the rule compliance.assessment_valid_months was passed, "
           "divided by all employments on the job at high-risk enterprises.")),
    "training_rate": (
        _l("Training coverage"),
        _l("Employments on the job that are not behind a training-hour requirement whose deadline has "
           "passed, divided by the employments whose requirements have been worked out. Worked out "
           "daily for the current day only: not available for past days.")),
}

SUMMARY_COLUMNS = (
    ("kind", _l("Level")), ("code", _l("Code")), ("name", _l("Name")),
    ("on_job", _l("Employments on the job")), ("key_on_job", _l("Key-post employments on the job")),
    ("certified", _l("Certified")), ("not_certified", _l("Not certified")),
    ("certified_rate", _l("Certified-on-the-job rate")), ("review_overdue", _l("Review overdue")),
    ("expiring_30", _l("Expiring within 30 days")), ("expiring_60", _l("Expiring within 60 days")),
    ("expiring_90", _l("Expiring within 90 days")),
    ("hr_on_job", _l("On the job at high-risk enterprises")), ("hr_passed", _l("Passed assessment in force")),
    ("pass_rate", _l("Pass rate")), ("training_known", _l("Training worked out")),
    ("training_behind", _l("Training behind")), ("training_rate", _l("Training coverage")),
)
PERSON_COLUMNS = (
    ("enterprise", _l("Enterprise")), ("enterprise_code", _l("Enterprise code")),
    ("region_code", _l("Region code")), ("region_path", _l("Region codes (province/city/district)")),
    ("industry", _l("Industry")), ("high_risk", _l("High-risk enterprise")),
    ("person", _l("Name")), ("id_number", _l("ID number (masked)")), ("post", _l("Post")),
    ("operation_category", _l("Operation category")), ("operation_subtype", _l("Operation sub-type")),
    ("certificate_number", _l("Certificate number")), ("covered_until", _l("Certificate in force until")),
    ("gap", _l("Gap")), ("assessment_until", _l("Assessment in force until")),
    ("training_behind", _l("Behind on training hours")),
)
RATE_KEYS = ("certified_rate", "pass_rate", "training_rate")
KIND_LABELS = {"total": _l("Total"), "region": _l("Region"), "enterprise": _l("Enterprise")}

Scope = Region | Organization


# -- what an export is about --------------------------------------------------------------------------

def rule_versions(on: date) -> dict[str, str]:
    """The version of each compliance rule in force on ``on`` (key -> version; absent when none is)."""
    table = RuleTable.load(RULE_KEYS)
    versions = {}
    for key in RULE_KEYS:
        try:
            versions[key] = table.at(key, on).version
        except RuleMissing:
            continue
    return versions


def filters_dict(filters: Filters) -> dict:
    """The filters as plain values (None where all are included)."""
    return {"industry": filters.industry or None, "post": filters.post or None,
            "category": filters.category or None, "high_risk": filters.high_risk}


def scope_name(scope: Scope) -> str:
    """The region's name in the current locale, or the enterprise's name."""
    if isinstance(scope, Region):
        return scope.display_name(current_locale())
    return scope.name


def scope_code(scope: Scope) -> str:
    """The region code, or the enterprise's code."""
    return scope.code


def filters_text(filters: Filters) -> str:
    """The filters in words, "All" when there are none."""
    parts = []
    if filters.industry:
        name = catalog.label(catalog.industry(filters.industry)) or filters.industry
        parts.append(f"{_('Industry')}: {name}")
    if filters.post:
        parts.append(f"{_('Post')}: {POST_LABELS.get(filters.post, filters.post)}")
    if filters.category:
        name = catalog.label(catalog.operation_category(filters.category))
        parts.append(f"{_('Operation category')}: {filters.category} {name}".rstrip())
    if filters.high_risk is not None:
        parts.append(f"{_('High-risk enterprise')}: {_('Yes') if filters.high_risk else _('No')}")
    return "; ".join(parts) or _("All")


@dataclass
class About:
    """The lines that say what an export holds."""

    scope: Scope
    filters: Filters
    on: date
    made_at: datetime = field(default_factory=now)

    def lines(self) -> list[tuple[str, str]]:
        """(item, value) pairs in the current locale."""
        lines = [(_("Compliance report"), scope_name(self.scope)),
                 (_("Region") if isinstance(self.scope, Region) else _("Enterprise"), scope_code(self.scope)),
                 (_("As-of date"), self.on.isoformat()),
                 (_("Made at"), self.made_at.astimezone(local_tz()).isoformat(timespec="seconds")),
                 (_("Filters"), filters_text(self.filters))]
        lines += [(str(name), str(text)) for name, text in RATES.values()]
        lines += [(_("Rule %(key)s", key=key), version) for key, version in rule_versions(self.on).items()]
        return lines


# -- summary -------------------------------------------------------------------------------------------

def summary_rows(overview: Overview) -> list[dict]:
    """The region's total line and one line per child (region or enterprise), with counts and rates."""
    locale = current_locale()
    region = overview.region
    rows = [_summary_row("total", region.code, region.display_name(locale), overview.total)]
    rows += [_summary_row(child.kind, child.code, child.name(locale), child.figures)
             for child in overview.children]
    return rows


def enterprise_summary_rows(org: Organization, figures) -> list[dict]:
    """The one summary line of an enterprise."""
    return [_summary_row("enterprise", org.code, org.name, figures)]


def _summary_row(kind: str, code: str, name: str, figures) -> dict:
    row = {"kind": kind, "code": code, "name": name}
    row |= {m: figures.values[m] for m in MEASURES}
    row |= {"not_certified": figures.not_certified, "certified_rate": figures.certified_rate,
            "pass_rate": figures.pass_rate, "training_rate": figures.training_rate}
    return row


# -- people --------------------------------------------------------------------------------------------

def _org_clauses(scope: Scope, filters: Filters) -> list:
    if isinstance(scope, Region):
        where = [Organization.region_id.in_(scope.subtree_ids())]
    else:
        where = [Organization.id == scope.id]
    return [Organization.kind == OrgKind.ENTERPRISE, *where, *filters.org_clauses()]


def _org_sizes(scope: Scope, filters: Filters, on: date, today: date) -> list[tuple[int, int]]:
    """(enterprise id, rows expected) for every enterprise in scope, in export order: exact for
    today (the kept counts), the number of employments (an upper bound) for another day."""
    if on == today:
        size = (select(OrgCounts.organization_id, func.sum(OrgCounts.on_job).label("n"))
                .where(*filters.count_clauses(OrgCounts)).group_by(OrgCounts.organization_id).subquery())
    else:
        size = (select(Employment.organization_id.label("organization_id"), func.count().label("n"))
                .group_by(Employment.organization_id).subquery())
    query = (select(Organization.id, size.c.n)
             .join(size, size.c.organization_id == Organization.id)
             .join(Region, Region.id == Organization.region_id)
             .where(*_org_clauses(scope, filters), size.c.n > 0)
             .order_by(Region.code, Organization.name, Organization.id))
    return [(row.id, int(row.n)) for row in db.session.execute(query)]


def count_rows(scope: Scope, filters: Filters, on: date, today: date) -> int:
    """How many person rows an export will hold (exact for today, at most this for another day)."""
    if on == today:
        ensure_current(today)
    return sum(n for _id, n in _org_sizes(scope, filters, on, today))


def _groups(sizes: list[tuple[int, int]]) -> Iterator[list[int]]:
    """Consecutive enterprises whose rows add up to about BATCH_ROWS."""
    group, rows = [], 0
    for org_id, n in sizes:
        if group and rows + n > BATCH_ROWS:
            yield group
            group, rows = [], 0
        group.append(org_id)
        rows += n
    if group:
        yield group


def person_rows(scope: Scope, filters: Filters, on: date, today: date) -> Iterator[dict]:
    """One row per employment on the job on ``on`` in the region (every enterprise at or below it)
    or enterprise, enterprise by enterprise; streamed a group of enterprises at a time."""
    if on == today:
        ensure_current(today)
    sizes = _org_sizes(scope, filters, on, today)
    rows = _kept_rows if on == today else _computed_rows
    for group in _groups(sizes):
        yield from rows(group, filters, on)


def _kept_rows(org_ids: list[int], filters: Filters, _on: date) -> Iterator[dict]:
    """Today's rows, read from the kept facts."""
    query = (select(ComplianceFact.post, ComplianceFact.category, ComplianceFact.cover_until,
                    ComplianceFact.gap, ComplianceFact.assessment_until, ComplianceFact.behind_hours,
                    Employment.operation_subtype,
                    Person.name.label("person"), Person.id_number, Certificate.number,
                    Organization.name.label("enterprise"), Organization.code.label("enterprise_code"),
                    Organization.industry, Organization.is_high_risk, Region.code.label("region_code"),
                    Region.path)
             .join(Employment, Employment.id == ComplianceFact.employment_id)
             .join(Person, Person.id == ComplianceFact.person_id)
             .join(Organization, Organization.id == ComplianceFact.organization_id)
             .join(Region, Region.id == Organization.region_id)
             .outerjoin(Certificate, Certificate.id == ComplianceFact.certificate_id)
             .where(ComplianceFact.organization_id.in_(org_ids), ComplianceFact.on_job == 1,
                    *filters.count_clauses(ComplianceFact))
             .order_by(Region.code, Organization.name, Organization.id, Person.name,
                       ComplianceFact.employment_id)
             .execution_options(yield_per=FETCH_ROWS))
    for row in db.session.execute(query):
        yield _person_row(row, row.cover_until, row.gap, row.assessment_until, row.behind_hours)


def _computed_rows(org_ids: list[int], filters: Filters, on: date) -> Iterator[dict]:
    """Another day's rows, worked out from the base tables a group of people at a time."""
    places = {row.id: row for row in db.session.execute(
        select(Organization.id, Organization.name.label("enterprise"),
               Organization.code.label("enterprise_code"), Organization.industry, Organization.is_high_risk,
               Region.code.label("region_code"), Region.path)
        .join(Region, Region.id == Organization.region_id).where(Organization.id.in_(org_ids)))}
    order = {org_id: n for n, org_id in enumerate(org_ids)}
    people = sorted(set(db.session.scalars(select(Employment.person_id).where(
        Employment.organization_id.in_(org_ids)))))
    rules = RuleTable.load(RULE_KEYS)
    lines = []
    for start in range(0, len(people), GROUP_SIZE):
        lines.extend(_computed_group(people[start:start + GROUP_SIZE], places, filters, on, rules))
        if len(org_ids) == 1:  # one enterprise alone: no order to keep across groups of people
            yield from (line for _key, line in lines)
            lines = []
    lines.sort(key=lambda item: (order[item[0][0]], item[0][1], item[0][2]))
    yield from (line for _key, line in lines)


def _computed_group(people: list[int], places: dict, filters: Filters, on: date,
                    rules: RuleTable) -> list[tuple[tuple, dict]]:
    inputs = Inputs.load(people)
    facts = [f for f in facts_on(inputs, on, rules)
             if f.organization_id in places and f.measures["on_job"]
             and (not filters.post or f.post == filters.post)
             and (not filters.category or f.category == filters.category)]
    persons = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(people)))}
    employments = {e.id: e for e in inputs.employments}
    cert_ids = [f.certificate_id for f in facts if f.certificate_id]
    numbers = dict(db.session.execute(select(Certificate.id, Certificate.number).where(
        Certificate.id.in_(cert_ids))).all()) if cert_ids else {}
    lines = []
    for fact in facts:
        place, person = places[fact.organization_id], persons[fact.person_id]
        values = _Values(post=fact.post, category=fact.category,
                         operation_subtype=employments[fact.employment_id].operation_subtype,
                         person=person.name, id_number=person.id_number,
                         number=numbers.get(fact.certificate_id), **place._asdict())
        line = _person_row(values, fact.cover_until, fact.gap, fact.assessment_until, None)
        lines.append(((fact.organization_id, person.name, fact.employment_id), line))
    return lines


@dataclass
class _Values:
    """The columns of a row that come from the records rather than the fact."""

    post: str
    category: str
    operation_subtype: str | None
    person: str
    id_number: str
    number: str | None
    enterprise: str
    enterprise_code: str
    industry: str | None
    is_high_risk: bool
    region_code: str
    path: str
    id: int = 0


def _person_row(v, cover_until, gap, assessment_until, training_behind) -> dict:
    return {"enterprise": v.enterprise, "enterprise_code": v.enterprise_code, "region_code": v.region_code,
            "region_path": v.path.strip("/"), "industry": v.industry or "", "high_risk": bool(v.is_high_risk),
            "person": v.person, "id_number": mask_id_number(v.id_number), "post": str(v.post),
            "operation_category": v.category or "", "operation_subtype": v.operation_subtype or "",
            "certificate_number": v.number or "", "covered_until": cover_until, "gap": gap or "",
            "assessment_until": assessment_until, "training_behind": training_behind}


# -- putting values into words -------------------------------------------------------------------------

def _yes_no(value) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def _subtype_text(code: str) -> str:
    name = catalog.label(catalog.operation_subtype(code)) if code else ""
    return f"{code} {name}".strip()


_WORDS = {
    "post": lambda v: str(POST_LABELS.get(v, v)) if v else "",
    "gap": lambda v: str(GAP_LABELS.get(v, v)) if v else "",
    "industry": lambda v: catalog.label(catalog.industry(v)) or v,
    "high_risk": _yes_no,
    "training_behind": _yes_no,
    "operation_subtype": _subtype_text,
    "kind": lambda v: str(KIND_LABELS.get(v, v)),
}


def display(key: str, value):
    """A row value as shown in a file: codes in words, dates as ISO text, rates as percentages."""
    if key in _WORDS:
        return _WORDS[key](value)
    if key in RATE_KEYS:
        return "" if value is None else round(value * 100, 1)
    return value


def _header(columns) -> list[str]:
    return [str(label) + (" (%)" if key in RATE_KEYS else "") for key, label in columns]


def _line(columns, row: dict) -> list:
    return [display(key, row.get(key)) for key, _label in columns]


# -- CSV -----------------------------------------------------------------------------------------------

def csv_chunks(rows: Iterable[dict], *, about: About | None = None,
               summary: list[dict] | None = None, lines_per_chunk: int = 500) -> Iterator[str]:
    """The CSV text in pieces (the about lines, the summary, then the people), a BOM first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    if about is not None:
        writer.writerow([csv_cell(_("Item")), csv_cell(_("Value"))])
        for item, value in about.lines():
            writer.writerow([csv_cell(item), csv_cell(value)])
        writer.writerow([])
    if summary is not None:
        writer.writerow([csv_cell(h) for h in _header(SUMMARY_COLUMNS)])
        for row in summary:
            writer.writerow([csv_cell(v) for v in _line(SUMMARY_COLUMNS, row)])
        writer.writerow([])
    writer.writerow([csv_cell(h) for h in _header(PERSON_COLUMNS)])
    for n, row in enumerate(rows, 1):
        writer.writerow([csv_cell(v) for v in _line(PERSON_COLUMNS, row)])
        if n % lines_per_chunk == 0:
            yield _take(buffer)
    yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def write_csv(rows: Iterable[dict], out, *, about: About | None = None,
              summary: list[dict] | None = None) -> None:
    """Write the CSV (UTF-8 with BOM, formula-like text defused) to a binary stream."""
    for chunk in csv_chunks(rows, about=about, summary=summary):
        out.write(chunk.encode("utf-8"))


# -- Excel ---------------------------------------------------------------------------------------------

def write_xlsx(rows: Iterable[dict], path_or_stream, *, about: About | None = None,
               summary: list[dict] | None = None) -> None:
    """Write the workbook in openpyxl's write-only mode (constant memory): sheets Summary, People
    and Definitions."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(_("Summary")))
    append_row(sheet, _header(SUMMARY_COLUMNS))
    for row in summary or []:
        append_row(sheet, _line(SUMMARY_COLUMNS, row))
    sheet = workbook.create_sheet(_sheet_title(_("People")))
    append_row(sheet, _header(PERSON_COLUMNS))
    for row in rows:
        append_row(sheet, _line(PERSON_COLUMNS, row))
    sheet = workbook.create_sheet(_sheet_title(_("Definitions")))
    append_row(sheet, [_("Item"), _("Value")])
    for item, value in (about.lines() if about is not None else []):
        append_row(sheet, [item, value])
    workbook.save(path_or_stream)


def _sheet_title(text: str) -> str:
    # Excel refuses these characters and titles over 31 characters.
    return "".join(c for c in text if c not in "[]:*?/\\")[:31]


def bilingual(text_of) -> dict[str, str]:
    """``text_of()`` worked out in Chinese and in English."""
    found = {}
    for locale, key in (("zh_CN", "zh"), ("en", "en")):
        with force_locale(locale):
            found[key] = str(text_of())
    return found
