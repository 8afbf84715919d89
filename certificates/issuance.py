"""From a pass to an issued certificate: the pass signal creates a pending certificate once; the
officer issues it with its number, its dates from the rules and the frozen hash of its PDF."""

import hashlib
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from certificates.dates import dates_for
from certificates.models import Certificate, CertificateEvent, CertificateStatus, CertificateType
from certificates.signing import current_key_id
from exams.attempts.results import add_working_days
from lms.audit import record_event
from lms.extensions import db
from lms.models import Account, Employment, Person, Region, RegionLevel
from lms.rules import rule_at
from lms.transitions import change_or_raise

ISSUE_RULES = {CertificateType.SPECIAL_OPS: "special_ops.certificate.issue_working_days",
               CertificateType.SAFETY_QUALIFICATION: "principal_certificate.issue_working_days"}
#: Default number formats by type; deployments set CERTIFICATE_NUMBER_FORMATS to their own.
#: Special operations: "T" + the holder's ID number (the national card, domain.md 3.6 [S]); the
#: principal/safety-manager scheme is not confirmed [U]: region code, year and a sequence.
NUMBER_FORMATS = {CertificateType.SPECIAL_OPS.value: "T{id_number}",
                  CertificateType.SAFETY_QUALIFICATION.value: "AQ{region}{year}{seq:06d}"}


def certificate_type_for(operation_subtype: str | None) -> CertificateType:
    """Special operations when the exam had an operation sub-type, else the safety qualification."""
    return CertificateType.SPECIAL_OPS if operation_subtype else CertificateType.SAFETY_QUALIFICATION


def pass_key_of(sender) -> str:
    """The identity of one pass: the object the pass signal came from (an attempt, a score sheet)."""
    return f"{type(sender).__name__.lower()}:{sender.id}"


def on_exam_passed(sender, *, person_id: int, employment_id: int | None, operation_subtype: str | None,
                   theory_points: float | None, practical_points: float | None, passed_on: date,
                   **_facts) -> Certificate | None:
    """Receiver of exams.attempts.signals.exam_passed: a pending certificate, once per pass."""
    employment = db.session.get(Employment, employment_id) if employment_id else None
    cert = Certificate(cert_type=certificate_type_for(operation_subtype), status=CertificateStatus.PENDING,
                       person_id=person_id, employment_id=employment_id,
                       post=employment.post.value if employment else "",
                       operation_category=operation_subtype.split(".")[0] if operation_subtype else None,
                       operation_subtype=operation_subtype, pass_key=pass_key_of(sender),
                       theory_score=theory_points, practical_score=practical_points, passed_on=passed_on)
    try:
        with db.session.begin_nested():
            db.session.add(cert)
    except IntegrityError:  # this pass has its certificate already
        return None
    record_event("certificates.pending", actor=None, target=cert,
                 organization_id=employment.organization_id if employment else None,
                 person=db.session.get(Person, person_id).name, kind=cert.cert_type.value)
    return cert


def issue_by(cert: Certificate) -> date | None:
    """The last day to issue a pending certificate: the pass plus the rule's working days."""
    if cert.passed_on is None:
        return None
    rule = rule_at(ISSUE_RULES[cert.cert_type], cert.passed_on, _region_of(cert))
    return add_working_days(cert.passed_on, int(rule.value))


def _region_of(cert: Certificate) -> Region | None:
    return cert.employment.organization.region if cert.employment else None


def authority_region(officer: Account) -> Region | None:
    """The region of the officer's certificate-officer grant: the issuing authority's."""
    for grant in officer.grants:
        if grant.region is not None:
            return grant.region
    return None


def authority_name(region: Region | None) -> str:
    """The issuing authority's name: the region's emergency-management department or bureau."""
    if region is None:
        return current_app.config.get("CERTIFICATE_AUTHORITY", "应急管理部门")
    suffix = "应急管理厅" if region.level is RegionLevel.PROVINCE else "应急管理局"
    return f"{region.name_zh}{suffix}"


def next_number(cert: Certificate, region: Region | None, on: date) -> str:
    """The certificate's number in the deployment's format for its type."""
    formats = {**NUMBER_FORMATS, **current_app.config.get("CERTIFICATE_NUMBER_FORMATS", {})}
    fmt = formats[cert.cert_type.value]
    code = region.code if region is not None else "000000"
    seq = 0
    if "{seq" in fmt:
        prefix = fmt.split("{seq")[0].format(id_number="", region=code, year=on.year)
        seq = 1 + db.session.scalar(select(func.count(Certificate.id)).where(
            Certificate.cert_type == cert.cert_type, Certificate.number.like(prefix + "%")))
    return fmt.format(id_number=cert.person.id_number, region=code, year=on.year, seq=seq)


def generation_for(number: str, subtype: str | None) -> int:
    """0 for a number's first certificate of the operation; one more for each later one (a new
    certificate after the earlier one expired or was replaced keeps the holder's number)."""
    latest = db.session.scalar(select(func.max(Certificate.generation)).where(
        Certificate.number == number, Certificate.operation_subtype.is_(subtype) if subtype is None
        else Certificate.operation_subtype == subtype))
    return 0 if latest is None else latest + 1


def freeze_pdf(cert: Certificate) -> str:
    """Render the certificate as it now stands and keep the SHA-256 of the PDF with the record."""
    from certificates.pdf import render_certificate

    digest = hashlib.sha256(render_certificate(cert)).hexdigest()
    db.session.execute(update(Certificate).where(Certificate.id == cert.id).values(pdf_sha256=digest))
    db.session.refresh(cert)
    return digest


def issue(cert: Certificate, officer: Account, on: date, now: datetime) -> Certificate:
    """Issue a pending certificate once (a second click finds it issued: AlreadyChanged)."""
    region = authority_region(officer)
    dates = dates_for(cert.cert_type, on, region)
    number = next_number(cert, region, on)
    change_or_raise(cert, Certificate.status == CertificateStatus.PENDING, status=CertificateStatus.ISSUED,
                    number=number, generation=generation_for(number, cert.operation_subtype),
                    issued_on=on, expires_on=dates.expires_on,
                    next_review_on=dates.next_review_on, issuing_authority=authority_name(region),
                    issued_by_id=officer.id, issued_at=now, rule_versions=dates.rule_versions)
    db.session.refresh(cert)
    # The issue event names the signing key, so the PDF renders the same bytes after a rotation.
    db.session.add(CertificateEvent(certificate_id=cert.id, kind="issued", on=on, at=now, actor_id=officer.id,
                                    rule_versions=dates.rule_versions,
                                    data={"expires_on": dates.expires_on.isoformat(),
                                          "next_review_on": dates.next_review_on.isoformat()
                                          if dates.next_review_on else None,
                                          "qr_key": current_key_id()}))
    db.session.flush()
    freeze_pdf(cert)
    record_event("certificates.issued", actor=officer, target=cert,
                 organization_id=cert.employment.organization_id if cert.employment else None,
                 number=number, person=cert.person.name, rules=", ".join(
                     f"{k} ({v})" for k, v in sorted(dates.rule_versions.items())))
    return cert
