"""A pass becomes exactly one certificate: the pass signal creates it pending, the officer of the
region issues it once (number, dates and rule versions, the PDF's SHA-256 frozen), holder and
employer see it, officers elsewhere do not; revocation for fraud bars the holder from exams."""

import hashlib
from datetime import date, timedelta

import pytest
from attempts_world import MORNING, build_exam, registrations
from sqlalchemy import func, select

from certificates.issuance import on_exam_passed
from certificates.models import Certificate, CertificateEvent, CertificateStatus, CertificateType
from certificates.pdf import render_certificate
from exams.attempts.services import save_answer, start_attempt, submit
from exams.centres.models import ExamBar, SessionKind
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import AuditEvent, Post
from lms.roles import Role

START = MORNING + timedelta(minutes=5)
ISSUE_DAY = START + timedelta(days=3)


@pytest.fixture
def exam(app, make):
    day = build_exam(make)
    session = day.session
    session.kind, session.post, session.operation_subtype = SessionKind.PRINCIPAL, Post.PRINCIPAL.value, None
    db.session.commit()
    make.account("officer", Role.CERTIFICATE_OFFICER, region_code="320200")
    make.account("far_officer", Role.CERTIFICATE_OFFICER, region_code="341500")
    install_clock(app, FixedClock(ISSUE_DAY))
    yield day
    app.extensions.pop("lms.clock", None)


def _pass(exam, index=0, right=90):
    reg = registrations(exam)[index]
    attempt = start_attempt(reg, START)
    for seq, item in enumerate(attempt.paper.items, start=1):
        choice = item.key if seq <= right else [c for c in (0, 1) if c not in item.key][:1]
        save_answer(attempt.id, item.id, choice, False, seq, START + timedelta(minutes=1))
    submit(attempt, START + timedelta(minutes=60), by="candidate")
    db.session.commit()
    return attempt


def _certs():
    return db.session.scalars(select(Certificate).order_by(Certificate.id)).all()


def test_a_pass_creates_one_pending_certificate_and_a_fail_none(exam):
    attempt = _pass(exam, 0, right=90)
    _pass(exam, 1, right=50)
    (cert,) = _certs()
    assert cert.status is CertificateStatus.PENDING and cert.cert_type is CertificateType.SAFETY_QUALIFICATION
    assert cert.person_id == attempt.registration.person_id and cert.theory_score == 90.0
    assert cert.pass_key == f"examattempt:{attempt.id}"
    # The same pass announced again (a replayed signal) adds nothing.
    assert on_exam_passed(attempt, person_id=cert.person_id, employment_id=cert.employment_id,
                          operation_subtype=None, theory_points=90.0, practical_points=None,
                          passed_on=cert.passed_on) is None
    assert len(_certs()) == 1


def test_the_officer_issues_it_once_with_dates_rules_and_the_pdf_hash(exam, client, login):
    _pass(exam)
    (cert,) = _certs()
    login("officer")
    page = client.get("/certificates/pending").get_data(as_text=True)
    assert cert.person.name in page
    assert client.post("/certificates/issue", data={"certificate": [cert.id]}).status_code == 302
    assert client.post("/certificates/issue", data={"certificate": [cert.id]}).status_code == 302
    db.session.refresh(cert)
    assert cert.status is CertificateStatus.ISSUED and cert.issued_on == date(2026, 12, 18)
    assert cert.expires_on == date(2029, 12, 17) and cert.next_review_on is None
    assert cert.number.startswith("AQ320200" + "2026") and cert.issuing_authority == "无锡市应急管理局"
    assert cert.rule_versions == {"principal_certificate.validity_years": "令44号 第25条"}
    assert cert.pdf_sha256 == hashlib.sha256(render_certificate(cert)).hexdigest()
    assert db.session.scalar(select(func.count(CertificateEvent.id))) == 1
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "certificates.issued")) == 1
    download = client.get(f"/certificates/{cert.id}/pdf")
    assert hashlib.sha256(download.data).hexdigest() == cert.pdf_sha256


def test_an_officer_of_another_region_finds_nothing(exam, client, login):
    _pass(exam)
    (cert,) = _certs()
    login("far_officer")
    assert cert.person.name not in client.get("/certificates/pending").get_data(as_text=True)
    client.post("/certificates/issue", data={"certificate": [cert.id]})
    assert client.get(f"/certificates/{cert.id}").status_code == 404
    db.session.refresh(cert)
    assert cert.status is CertificateStatus.PENDING


def _issued(exam, client, login):
    _pass(exam)
    (cert,) = _certs()
    login("officer")
    client.post("/certificates/issue", data={"certificate": [cert.id]})
    client.post("/logout")
    db.session.refresh(cert)
    return cert


def test_holder_and_employer_see_it_others_do_not(exam, client, login, make):
    cert = _issued(exam, client, login)
    make.account("holder", Role.LEARNER, org=exam.enterprise, person=cert.person)
    login("holder")
    assert cert.number in client.get("/certificates/mine").get_data(as_text=True)
    assert client.get(f"/certificates/{cert.id}/pdf").status_code == 200
    client.post("/logout")
    login("ent_admin")
    assert cert.number in client.get("/certificates/employees").get_data(as_text=True)
    client.post("/logout")
    login("other_admin")
    assert cert.number not in client.get("/certificates/employees").get_data(as_text=True)
    assert client.get(f"/certificates/{cert.id}").status_code == 404


def test_revocation_for_false_information_bars_the_holder_and_watermarks_the_pdf(exam, client, login):
    cert = _issued(exam, client, login)
    login("officer")
    revoke = f"/certificates/{cert.id}/revoke"
    client.post(revoke, data={"revoke-ground": "false_information", "revoke-reason": ""})
    db.session.refresh(cert)
    assert cert.status is CertificateStatus.ISSUED  # no reason, nothing done
    client.post(revoke, data={"revoke-ground": "false_information", "revoke-reason": "学历造假"})
    db.session.refresh(cert)
    assert cert.status is CertificateStatus.REVOKED and cert.revocation_ground == "false_information"
    bar = db.session.scalar(select(ExamBar).where(ExamBar.person_id == cert.person_id))
    assert (bar.starts_on, bar.ends_on) == (date(2026, 12, 18), date(2029, 12, 17))
    revoked_pdf = client.get(f"/certificates/{cert.id}/pdf").data
    assert hashlib.sha256(revoked_pdf).hexdigest() != cert.pdf_sha256
    # A second revocation finds it revoked and changes nothing.
    client.post(revoke, data={"revoke-ground": "accident", "revoke-reason": "再次"})
    db.session.refresh(cert)
    assert cert.revocation_ground == "false_information"
    assert db.session.scalar(select(func.count(ExamBar.id))) == 1


def test_after_a_key_rotation_the_issued_pdf_is_still_the_same_bytes(exam, client, login, app):
    from certificates.signing import rotate

    cert = _issued(exam, client, login)
    rotate(app.instance_path)
    login("officer")
    assert hashlib.sha256(client.get(f"/certificates/{cert.id}/pdf").data).hexdigest() == cert.pdf_sha256


def test_the_session_print_run_is_one_pdf_of_its_issued_certificates(exam, client, login, app, tmp_path):
    import subprocess

    from certificates.cli import certificates_group

    cert = _issued(exam, client, login)
    _pass(exam, 1)  # a second pass of the session, still pending: not printed
    out = tmp_path / "session.pdf"
    runner = app.test_cli_runner()
    result = runner.invoke(certificates_group, ["print", str(out), "--session", str(exam.session.id),
                                                "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 certificate(s)" in result.output
    text = subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert cert.number in text and text.count("证号 No.") == 1
    refused = runner.invoke(certificates_group, ["print", str(tmp_path / "none.pdf"), "--session", "999999"])
    assert refused.exit_code != 0 and "No issued certificate matches" in refused.output


def test_the_officer_prints_a_session_from_the_print_page(exam, client, login):
    import subprocess

    cert = _issued(exam, client, login)
    login("officer")
    assert client.get("/certificates/print").status_code == 200
    response = client.get(f"/certificates/print?session={exam.session.id}")
    assert response.mimetype == "application/pdf"
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=response.data, capture_output=True,
                          check=True).stdout
    assert cert.number.encode() in text
    assert client.get("/certificates/print?enterprise=0&session=0").mimetype == "text/html"
    client.post("/logout")
    login("far_officer")  # another region: the session's certificates are not theirs to print
    assert client.get(f"/certificates/print?session={exam.session.id}").status_code in (200, 422)
    assert client.get(f"/certificates/print?session={exam.session.id}").mimetype == "text/html"


def test_a_refused_action_and_a_second_issue_are_recorded(exam, client, login):
    cert = _issued(exam, client, login)
    login("officer")
    client.post("/certificates/issue", data={"certificate": [cert.id]})  # issued already
    client.post(f"/certificates/{cert.id}/extend", data={})  # applied for in time: allowed, not refused
    client.post(f"/certificates/{cert.id}/replace", data={})  # not a special-operations certificate
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificates.refused")
                                 .order_by(AuditEvent.id)).all()
    assert [e.details["attempted"] for e in refused] == ["issue", "replace"]
    assert all(e.details["reason"] for e in refused)
