"""Reminders 90, 60 and 30 days before a certificate's review or expiry, to holder and employer:
the days by date, catching up after a stop, once only (also with two workers at once), which
certificates and which accounts."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from certificates.models import CertificateStatus, CertificateType
from certificates.reminders import CertificateReminder, due_reminders, send_due_reminders, send_reminder
from lms.extensions import db
from lms.mail import OutboxEmail
from lms.notifications import Notification
from lms.roles import Role

from support import at_once

EXPIRES = date(2026, 9, 30)


@pytest.fixture
def people(make, holder):
    """The holder's account, two admins of the holder's employer, and others who get nothing."""
    employer = holder.employments[0].organization
    other = make.org("别家企业")
    return {
        "holder": make.account("holder", Role.LEARNER, org=employer, person=holder),
        "admin": make.account("admin", Role.ENTERPRISE_ADMIN, org=employer),
        "admin2": make.account("admin2", Role.ENTERPRISE_ADMIN, org=employer),
        "colleague": make.account("colleague", Role.LEARNER, org=employer),
        "trainer": make.account("trainer", Role.TRAINER, org=employer),
        "other_admin": make.account("other_admin", Role.ENTERPRISE_ADMIN, org=other),
    }


@pytest.fixture
def expiring(make_cert):
    """A principal/safety-manager certificate (no review) expiring on EXPIRES."""
    return make_cert(cert_type=CertificateType.SAFETY_QUALIFICATION, issued_on=date(2023, 10, 1),
                     expires_on=EXPIRES, number="AQ-0001")


def reminders():
    return db.session.execute(select(CertificateReminder.kind, CertificateReminder.due_on,
                                     CertificateReminder.days_before, CertificateReminder.sent_on)
                              .order_by(CertificateReminder.id)).all()


def notified(username: str | None = None) -> int:
    query = select(func.count(Notification.id))
    if username is not None:
        from lms.models import Account

        query = query.join(Account, Account.id == Notification.account_id).where(
            Account.username == username)
    return db.session.scalar(query)


def test_a_certificate_expiring_in_90_days_is_reminded_on_the_day_and_not_before(people, expiring):
    assert send_due_reminders(EXPIRES - timedelta(days=91)) == 0
    assert reminders() == [] and notified() == 0
    assert send_due_reminders(EXPIRES - timedelta(days=90)) == 1
    assert reminders() == [("expiry", EXPIRES, 90, EXPIRES - timedelta(days=90))]
    assert send_due_reminders(EXPIRES - timedelta(days=89)) == 0
    assert send_due_reminders(EXPIRES - timedelta(days=60)) == 1
    assert send_due_reminders(EXPIRES - timedelta(days=30)) == 1
    assert [r.days_before for r in reminders()] == [90, 60, 30]
    assert send_due_reminders(EXPIRES) == 0
    assert send_due_reminders(EXPIRES + timedelta(days=1)) == 0


def test_the_holder_and_the_employers_admins_are_notified_and_nobody_else(people, expiring):
    send_due_reminders(EXPIRES - timedelta(days=90))
    assert {name: notified(name) for name in people} == {
        "holder": 1, "admin": 1, "admin2": 1, "colleague": 0, "trainer": 0, "other_admin": 0}
    note = db.session.scalar(select(Notification).where(Notification.account_id == people["holder"].id))
    assert note.link == f"/certificates/{expiring.id}"
    assert note.message == "Certificate %(number)s of %(name)s expires on %(due)s (days left: %(days)s)."
    with force_locale("en"):
        assert "AQ-0001" in note.text and "王小明" in note.text and "90" in note.text


def test_without_a_holder_account_only_the_employer_hears(make, holder, make_cert):
    admin = make.account("admin", Role.ENTERPRISE_ADMIN, org=holder.employments[0].organization)
    make_cert(cert_type=CertificateType.SAFETY_QUALIFICATION, expires_on=EXPIRES)
    send_due_reminders(EXPIRES - timedelta(days=30))
    assert notified() == 1 and notified(admin.username) == 1


def test_an_email_goes_to_recipients_with_an_address(people, expiring):
    people["holder"].email = "holder@example.org"
    people["admin"].email, people["admin"].locale = "admin@example.org", "en"
    db.session.commit()
    send_due_reminders(EXPIRES - timedelta(days=60))
    rows = {r.to_address: r for r in db.session.scalars(select(OutboxEmail))}
    assert set(rows) == {"holder@example.org", "admin@example.org"}
    assert rows["admin@example.org"].subject.startswith("Certificate expiring on")
    assert "王小明" in rows["admin@example.org"].subject
    assert "王小明" in rows["holder@example.org"].body and "AQ-0001" in rows["holder@example.org"].body


def test_a_missed_day_is_caught_up(people, expiring):
    """A worker down on the 90-day mark sends the 90-day reminder two days late."""
    assert send_due_reminders(EXPIRES - timedelta(days=88)) == 1
    assert reminders() == [("expiry", EXPIRES, 90, EXPIRES - timedelta(days=88))]


def test_after_a_long_stop_only_the_latest_mark_is_sent(people, expiring):
    """Back on the 59th day before expiry: the 60-day reminder, not also the 90-day one."""
    assert send_due_reminders(EXPIRES - timedelta(days=59)) == 1
    assert [r.days_before for r in reminders()] == [60]
    assert notified("holder") == 1


def test_two_runs_send_once(people, expiring):
    day = EXPIRES - timedelta(days=30)
    assert send_due_reminders(day) == 1
    assert send_due_reminders(day) == 0
    assert len(reminders()) == 1 and notified("holder") == 1


def test_two_workers_at_once_send_once(app, people, expiring):
    people["admin"].email = "admin@example.org"
    db.session.commit()
    day = EXPIRES - timedelta(days=30)

    def worker():
        with app.app_context():
            try:
                return send_due_reminders(day)
            finally:
                db.session.remove()

    assert sorted(at_once(worker, worker, worker)) == [0, 0, 1]
    db.session.expire_all()
    assert len(reminders()) == 1 and notified("holder") == 1 and notified() == 3
    (email,) = db.session.scalars(select(OutboxEmail)).all()
    assert email.to_address == "admin@example.org" and "王小明" in email.subject


def test_a_reminder_another_worker_recorded_meanwhile_is_rolled_back_whole(people, expiring):
    """The unique constraint decides: the loser's notifications and e-mails go with its row."""
    people["holder"].email = "holder@example.org"
    db.session.commit()
    day = EXPIRES - timedelta(days=30)
    (due,) = due_reminders(day)
    assert send_due_reminders(day) == 1  # the other worker
    assert send_reminder(due, day) is False
    assert len(reminders()) == 1 and notified() == 3
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 1


@pytest.mark.parametrize("status", [CertificateStatus.REVOKED, CertificateStatus.SUSPENDED,
                                    CertificateStatus.REPLACED, CertificateStatus.CANCELLED,
                                    CertificateStatus.PENDING])
def test_certificates_not_in_force_get_no_reminder(people, make_cert, status):
    make_cert(cert_type=CertificateType.SAFETY_QUALIFICATION, expires_on=EXPIRES, status=status)
    for days in (90, 60, 30):
        assert send_due_reminders(EXPIRES - timedelta(days=days)) == 0
    assert reminders() == [] and notified() == 0


def test_a_review_before_the_2026_revision_is_reminded(people, make_cert):
    review = date(2026, 5, 20)
    make_cert(issued_on=date(2023, 5, 20), expires_on=date(2029, 5, 19), next_review_on=review)
    assert send_due_reminders(review - timedelta(days=90)) == 1
    assert reminders() == [("review", review, 90, review - timedelta(days=90))]
    note = db.session.scalar(select(Notification).where(Notification.account_id == people["holder"].id))
    assert note.message.startswith("Certificate %(number)s of %(name)s: the review is due on")


def test_no_review_reminder_where_the_review_was_abolished(people, make_cert):
    """From 2026-06-01 there is no review: a review date recorded after that reminds nobody."""
    review = date(2026, 7, 1)
    make_cert(issued_on=date(2023, 7, 1), expires_on=date(2029, 6, 30), next_review_on=review)
    for days in (90, 60, 30, 0):
        assert send_due_reminders(review - timedelta(days=days)) == 0
    assert reminders() == []


def test_review_and_expiry_each_have_their_reminders(people, make_cert):
    review, expires = date(2026, 5, 20), date(2026, 7, 31)
    make_cert(issued_on=date(2020, 8, 1), expires_on=expires, next_review_on=review)
    send_due_reminders(review - timedelta(days=30))  # 2026-04-20: expiry is 102 days ahead
    send_due_reminders(expires - timedelta(days=90))  # 2026-05-02: review 18 days ahead
    assert [(r.kind, r.days_before) for r in reminders()] == [("review", 30), ("expiry", 90)]


def test_the_days_come_from_the_rule_on_the_due_date(people, expiring):
    from lms.models import RuleValue

    rule = db.session.scalar(select(RuleValue).where(RuleValue.key == "certificate.reminder_days_before"))
    rule.value = [45]
    db.session.commit()
    assert send_due_reminders(EXPIRES - timedelta(days=60)) == 0
    assert send_due_reminders(EXPIRES - timedelta(days=45)) == 1
    assert [r.days_before for r in reminders()] == [45]


def test_the_worker_round_sends_the_reminders(app, on_day, people, make_cert):
    from exams.attempts.cli import run_once

    make_cert(cert_type=CertificateType.SAFETY_QUALIFICATION, expires_on=on_day + timedelta(days=30))
    done = run_once()
    assert done["certificate_reminders"] == 1 and done["emails_sent"] == 0
    assert run_once()["certificate_reminders"] == 0
    assert notified("holder") == 1

