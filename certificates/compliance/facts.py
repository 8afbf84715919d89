"""Where an employment stands on a day, worked out from the base tables alone: the one definition
that the kept facts, the as-of-date figures and ``lms compliance verify`` all use."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from certificates.models import Certificate, CertificateEvent, CertificateStatus, CertificateType
from courses.requirements import add_months
from exams.assessments.models import Assessment, AssessmentAssignment
from lms.clock import local_date, local_tz
from lms.extensions import db
from lms.models import Employment, Organization, Post
from lms.rules import RuleMissing, RuleTable

WINDOWS_RULE = "compliance.expiring_windows_days"
ASSESSMENT_RULE = "compliance.assessment_valid_months"
RULE_KEYS = [WINDOWS_RULE, ASSESSMENT_RULE]

#: Events that end a certificate's cover from their day on, and the one that restores it. A
#: replacement (换证) is applied for before expiry and its successor starts the day after the old
#: certificate expires, so the old one keeps covering until its own expiry.
_ENDING = {"suspended", "revoked", "cancelled"}
_RESTORING = {"reinstated"}
#: The recorded states a certificate is in once something other than its dates ended it.
_ENDED_STATES = {CertificateStatus.SUSPENDED, CertificateStatus.REVOKED, CertificateStatus.CANCELLED,
                 CertificateStatus.REPLACED}
#: ... and those in which it covers nothing at all, even without its ending event.
_NOT_COVERING = _ENDED_STATES - {CertificateStatus.REPLACED}


@dataclass(frozen=True)
class Cover:
    """Days a certificate let its holder work in a post: ``first`` to ``last`` inclusive."""

    certificate_id: int
    first: date
    last: date
    #: The day the dates alone end it (expiry or review): what the expiry windows count down to,
    #: so a revocation recorded later does not make a past day's certificate look expiring.
    due: date | None = None


@dataclass
class Fact:
    """One employment on one day: the values of a compliance_facts row."""

    employment_id: int
    person_id: int
    organization_id: int
    post: str
    category: str
    certificate_id: int | None
    cover_until: date | None
    gap: str | None
    assessment_until: date | None
    next_change_on: date | None
    measures: dict


@dataclass
class _Rules:
    windows: tuple[int, ...]
    assessment_months: int | None


def _rules(table: RuleTable, on: date) -> _Rules:
    """The expiry windows and the months an assessment counts, in force on ``on``."""
    try:
        windows = tuple(sorted(int(d) for d in table.at(WINDOWS_RULE, on).value))
    except RuleMissing:
        windows = ()
    try:
        months = int(table.at(ASSESSMENT_RULE, on).value)
    except RuleMissing:
        months = None
    return _Rules(windows, months)


def certificate_covers(cert: Certificate, events: list[CertificateEvent]) -> list[Cover]:
    """The stretches of days the certificate was in force: from issue to expiry or to the day its
    review fell overdue, cut by suspension (until reinstatement), revocation or cancellation on
    the days those were recorded."""
    if cert.issued_on is None or cert.status is CertificateStatus.PENDING:
        return []
    end = cert.expires_on or date.max
    if cert.next_review_on is not None:
        end = min(end, cert.next_review_on)  # the review is due on that day; overdue after it
    covers, start = [], cert.issued_on
    for event in sorted(events, key=lambda e: (e.on, e.id or 0)):
        if event.kind in _ENDING and start is not None:
            if event.on > start:
                covers.append(Cover(cert.id, start, min(end, event.on - timedelta(days=1)), end))
            start = None
        elif event.kind in _RESTORING and start is None:
            start = event.on
    if start is not None and cert.status not in _NOT_COVERING:
        covers.append(Cover(cert.id, start, end, end))
    return [c for c in covers if c.first <= c.last]


def matches(cert: Certificate, employment: Employment) -> bool:
    """True when the certificate is the one the employment's post requires."""
    if employment.post == Post.SPECIAL_OPERATIONS:
        if cert.cert_type != CertificateType.SPECIAL_OPS:
            return False
        if employment.operation_subtype:
            return cert.operation_subtype == employment.operation_subtype
        return cert.operation_category == employment.operation_category
    return cert.cert_type == CertificateType.SAFETY_QUALIFICATION and cert.post == employment.post


def on_the_job(employment: Employment, on: date) -> bool:
    """Holding the post on ``on``: started, not yet ended (the end date is the last day), and not
    on leave (leave is known only as it is now)."""
    return (employment.start_date <= on
            and (employment.end_date is None or on <= employment.end_date)
            and bool(employment.is_on_the_job))


@dataclass
class Inputs:
    """What the facts of a group of people are computed from, loaded in a few queries."""

    employments: list[Employment]
    orgs: dict[int, Organization]
    certificates: dict[int, list[Certificate]]
    events: dict[int, list[CertificateEvent]]
    #: Results by (person, enterprise): a person holding two posts is assessed once by the
    #: enterprise, and the result counts for each of their employments there.
    assessments: dict[tuple[int, int], list[tuple[date, bool]]]

    @classmethod
    def load(cls, person_ids: Iterable[int] | None = None, *, organization_id: int | None = None) -> "Inputs":
        """The records of the given people (or of one enterprise's people)."""
        query = select(Employment)
        if organization_id is not None:
            query = query.where(Employment.organization_id == organization_id)
        else:
            query = query.where(Employment.person_id.in_(list(person_ids or [])))
        employments = list(db.session.scalars(query.order_by(Employment.id)))
        people = sorted({e.person_id for e in employments})
        org_ids = sorted({e.organization_id for e in employments})
        orgs = {o.id: o for o in db.session.scalars(select(Organization).where(Organization.id.in_(org_ids)))}
        certificates: dict[int, list[Certificate]] = defaultdict(list)
        for cert in db.session.scalars(select(Certificate).where(
                Certificate.person_id.in_(people), Certificate.status != CertificateStatus.PENDING)):
            certificates[cert.person_id].append(cert)
        cert_ids = [c.id for certs in certificates.values() for c in certs]
        events: dict[int, list[CertificateEvent]] = defaultdict(list)
        for event in db.session.scalars(select(CertificateEvent).where(
                CertificateEvent.certificate_id.in_(cert_ids),
                CertificateEvent.kind.in_(_ENDING | _RESTORING))):
            events[event.certificate_id].append(event)
        assessments: dict[tuple[int, int], list[tuple[date, bool]]] = defaultdict(list)
        tz = local_tz()
        for row in db.session.execute(select(
                AssessmentAssignment.person_id, Assessment.enterprise_id, AssessmentAssignment.completed_at,
                AssessmentAssignment.passed)
                .join(Assessment, Assessment.id == AssessmentAssignment.assessment_id).where(
                AssessmentAssignment.person_id.in_(people), Assessment.enterprise_id.in_(org_ids),
                AssessmentAssignment.completed_at.is_not(None))):
            assessments[(row.person_id, row.enterprise_id)].append(
                (local_date(row.completed_at, tz), bool(row.passed)))
        return cls(employments, orgs, certificates, events, assessments)


def facts_on(inputs: Inputs, on: date, rules: RuleTable | None = None) -> list[Fact]:
    """The fact of every employment in ``inputs`` on ``on`` (training columns excluded)."""
    table = rules or RuleTable.load(RULE_KEYS)
    found_rules = _rules(table, on)
    return [_fact(e, inputs, on, found_rules) for e in inputs.employments]


def _fact(e: Employment, inputs: Inputs, on: date, rules: _Rules) -> Fact:
    org = inputs.orgs[e.organization_id]
    changes: list[date] = []
    if e.start_date > on:
        changes.append(e.start_date)
    if e.end_date is not None and e.end_date >= on:
        changes.append(e.end_date + timedelta(days=1))
    working = on_the_job(e, on)
    key = Post(e.post).is_key_post
    cover, gap = _cover(e, inputs, on, changes) if key else (None, None)
    results = inputs.assessments.get((e.person_id, e.organization_id), [])
    passed, assessment_until = _assessment(results, on, rules, changes)
    measures = dict.fromkeys(("on_job", "key_on_job", "certified", "review_overdue", "expiring_30",
                              "expiring_60", "expiring_90", "hr_on_job", "hr_passed"), 0)
    if working:
        measures["on_job"] = 1
        measures["key_on_job"] = int(key)
        measures["certified"] = int(cover is not None)
        measures["review_overdue"] = int(gap == "review_overdue")
        measures["hr_on_job"] = int(org.is_high_risk)
        measures["hr_passed"] = int(org.is_high_risk and passed)
    if working and cover is not None:
        due = cover.due or cover.last
        left = (due - on).days
        for days in (30, 60, 90):
            measures[f"expiring_{days}"] = int(days in rules.windows and left <= days)
        changes.extend(due - timedelta(days=d) for d in rules.windows if due - timedelta(days=d) > on)
    return Fact(e.id, e.person_id, e.organization_id, str(e.post), e.operation_category or ""
                if e.post == Post.SPECIAL_OPERATIONS else "",
                cover.certificate_id if cover else None, cover.last if cover else None, gap,
                assessment_until, min(changes) if changes else None, measures)


def _cover(e: Employment, inputs: Inputs, on: date, changes: list[date]) -> tuple[Cover | None, str | None]:
    """The cover in force on ``on`` that lasts longest, or None and why there is none."""
    candidates = [c for c in inputs.certificates.get(e.person_id, []) if matches(c, e)]
    best, reasons, covers = None, [], []
    for cert in candidates:
        for cover in certificate_covers(cert, inputs.events.get(cert.id, [])):
            covers.append(cover)
            if cover.first > on:
                changes.append(cover.first)
            elif cover.last >= on:
                changes.append(cover.last + timedelta(days=1))
                if best is None or cover.last > best.last:
                    best = cover
        reasons.append(_why_not(cert, inputs.events.get(cert.id, []), on))
    if best is not None:
        return _carried_on(best, covers), None
    if not candidates:
        wrong = any(c.cert_type == CertificateType.SPECIAL_OPS
                    for c in inputs.certificates.get(e.person_id, []))
        return None, "wrong_subtype" if wrong and e.post == Post.SPECIAL_OPERATIONS else "none"
    for reason in ("review_overdue", "suspended", "expired", "revoked", "cancelled", "replaced", "not_yet"):
        if reason in reasons:
            return None, reason
    return None, "none"


def _carried_on(best: Cover, covers: list[Cover]) -> Cover:
    """``best`` lasting as long as the covers that follow it without a day's break (a replacement
    starts the day after the certificate it replaces expires): nothing is expiring then."""
    current = best
    while following := [c for c in covers if c.first <= current.last + timedelta(days=1)
                        and c.last > current.last]:
        current = max(following, key=lambda c: c.last)
    return Cover(best.certificate_id, best.first, current.last, current.due)


def _why_not(cert: Certificate, events: list[CertificateEvent], on: date) -> str:
    """Why a matching certificate does not cover ``on``: what its events had done by then (a
    suspension since lifted still explains a past day), else its dates, else its recorded state."""
    ended = None
    for event in sorted(events, key=lambda e: (e.on, e.id or 0)):
        if event.on > on:
            break
        ended = event.kind if event.kind in _ENDING else None if event.kind in _RESTORING else ended
    if ended is not None:
        return ended
    if cert.issued_on is not None and cert.issued_on > on:
        return "not_yet"
    if cert.expires_on is not None and on > cert.expires_on:
        return "expired"
    if cert.next_review_on is not None and on > cert.next_review_on:
        return "review_overdue"
    return cert.status.value


def _assessment(results: list[tuple[date, bool]], on: date, rules: _Rules,
                changes: list[date]) -> tuple[bool, date | None]:
    """Whether the latest assessment completed by ``on`` and still counting passed, and the last
    day it counts."""
    if rules.assessment_months is None:
        return False, None
    done = [r for r in results if r[0] <= on]
    changes.extend(r[0] for r in results if r[0] > on)
    if not done:
        return False, None
    completed, passed = max(done, key=lambda r: (r[0], r[1]))
    until = add_months(completed, rules.assessment_months) - timedelta(days=1)
    if until < on:
        return False, None
    changes.append(until + timedelta(days=1))
    return passed, until
