"""Demo data: the demo enterprise's certificates issued before the system, imported with their
dates, so the certificate pages, the verification page and the reminders have something real."""

import random
from datetime import date, timedelta

from sqlalchemy import select

from certificates.dates import dates_for
from certificates.issuance import authority_name, certificate_type_for, freeze_pdf
from certificates.models import Certificate, CertificateEvent, CertificateSource, CertificateStatus
from certificates.signing import current_key_id
from lms.extensions import db
from lms.models import Employment, Organization, Post, Region

#: Days before today the demo certificates were issued: most valid, one near expiry, one expired.
ISSUED_DAYS_AGO = (400, 800, 1200, 1600, 2190 - 20, 2190 + 40)


def add_demo_certificates(_sender=None, *, today: date, **_kwargs) -> None:
    """Receiver of lms.signals.demo_finished: certificates for the demo enterprise's key posts and
    special-operations workers outside the operation the demo exam session examines."""
    from courses.demo import DEMO_ENTERPRISE

    region = db.session.scalar(select(Region).where(Region.code == "320200"))
    employments = db.session.scalars(select(Employment).join(Organization).where(
        Organization.name == DEMO_ENTERPRISE,
        Employment.post.in_([Post.PRINCIPAL, Post.SAFETY_MANAGER, Post.SPECIAL_OPERATIONS]))
        .order_by(Employment.id)).all()
    rng = random.Random(20261129)
    overdue_left = False
    for n, job in enumerate(e for e in employments if e.operation_subtype != "1.2"):
        issued = today - timedelta(days=ISSUED_DAYS_AGO[n % len(ISSUED_DAYS_AGO)] + rng.randrange(30))
        cert = _imported(job, issued, region)
        if cert.next_review_on is not None and cert.next_review_on < today:
            # Reviews that fell due were done, but one is left overdue for the officer to follow up.
            if overdue_left:
                _reviewed(cert)
            overdue_left = True
        freeze_pdf(cert)


def _reviewed(cert: Certificate) -> None:
    db.session.add(CertificateEvent(certificate_id=cert.id, kind="reviewed", on=cert.next_review_on,
                                    reason="", data={"source": "demo"}))
    cert.next_review_on = None  # the next one would fall after expiry
    db.session.flush()


def _imported(job: Employment, issued: date, region: Region | None) -> Certificate:
    cert_type = certificate_type_for(job.operation_subtype)
    dates = dates_for(cert_type, issued, region)
    number = ("T" + job.person.id_number if job.operation_subtype
              else f"AQ320200{issued.year}{job.person_id:06d}")
    cert = Certificate(cert_type=cert_type, status=CertificateStatus.ISSUED, source=CertificateSource.IMPORT,
                       number=number, person_id=job.person_id, employment_id=job.id, post=job.post.value,
                       operation_category=job.operation_category, operation_subtype=job.operation_subtype,
                       pass_key=f"demo:{job.id}", issued_on=issued, expires_on=dates.expires_on,
                       next_review_on=dates.next_review_on, issuing_authority=authority_name(region))
    db.session.add(cert)
    db.session.flush()
    db.session.add(CertificateEvent(certificate_id=cert.id, kind="imported", on=issued, reason="",
                                    data={"source": "demo", "qr_key": current_key_id()}))
    db.session.flush()
    return cert
