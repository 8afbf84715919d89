"""Keeping a certificate current: review (复审), extension (延期), replacement (换证) and reissue
after loss, each only as and when the rules in force allow.

- Review, special operations, while the rules have one: inside the window before the review date,
  with the review training (8 class hours, from the training ledger) met and the review exam
  passed; the next review is set from the rules (every 3 years, or 6 after 10 continuous years).
- Extension, principal persons and safety managers: applied for at least 30 days before expiry;
  the certificate runs for another period of validity.
- Replacement, special operations from 2026-06-01: the certificate is replaced every 6 years; the
  replacement keeps the number and starts a new period; the old one is marked replaced.
- Reissue after loss or damage: same number and dates, annotated (暂行办法 第27条).
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from certificates.dates import VALIDITY_RULES, dates_for, next_review, review_window_opens, years_later
from certificates.issuance import freeze_pdf
from certificates.lifecycle import LifecycleRefused, note_event
from certificates.models import Certificate, CertificateEvent, CertificateStatus, CertificateType
from certificates.signing import current_key_id
from courses.requirements import Calculator, RuleBook, add_months
from lms.clock import local_tz
from lms.extensions import db
from lms.i18n import _l
from lms.models import Account, Region
from lms.rules import RuleMissing, rule_at
from lms.transitions import change_or_raise

REVIEW_PASS_RULE = "special_ops.exam.pass_mark"
EXTENSION_WINDOW_RULE = "principal_certificate.extension_apply_days_before"
REPLACEMENT_WINDOW_RULE = "special_ops.certificate.replacement_apply_days_before"
#: Years in the same operation after which the review interval may be extended (令30号 第21条).
EXTENDED_REVIEW_RULE = "special_ops.certificate.review_interval_years"


def _region(cert: Certificate) -> Region | None:
    return cert.employment.organization.region if cert.employment else None


def review_training(cert: Certificate):
    """The review-training requirement before ``cert``'s review, from the training calculator."""
    calculator = Calculator(local_tz(), RuleBook())
    for requirement in calculator.for_person(cert.person, cert.next_review_on.year):
        if (requirement.kind == "review" and requirement.employment_id == cert.employment_id
                and requirement.deadline == cert.next_review_on):
            return requirement
    return None


def first_issued(cert: Certificate) -> date:
    """When the holder first got a certificate under this number for this operation."""
    earlier = [day for day in db.session.scalars(select(Certificate.issued_on).where(
        Certificate.number == cert.number, Certificate.operation_subtype == cert.operation_subtype))
        if day is not None]
    return min(earlier or [cert.issued_on])


def may_extend_interval(cert: Certificate, on: date) -> bool:
    """Ten continuous years holding the certificate and working in the operation (令30号 第21条)."""
    rule = rule_at(EXTENDED_REVIEW_RULE, on, _region(cert))
    if not isinstance(rule.value, dict):
        return False
    years = int(rule.value["extension_condition_years"])
    since = max(first_issued(cert), cert.employment.start_date if cert.employment else on)
    return since <= add_months(on, -12 * years)


def record_review(cert: Certificate, actor: Account, on: date, now: datetime, *, exam_score: float,
                  extended: bool = False, reason: str = "") -> date | None:
    """Record a passed review inside the window; returns the next review date (None: none due)."""
    if cert.cert_type is not CertificateType.SPECIAL_OPS or cert.next_review_on is None:
        raise LifecycleRefused(str(_l("This certificate has no review due under the rules in force.")))
    region = _region(cert)
    opens = review_window_opens(cert, region)
    if not opens <= on <= cert.next_review_on:
        raise LifecycleRefused(str(_l("A review is applied for from %(opens)s to %(due)s; today is outside "
                                      "that window.", opens=opens, due=cert.next_review_on)))
    training = review_training(cert)
    if training is None or not training.met:
        done, required = (training.done, training.required) if training else (0, "?")
        raise LifecycleRefused(str(_l("The review training is not complete: %(done)s of %(required)s class "
                                      "hours.", done=done, required=required)))
    pass_mark = rule_at(REVIEW_PASS_RULE, on, region)
    if exam_score is None or exam_score < float(pass_mark.value):
        raise LifecycleRefused(str(_l("The review exam needs %(mark)s points.", mark=pass_mark.value)))
    if extended and not may_extend_interval(cert, on):
        raise LifecycleRefused(str(_l("The longer review interval needs ten continuous years in the "
                                      "operation.")))
    due = cert.next_review_on
    upcoming, versions = next_review(due, cert.expires_on, region, extended=extended)
    change_or_raise(cert, Certificate.status == CertificateStatus.ISSUED, Certificate.next_review_on == due,
                    next_review_on=upcoming)
    versions.update({training.rule.key: training.rule.version, pass_mark.key: pass_mark.version})
    note_event(cert, "reviewed", actor, on, now, reason, versions, exam_score=exam_score,
           hours=training.done, due=due.isoformat(),
           next_review_on=upcoming.isoformat() if upcoming else None,
           extended=extended)
    _refreeze(cert)
    return upcoming


def _window(rule_key: str, last_day: date, region: Region | None) -> tuple[date, object]:
    rule = rule_at(rule_key, last_day, region)
    return last_day - timedelta(days=int(rule.value)), rule


def extend(cert: Certificate, actor: Account, on: date, now: datetime, *, reason: str = "") -> date:
    """Extend a principal/safety-manager certificate applied for at least 30 days before expiry."""
    if cert.cert_type is not CertificateType.SAFETY_QUALIFICATION:
        raise LifecycleRefused(str(_l("Only the principal person's and safety manager's certificate is "
                                      "extended; special-operations certificates are reviewed or replaced.")))
    last_day, rule = _window(EXTENSION_WINDOW_RULE, cert.expires_on, _region(cert))
    if on > last_day:
        raise LifecycleRefused(str(_l("An extension must be applied for by %(day)s, %(n)s days before "
                                      "expiry.", day=last_day, n=rule.value)))
    validity = rule_at(VALIDITY_RULES[cert.cert_type], cert.expires_on, _region(cert))
    old = cert.expires_on
    new = years_later(old + timedelta(days=1), int(validity.value))
    change_or_raise(cert, Certificate.status == CertificateStatus.ISSUED, Certificate.expires_on == old,
                    expires_on=new)
    versions = {rule.key: rule.version, validity.key: validity.version}
    note_event(cert, "extended", actor, on, now, reason, versions, expires_before=old.isoformat(),
               expires_on=new.isoformat())
    _refreeze(cert)
    return new


def replace(cert: Certificate, actor: Account, on: date, now: datetime, *, reason: str = "") -> Certificate:
    """换证: a new certificate under the same number for a new period, inside the window before
    expiry under the rules from 2026-06-01; the old one is marked replaced."""
    if cert.cert_type is not CertificateType.SPECIAL_OPS:
        raise LifecycleRefused(str(_l("Only special-operations certificates are replaced every 6 years.")))
    try:
        opens, rule = _window(REPLACEMENT_WINDOW_RULE, cert.expires_on, _region(cert))
    except RuleMissing:
        raise LifecycleRefused(str(_l("The rules in force at expiry have no replacement: the certificate is "
                                      "reviewed instead."))) from None
    if not opens <= on <= cert.expires_on:
        raise LifecycleRefused(str(_l("A replacement is applied for from %(opens)s to %(last)s.", opens=opens,
                                      last=cert.expires_on)))
    change_or_raise(cert, Certificate.status == CertificateStatus.ISSUED, status=CertificateStatus.REPLACED,
                    status_reason=str(_l("Replaced every 6 years")))
    start = cert.expires_on + timedelta(days=1)
    dates = dates_for(cert.cert_type, start, _region(cert))
    successor = Certificate(
        cert_type=cert.cert_type, status=CertificateStatus.ISSUED, source=cert.source, number=cert.number,
        generation=cert.generation + 1, person_id=cert.person_id, employment_id=cert.employment_id,
        post=cert.post, operation_category=cert.operation_category, operation_subtype=cert.operation_subtype,
        pass_key=f"replacement:{cert.id}", issued_on=start, expires_on=dates.expires_on,
        next_review_on=dates.next_review_on, issuing_authority=cert.issuing_authority, issued_by_id=actor.id,
        issued_at=now, rule_versions=dates.rule_versions, replaces_id=cert.id)
    db.session.add(successor)
    db.session.flush()
    note_event(cert, "replaced", actor, on, now, reason, {rule.key: rule.version}, successor=successor.id)
    db.session.add(CertificateEvent(certificate_id=successor.id, kind="issued", on=on, at=now,
                                    actor_id=actor.id, reason=reason, rule_versions=dates.rule_versions,
                                    data={"replaces": cert.id, "qr_key": current_key_id()}))
    db.session.flush()
    freeze_pdf(successor)
    return successor


def _refreeze(cert: Certificate) -> None:
    """The PDF now shows the new record (review, expiry, reissue): keep its new hash."""
    db.session.flush()
    freeze_pdf(cert)


def reissue(cert: Certificate, actor: Account, on: date, now: datetime, *, reason: str) -> int:
    """Reissue after loss or damage: same number and dates, the count annotated on the certificate."""
    if not reason or not reason.strip():
        raise LifecycleRefused(str(_l("Give the reason.")))
    change_or_raise(cert, Certificate.status == CertificateStatus.ISSUED,
                    Certificate.reissue_count == cert.reissue_count, reissue_count=cert.reissue_count + 1)
    note_event(cert, "reissued", actor, on, now, reason.strip(), {"reissue": "暂行办法 第27条"},
               count=cert.reissue_count)
    _refreeze(cert)
    return cert.reissue_count
