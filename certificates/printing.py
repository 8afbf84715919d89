"""Choosing certificates for a print run: by exam session, by enterprise or by issue date."""

from datetime import date

from sqlalchemy import select

from certificates.models import Certificate, CertificateStatus
from exams.attempts.models import ExamAttempt
from exams.centres.models import Registration
from lms.extensions import db
from lms.models import Employment


def _of_session(session_id: int):
    """Pass keys of the session's passes: its attempts (theory) and its score sheets (practical)."""
    from exams.practical.models import PracticalScore

    attempts = (select(ExamAttempt.id).join(Registration, ExamAttempt.registration_id == Registration.id)
                .where(Registration.session_id == session_id))
    sheets = select(PracticalScore.id).where(PracticalScore.session_id == session_id)
    return [f"examattempt:{i}" for i in db.session.scalars(attempts)] + [
        f"practicalscore:{i}" for i in db.session.scalars(sheets)]


def print_run(*, session_id: int | None = None, enterprise_id: int | None = None,
              issued_from: date | None = None, issued_to: date | None = None, scope=None) -> list[int]:
    """Ids of the issued certificates chosen, by number, for one print-ready PDF (within ``scope``,
    a condition on Certificate, when given)."""
    query = select(Certificate.id).where(Certificate.status == CertificateStatus.ISSUED)
    if scope is not None:
        query = query.where(scope)
    if session_id is not None:
        keys = _of_session(session_id)
        query = query.where(Certificate.pass_key.in_(keys))
    if enterprise_id is not None:
        query = query.where(Certificate.employment_id.in_(
            select(Employment.id).where(Employment.organization_id == enterprise_id)))
    if issued_from is not None:
        query = query.where(Certificate.issued_on >= issued_from)
    if issued_to is not None:
        query = query.where(Certificate.issued_on <= issued_to)
    return list(db.session.scalars(query.order_by(Certificate.number, Certificate.id)))
