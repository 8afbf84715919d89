"""Public certificate verification in Chromium: a visitor opens a number (masked name), proves
possession with the holder's name, opens the QR code's link (full record, photo), and pastes a
forged code; every page passes axe-core. Screenshots under build/screenshots."""

import io
from datetime import UTC, date, datetime

import pytest
from PIL import Image, ImageDraw

from certificates import signing
from certificates.models import Certificate, CertificateStatus, CertificateType
from exams.centres.photos import save_photo
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import Post

pytestmark = pytest.mark.browser


def _photo() -> bytes:
    image = Image.new("RGB", (300, 400), (225, 232, 245))
    draw = ImageDraw.Draw(image)
    draw.ellipse((90, 60, 210, 200), fill=(70, 90, 140))
    draw.rectangle((60, 220, 240, 400), fill=(70, 90, 140))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def certificate(app, make):
    make.rules()
    org = make.org("无锡焊接工程有限公司")
    person = make.person("王小明", org, Post.SPECIAL_OPERATIONS, subtype="2.1")
    person.photo_digest = save_photo(io.BytesIO(_photo()))
    common = dict(cert_type=CertificateType.SPECIAL_OPS, number="T" + person.id_number, person_id=person.id,
                  employment_id=person.employments[0].id, post=Post.SPECIAL_OPERATIONS.value,
                  issuing_authority="无锡市应急管理局", rule_versions={})
    valid = Certificate(status=CertificateStatus.ISSUED, operation_category="2", operation_subtype="2.1",
                        pass_key="browser:1", issued_on=date(2025, 1, 10), expires_on=date(2031, 1, 9),
                        next_review_on=date(2028, 1, 10), **common)
    revoked = Certificate(status=CertificateStatus.REVOKED, operation_category="1", operation_subtype="1.2",
                          pass_key="browser:2", issued_on=date(2024, 5, 6), expires_on=date(2030, 5, 5),
                          next_review_on=date(2027, 5, 6), **common)
    db.session.add_all([valid, revoked])
    db.session.commit()
    install_clock(app, FixedClock(datetime(2026, 3, 2, 4, tzinfo=UTC)))
    yield valid
    app.extensions.pop("lms.clock", None)


def test_a_visitor_verifies_a_certificate(live_server, page, certificate, shoot, axe_check):
    page.goto(f"{live_server}/verify/{certificate.number}")
    # Selected by id, not by words: the page's language and its catalog may change.
    page.locator("h1").wait_for()
    holders = page.locator(".holder")
    assert holders.all_inner_texts() == ["王*明", "王*明"]
    assert page.locator('[data-status="revoked"]').count() == 1
    assert page.locator('[data-status="valid"]').count() == 1
    axe_check(page)
    shoot(page, "verify-masked")

    page.locator("#name").fill("王小明")
    page.locator("form:has(#name) button[type=submit]").click()
    page.locator(".verify-photo").first.wait_for()
    assert holders.all_inner_texts() == ["王小明", "王小明"]
    assert page.locator(".verify-photo").first.evaluate("img => img.naturalWidth") > 0

    token = signing.extract_token(signing.sign_payload(certificate))
    page.goto(f"{live_server}/verify/{certificate.number}?t={token}")
    page.locator("#qr-result.success").wait_for()
    axe_check(page)
    shoot(page, "verify-qr-token")

    page.goto(f"{live_server}/verify/scan")
    page.locator("#payload").fill(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
    page.locator("form:has(#payload) button[type=submit]").click()
    page.locator("#qr-result.error").wait_for()
    axe_check(page)
    shoot(page, "verify-scan-forged")
