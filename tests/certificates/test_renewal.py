"""Review, extension, replacement and reissue follow the rules by date: the review only inside its
60-day window, with 8 class hours of review training and the review exam passed; no review once the
rules abolish it; the 10-year longer interval only for ten continuous years; extension of the
principal/safety-manager certificate only 30 days or more before expiry; replacement every 6 years
from 2026-06-01; reissue after loss under the same number. Dates worked out by hand."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from certificates.lifecycle import LifecycleRefused
from certificates.models import Certificate, CertificateEvent, CertificateStatus, CertificateType
from certificates.renewal import extend, record_review, reissue, replace
from courses.models import ExternalTraining
from lms.extensions import db
from lms.models import Employment, Post
from lms.roles import Role

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english(app):
    """Refusals are read in English here (the default language is Chinese)."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def world(make):
    make.rules()
    ent = make.org("无锡丙电气", industry="machinery")
    worker = make.person("赵电工", org=ent, post=Post.SPECIAL_OPERATIONS, subtype="1.2")
    manager = make.person("钱经理", org=ent, post=Post.SAFETY_MANAGER)
    officer = make.account("officer", Role.CERTIFICATE_OFFICER, region_code="320200")
    db.session.commit()
    return {"ent": ent, "worker": worker, "manager": manager, "officer": officer}


def _job(person) -> Employment:
    return db.session.scalar(select(Employment).where(Employment.person_id == person.id))


def _cert(person, cert_type, issued, expires, review=None, subtype=None) -> Certificate:
    job = _job(person)
    cert = Certificate(cert_type=cert_type, status=CertificateStatus.ISSUED,
                       number="T" + person.id_number, person_id=person.id, employment_id=job.id,
                       post=job.post.value, operation_subtype=subtype,
                       operation_category=subtype.split(".")[0] if subtype else None,
                       pass_key=f"test:{person.id}:{issued}", issued_on=issued, expires_on=expires,
                       next_review_on=review, issuing_authority="无锡市应急管理局")
    db.session.add(cert)
    db.session.commit()
    return cert


def _special(world, issued=date(2020, 3, 10), expires=date(2026, 3, 9), review=date(2023, 3, 10)):
    return _cert(world["worker"], CertificateType.SPECIAL_OPS, issued, expires, review, "1.2")


def _trained(world, hours=8.0, on=date(2023, 1, 15)):
    db.session.add(ExternalTraining(person_id=world["worker"].id, organization_id=world["ent"].id,
                                    provider="无锡安培中心", title="复审培训", started_on=on, ended_on=on,
                                    class_hours=hours, proof_sha256="0" * 64, proof_mime="application/pdf"))
    db.session.commit()


def _events(cert) -> list[str]:
    return list(db.session.scalars(select(CertificateEvent.kind).where(
        CertificateEvent.certificate_id == cert.id).order_by(CertificateEvent.id)))


def test_a_review_outside_its_window_is_refused_and_changes_nothing(world):
    cert = _special(world)
    _trained(world)
    with pytest.raises(LifecycleRefused, match="2023-01-09 to 2023-03-10"):
        record_review(cert, world["officer"], date(2023, 1, 8), NOW, exam_score=90)
    with pytest.raises(LifecycleRefused):
        record_review(cert, world["officer"], date(2023, 3, 11), NOW, exam_score=90)
    db.session.rollback()
    assert cert.next_review_on == date(2023, 3, 10) and _events(cert) == []


def test_a_review_needs_the_8_class_hours_and_the_exam(world):
    cert = _special(world)
    _trained(world, hours=6)
    with pytest.raises(LifecycleRefused, match="6.0 of 8"):
        record_review(cert, world["officer"], date(2023, 2, 1), NOW, exam_score=90)
    _trained(world, hours=2, on=date(2023, 1, 20))
    with pytest.raises(LifecycleRefused, match="80"):
        record_review(cert, world["officer"], date(2023, 2, 1), NOW, exam_score=79)
    db.session.rollback()
    assert _events(cert) == []


def test_a_passed_review_is_recorded_with_its_rules(world):
    cert = _special(world)
    _trained(world)
    upcoming = record_review(cert, world["officer"], date(2023, 2, 1), NOW, exam_score=86)
    db.session.commit()
    # The next review would be 2026-03-10, after the expiry on 2026-03-09: none is due.
    assert upcoming is None and cert.next_review_on is None
    (event,) = db.session.scalars(select(CertificateEvent).where(CertificateEvent.certificate_id == cert.id))
    assert event.kind == "reviewed" and event.data["exam_score"] == 86 and event.data["hours"] == 8
    assert event.rule_versions == {"special_ops.certificate.review_interval_years": "令30号 第21条",
                                   "special_ops.certificate.review_training_hours": "令30号 第23条",
                                   "special_ops.exam.pass_mark": "暂行办法 第9条"}
    assert cert.pdf_sha256 is not None


def test_no_review_is_due_after_the_2026_revision(world):
    cert = _special(world, issued=date(2023, 6, 1), expires=date(2029, 5, 31), review=None)
    with pytest.raises(LifecycleRefused, match="no review due"):
        record_review(cert, world["officer"], date(2026, 5, 1), NOW, exam_score=90)


def test_the_longer_interval_needs_ten_continuous_years(world):
    cert = _special(world)  # employed since 2020-01-01, certificate since 2020-03-10
    _trained(world)
    with pytest.raises(LifecycleRefused, match="ten continuous years"):
        record_review(cert, world["officer"], date(2023, 2, 1), NOW, exam_score=90, extended=True)
    db.session.rollback()
    job = _job(world["worker"])
    job.start_date = date(2010, 1, 1)
    cert.generation = 1  # the holder's second certificate under the number, after one from 2012
    db.session.commit()
    earlier = _special(world, issued=date(2012, 1, 1), expires=date(2017, 12, 31), review=None)
    earlier.status = CertificateStatus.REPLACED
    db.session.commit()
    assert record_review(cert, world["officer"], date(2023, 2, 1), NOW, exam_score=90, extended=True) is None


def _safety(world, expires=date(2027, 3, 31)):
    return _cert(world["manager"], CertificateType.SAFETY_QUALIFICATION, date(2024, 4, 1), expires)


def test_an_extension_is_applied_for_at_least_30_days_before_expiry(world):
    cert = _safety(world)
    with pytest.raises(LifecycleRefused, match="2027-03-01"):
        extend(cert, world["officer"], date(2027, 3, 2), NOW)
    db.session.rollback()
    assert extend(cert, world["officer"], date(2027, 3, 1), NOW) == date(2030, 3, 31)
    db.session.commit()
    assert _events(cert) == ["extended"] and cert.expires_on == date(2030, 3, 31)


def test_a_special_operations_certificate_is_not_extended(world):
    with pytest.raises(LifecycleRefused):
        extend(_special(world), world["officer"], date(2025, 1, 1), NOW)


def test_replacement_every_6_years_from_the_revision(world):
    cert = _special(world, issued=date(2021, 1, 1), expires=date(2026, 12, 31), review=None)
    with pytest.raises(LifecycleRefused, match="2026-11-01 to 2026-12-31"):
        replace(cert, world["officer"], date(2026, 10, 31), NOW)
    db.session.rollback()
    successor = replace(cert, world["officer"], date(2026, 11, 15), NOW)
    db.session.commit()
    assert cert.status is CertificateStatus.REPLACED
    assert (successor.number, successor.generation) == (cert.number, 1)
    assert (successor.issued_on, successor.expires_on, successor.next_review_on) == (
        date(2027, 1, 1), date(2032, 12, 31), None)
    assert successor.replaces_id == cert.id and successor.pdf_sha256
    # A second click finds the certificate replaced and makes no second successor.
    with pytest.raises(Exception):  # noqa: B017  (AlreadyChanged from the conditional update)
        replace(cert, world["officer"], date(2026, 11, 15), NOW)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Certificate.id))) == 2


def test_before_the_revision_a_certificate_is_reviewed_not_replaced(world):
    cert = _special(world)
    with pytest.raises(LifecycleRefused, match="reviewed instead"):
        replace(cert, world["officer"], date(2026, 2, 1), NOW)


def test_reissue_after_loss_keeps_the_number_and_annotates(world):
    cert = _special(world)
    _trained(world)
    with pytest.raises(LifecycleRefused):
        reissue(cert, world["officer"], date(2024, 5, 1), NOW, reason=" ")
    db.session.rollback()
    from certificates.issuance import freeze_pdf

    before = freeze_pdf(cert)
    assert reissue(cert, world["officer"], date(2024, 5, 1), NOW, reason="遗失，登报声明") == 1
    db.session.commit()
    assert cert.number == "T" + world["worker"].id_number and cert.pdf_sha256 != before
    assert _events(cert) == ["reissued"]


def test_the_officer_records_a_review_from_the_certificate_page(world, client, login):
    cert = _special(world)
    _trained(world)
    from lms.clock import FixedClock, install_clock

    install_clock(client.application, FixedClock(datetime(2023, 2, 1, 2, tzinfo=UTC)))
    login("officer")
    page = client.get(f"/certificates/{cert.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Record a review" in page
    response = client.post(f"/certificates/{cert.id}/review", data={"review-exam_score": "88"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 302
    db.session.refresh(cert)
    assert _events(cert) == ["reviewed"]
    client.application.extensions.pop("lms.clock", None)


def _review_deadlines(person, year):
    from courses.requirements import Calculator, RuleBook
    from lms.clock import local_tz

    found = Calculator(local_tz(), RuleBook()).for_person(person, year)
    return [r.deadline for r in found if r.kind == "review"]


def test_the_training_requirements_use_the_certificates_review_dates(world):
    # Without a certificate the calculator estimates a review every 3 years from the employment's
    # start (2020-01-01): 2023-01-01.
    assert _review_deadlines(world["worker"], 2023) == [date(2023, 1, 1)]
    cert = _special(world)
    assert _review_deadlines(world["worker"], 2023) == [date(2023, 3, 10)]
    cert.next_review_on = None  # reviewed: no further review before expiry
    db.session.commit()
    assert _review_deadlines(world["worker"], 2023) == []
