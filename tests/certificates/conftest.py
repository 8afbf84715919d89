"""Fixtures for the certificate PDF, QR signing and verification tests: certificate rows inserted
directly (no exam, no officer), a holder with a photo, and the clock standing on a fixed day."""

import io
from datetime import UTC, date, datetime

import pytest

from certificates.models import Certificate, CertificateEvent, CertificateStatus, CertificateType
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import Post

#: The day the verification tests stand on (the rules before the 2026-06-01 revision apply to
#: certificates issued in 2025).
TODAY = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


def photo_bytes(colour=(70, 90, 140)) -> bytes:
    """A small portrait-like JPEG."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 400), (225, 232, 245))
    draw = ImageDraw.Draw(image)
    draw.ellipse((90, 60, 210, 200), fill=colour)
    draw.rectangle((60, 220, 240, 400), fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def on_day(app):
    """Stand the app's clock on TODAY (and put the system clock back afterwards)."""
    from lms.clock import _EXTENSION

    before = app.extensions.get(_EXTENSION)
    install_clock(app, FixedClock(TODAY))
    yield TODAY.date()
    if before is None:
        app.extensions.pop(_EXTENSION, None)
    else:
        install_clock(app, before)


@pytest.fixture
def holder(make):
    """王小明, a welder of a Wuxi enterprise, with a photo on file."""
    from exams.centres.photos import save_photo

    make.rules()
    org = make.org("无锡焊接工程有限公司", high_risk=True, industry="hazardous_chemicals")
    person = make.person("王小明", org, Post.SPECIAL_OPERATIONS, subtype="2.1")
    person.photo_digest = save_photo(io.BytesIO(photo_bytes()))
    db.session.commit()
    return person


@pytest.fixture
def make_cert(holder):
    """Insert a certificate row of ``holder`` (or another person) as the lifecycle would leave it."""

    def build(person=None, *, status=CertificateStatus.ISSUED, subtype="2.1",
              cert_type=CertificateType.SPECIAL_OPS, issued_on=date(2025, 1, 10),
              expires_on=date(2031, 1, 9), next_review_on=date(2028, 1, 10), number=None,
              generation=0, reissue_count=0, reviews=(), authority="无锡市应急管理局") -> Certificate:
        person = person or holder
        special = cert_type is CertificateType.SPECIAL_OPS
        employment = person.employments[0] if person.employments else None
        cert = Certificate(
            cert_type=cert_type, status=status, number=number or "T" + person.id_number,
            generation=generation, person_id=person.id,
            employment_id=employment.id if employment else None,
            post=Post.SPECIAL_OPERATIONS.value if special else Post.SAFETY_MANAGER.value,
            operation_category=subtype.split(".")[0] if special else None,
            operation_subtype=subtype if special else None,
            pass_key=f"test:{person.id}:{subtype}:{generation}:{status}:{number}",
            issued_on=issued_on, expires_on=expires_on, next_review_on=next_review_on if special else None,
            issuing_authority=authority, reissue_count=reissue_count, rule_versions={})
        db.session.add(cert)
        db.session.flush()
        for on, following in reviews:
            db.session.add(CertificateEvent(certificate_id=cert.id, kind="reviewed", on=on,
                                            data={"next_review_on": following.isoformat()}))
        db.session.commit()
        return cert

    return build
