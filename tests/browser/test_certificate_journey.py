"""A pass becomes a certificate, in Chromium: a principal-person candidate passes on the attempt
engine; the certificate officer finds the pass waiting and issues the certificate; the holder
downloads the PDF (the bytes whose SHA-256 was frozen at issue); a visitor with no account opens
the public verification page and sees it valid with a masked name; the officer revokes it and the
same page says revoked."""

import hashlib
from datetime import timedelta

import pytest
from attempts_world import MORNING, build_exam, registrations
from browser_helpers import english, sign_in
from sqlalchemy import select

from certificates.models import Certificate
from exams.attempts.services import save_answer, start_attempt, submit
from exams.centres.models import SessionKind
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import Post
from lms.roles import Role

pytestmark = pytest.mark.browser

START = MORNING + timedelta(minutes=5)


@pytest.fixture
def passed(app, make):
    day = build_exam(make)
    session = day.session
    session.kind, session.post, session.operation_subtype = SessionKind.PRINCIPAL, Post.PRINCIPAL.value, None
    db.session.commit()
    reg = registrations(day)[0]
    attempt = start_attempt(reg, START)
    for seq, item in enumerate(attempt.paper.items, start=1):
        save_answer(attempt.id, item.id, item.key, False, seq, START + timedelta(minutes=1))
    submit(attempt, START + timedelta(minutes=50), by="candidate")
    db.session.commit()
    make.account("officer", Role.CERTIFICATE_OFFICER, region_code="320200")
    make.account("holder", Role.LEARNER, org=day.enterprise, person=reg.person)
    install_clock(app, FixedClock(START + timedelta(days=2)))
    yield reg.person
    app.extensions.pop("lms.clock", None)


def test_a_pass_becomes_a_certificate_that_anyone_can_verify_until_revoked(
        browser, live_server, passed, shoot, axe_check):
    base, person = live_server, passed
    officer_context, officer = english(browser)
    sign_in(officer, base, "officer")
    officer.get_by_role("link", name="Certificates to issue").first.click()
    officer.get_by_label(person.name).check()
    axe_check(officer)
    shoot(officer, "certificates-pending")
    officer.get_by_role("button", name="Issue the chosen certificates").click()
    officer.get_by_text("1 certificate(s) issued.").wait_for()
    db.session.rollback()
    cert = db.session.scalar(select(Certificate).where(Certificate.person_id == person.id))
    assert cert.number and cert.pdf_sha256

    holder_context, holder = english(browser, accept_downloads=True)
    sign_in(holder, base, "holder")
    holder.goto(base + "/certificates/mine")
    holder.get_by_role("link", name=cert.number).click()
    axe_check(holder)
    shoot(holder, "certificate-detail-holder")
    with holder.expect_download() as download:
        holder.get_by_role("link", name="Download the PDF").click()
    from pathlib import Path

    body = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(body).hexdigest() == cert.pdf_sha256

    visitor_context, visitor = english(browser)
    visitor.goto(f"{base}/verify/{cert.number}")
    page_text = visitor.locator("main").inner_text()
    assert "Valid" in page_text and person.name not in page_text  # the name is masked
    axe_check(visitor)
    shoot(visitor, "verify-valid")

    officer.goto(f"{base}/certificates/{cert.id}")
    officer.get_by_text("Revoke", exact=True).click()
    officer.get_by_label("Ground (令30号 第30条)").select_option("accident")
    officer.locator("form[action$='/revoke']").get_by_label("Reason").fill("对生产安全事故负有责任")
    officer.get_by_role("button", name="Revoke the certificate").click()
    officer.get_by_text("Done.").wait_for()
    shoot(officer, "certificate-revoked")

    visitor.reload()
    assert "Revoked" in visitor.locator("main").inner_text()
    shoot(visitor, "verify-revoked")
    for context in (officer_context, holder_context, visitor_context):
        context.close()
