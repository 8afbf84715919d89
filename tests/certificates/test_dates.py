"""A certificate's dates follow the rules in force by date: 6 years of validity and a review every
3 years until 2026-05-31; no review falling due from 2026-06-01 (replacement every 6 years); the
review window 60 days before; the principal/safety-manager certificate valid 3 years. The expected
dates are worked out by hand from domain.md 3.4, 3.10 and 4."""

from datetime import date

import pytest

from certificates.dates import dates_for, review_window_opens, standing
from certificates.models import Certificate, CertificateStatus, CertificateType

SPECIAL, SAFETY = CertificateType.SPECIAL_OPS, CertificateType.SAFETY_QUALIFICATION


@pytest.fixture
def rules(make):
    make.rules()


def test_a_special_operations_certificate_issued_in_2020_is_reviewed_in_2023(rules):
    dates = dates_for(SPECIAL, date(2020, 3, 9), None)
    assert dates.expires_on == date(2026, 3, 8)
    assert dates.next_review_on == date(2023, 3, 9)
    assert dates.rule_versions == {"special_ops.certificate.validity_years": "令30号 第19条",
                                   "special_ops.certificate.review_interval_years": "令30号 第21条"}


def test_a_review_due_just_before_the_revision_stays(rules):
    dates = dates_for(SPECIAL, date(2023, 5, 31), None)
    assert dates.next_review_on == date(2026, 5, 31)


def test_a_review_due_on_or_after_2026_06_01_falls_away(rules):
    dates = dates_for(SPECIAL, date(2023, 6, 1), None)
    assert dates.next_review_on is None and dates.expires_on == date(2029, 5, 31)
    # Both versions are cited: the interval in force at issue and the revision on the due date.
    cited = dates.rule_versions["special_ops.certificate.review_interval_years"]
    assert cited == "令30号 第21条 / 令30号 2026修订"


def test_a_certificate_issued_after_the_revision_has_no_review(rules):
    dates = dates_for(SPECIAL, date(2026, 7, 1), None)
    assert dates.next_review_on is None and dates.expires_on == date(2032, 6, 30)
    assert dates.rule_versions["special_ops.certificate.review_interval_years"] == "令30号 2026修订"


def test_the_ten_year_extension_reviews_every_6_years_which_is_at_expiry(rules):
    # 10+ continuous years in the same operation: the next review would be 6 years on, which is
    # no earlier than expiry, so the certificate runs to its end without a review.
    dates = dates_for(SPECIAL, date(2019, 1, 5), None, extended_review=True)
    assert dates.next_review_on is None and dates.expires_on == date(2025, 1, 4)


def test_the_safety_qualification_is_valid_3_years_without_review(rules):
    dates = dates_for(SAFETY, date(2025, 4, 1), None)
    assert dates.expires_on == date(2028, 3, 31) and dates.next_review_on is None
    assert dates.rule_versions == {"principal_certificate.validity_years": "令44号 第25条"}


def test_a_leap_day_issue_ends_the_day_before_its_anniversary(rules):
    assert dates_for(SAFETY, date(2024, 2, 29), None).expires_on == date(2027, 2, 27)


def _issued(issued: date, expires: date, review: date | None, status=CertificateStatus.ISSUED):
    return Certificate(cert_type=SPECIAL, status=status, issued_on=issued, expires_on=expires,
                       next_review_on=review)


@pytest.mark.parametrize("on, expected", [
    (date(2023, 1, 8), "valid"),
    (date(2023, 1, 9), "review_due"),      # 60 days before 2023-03-10
    (date(2023, 3, 10), "review_due"),     # the review day itself
    (date(2023, 3, 11), "review_overdue"),
    (date(2026, 3, 9), "review_overdue"),  # still overdue on its last day
    (date(2026, 3, 10), "expired"),
])
def test_standing_by_day(rules, on, expected):
    cert = _issued(date(2020, 3, 10), date(2026, 3, 9), date(2023, 3, 10))
    assert review_window_opens(cert, None) == date(2023, 1, 9)
    assert standing(cert, on) == expected


def test_a_recorded_state_wins_over_the_dates(rules):
    cert = _issued(date(2020, 3, 10), date(2026, 3, 9), None, status=CertificateStatus.REVOKED)
    assert standing(cert, date(2021, 1, 1)) == "revoked"
