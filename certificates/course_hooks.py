"""The training requirements read review dates from the certificates the system holds."""

from datetime import date

from sqlalchemy import select

from certificates.models import Certificate, CertificateStatus, CertificateType
from lms.extensions import db


def review_dates(person_ids: list[int]) -> dict[tuple[int, str], list[date]]:
    """Receiver of courses.signals.review_dates_wanted: the review dates of the group's standing
    special-operations certificates by (person, operation sub-type), in one query."""
    known: dict[tuple[int, str], list[date]] = {}
    rows = db.session.execute(select(Certificate.person_id, Certificate.operation_subtype,
                                     Certificate.next_review_on).where(
        Certificate.person_id.in_(list(person_ids)), Certificate.cert_type == CertificateType.SPECIAL_OPS,
        Certificate.operation_subtype.is_not(None),
        Certificate.status.in_([CertificateStatus.ISSUED, CertificateStatus.SUSPENDED])))
    for person_id, subtype, review_on in rows:
        dates = known.setdefault((person_id, subtype), [])
        if review_on is not None:
            dates.append(review_on)
    return {key: sorted(dates) for key, dates in known.items()}
