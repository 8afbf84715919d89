"""A certificate's dates from the rules in force: expiry, the next review, the review window, and
its standing on any day (valid, review due, review overdue, expired, or its recorded state)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from certificates.models import Certificate, CertificateStatus, CertificateType
from courses.requirements import add_months
from lms.models import Region
from lms.rules import RuleMissing, rule_at

VALIDITY_RULES = {CertificateType.SPECIAL_OPS: "special_ops.certificate.validity_years",
                  CertificateType.SAFETY_QUALIFICATION: "principal_certificate.validity_years"}
REVIEW_INTERVAL_RULE = "special_ops.certificate.review_interval_years"
REVIEW_WINDOW_RULE = "special_ops.certificate.review_apply_days_before"
EXTENSION_WINDOW_RULE = "principal_certificate.extension_apply_days_before"
#: The value of the review-interval rule once reviews are abolished (replacement every 6 years).
NO_REVIEW = "abolished"


@dataclass(frozen=True)
class Dates:
    """Expiry and next review of a certificate, with the rule versions they came from."""

    expires_on: date
    next_review_on: date | None
    rule_versions: dict = field(default_factory=dict)


def years_later(day: date, years: int) -> date:
    """The day before the same date ``years`` later: the last day of a period of whole years."""
    return add_months(day, 12 * years) - timedelta(days=1)


def dates_for(cert_type: CertificateType, issued_on: date, region: Region | None, *,
              extended_review: bool = False) -> Dates:
    """Dates of a certificate issued on ``issued_on`` under the rules in force that day; the
    review falls away when the rules in force on its due date have none (from 2026-06-01)."""
    validity = rule_at(VALIDITY_RULES[cert_type], issued_on, region)
    versions = {validity.key: validity.version}
    expires = years_later(issued_on, int(validity.value))
    review = None
    if cert_type is CertificateType.SPECIAL_OPS:
        review, review_versions = next_review(issued_on, expires, region, extended=extended_review)
        versions.update(review_versions)
    return Dates(expires, review, versions)


def next_review(since: date, expires: date, region: Region | None, *,
                extended: bool = False) -> tuple[date | None, dict]:
    """The review due one interval after ``since`` (the issue or the last review), or None when
    the rules on that date have no review or it would fall after expiry."""
    interval = rule_at(REVIEW_INTERVAL_RULE, since, region)
    if not isinstance(interval.value, dict):
        return None, {interval.key: interval.version}
    years = int(interval.value["extended" if extended else "standard"])
    due = add_months(since, 12 * years)
    on_due = rule_at(REVIEW_INTERVAL_RULE, due, region)
    versions = {interval.key: interval.version if on_due.version == interval.version
                else f"{interval.version} / {on_due.version}"}
    if on_due.value == NO_REVIEW or due > expires:
        return None, versions
    return due, versions


def review_window_opens(cert: Certificate, region: Region | None) -> date | None:
    """First day a review may be applied for (60 days before it is due, while that rule holds)."""
    if cert.next_review_on is None:
        return None
    try:
        days = rule_at(REVIEW_WINDOW_RULE, cert.next_review_on, region)
    except RuleMissing:
        return cert.next_review_on
    return cert.next_review_on - timedelta(days=int(days.value))


def standing(cert: Certificate, on: date, region: Region | None = None) -> str:
    """What the certificate is on ``on``: its recorded state when not issued, else expired,
    review overdue, review due (inside the window) or valid."""
    if cert.status is not CertificateStatus.ISSUED:
        return cert.status.value
    if cert.expires_on is not None and on > cert.expires_on:
        return "expired"
    if cert.next_review_on is not None:
        if on > cert.next_review_on:
            return "review_overdue"
        opens = review_window_opens(cert, region)
        if opens is not None and on >= opens:
            return "review_due"
    return "valid"
