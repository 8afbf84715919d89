"""Reminders 90, 60 and 30 days before a certificate's review or expiry, to holder and employer.

The days come from the rule ``certificate.reminder_days_before`` in force on the review or expiry
date. Each reminder (certificate, review or expiry, due date, days) is recorded once in
``certificate_reminders``; its unique constraint is what makes it happen once when several workers
run at once: the reminder row, the notifications and the e-mails are one transaction, and the
worker that loses the race on the row rolls all of it back.

A reminder whose day passed while no worker ran is sent late, until the due date itself; only the
latest mark passed is sent, so a worker back after a long stop sends the 60-day reminder and not
also the 90-day one.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Flask
from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, selectinload

from certificates.dates import NO_REVIEW, REVIEW_INTERVAL_RULE
from certificates.models import Certificate, CertificateStatus
from lms import clock
from lms.extensions import db
from lms.i18n import _l
from lms.models import Account, Employment, RoleGrant, RuleValue
from lms.models.base import UTCDateTime, utcnow
from lms.notifications import link_to, notify
from lms.roles import Role
from lms.rules import RuleMissing, RuleTable

REMINDER_RULE = "certificate.reminder_days_before"
REVIEW = "review"
EXPIRY = "expiry"

MESSAGES = {
    REVIEW: _l("Certificate %(number)s of %(name)s: the review is due on %(due)s "
               "(days left: %(days)s)."),
    EXPIRY: _l("Certificate %(number)s of %(name)s expires on %(due)s (days left: %(days)s)."),
}
SUBJECTS = {
    REVIEW: _l("Certificate review due on %(due)s: %(name)s"),
    EXPIRY: _l("Certificate expiring on %(due)s: %(name)s"),
}


class CertificateReminder(db.Model):
    """A reminder sent about one certificate's review or expiry, recorded so it is sent once."""

    __tablename__ = "certificate_reminders"
    __table_args__ = (UniqueConstraint("certificate_id", "kind", "due_on", "days_before",
                                       name="uq_certificate_reminders_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    #: "review" (next_review_on) or "expiry" (expires_on).
    kind: Mapped[str] = mapped_column(String(8))
    due_on: Mapped[date] = mapped_column(Date)
    #: The mark the reminder is for (90, 60 or 30 under the rule in force).
    days_before: Mapped[int] = mapped_column(Integer)
    #: The day it went out (later than due_on - days_before when a worker caught up).
    sent_on: Mapped[date] = mapped_column(Date)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    rule_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass(frozen=True)
class Due:
    """One reminder to send: which certificate, which date, which mark."""

    certificate_id: int
    kind: str
    due_on: date
    days_before: int
    rule_version: str


def _horizon() -> int:
    """The largest number of days any version of the rule reminds ahead (bounds the query)."""
    values = db.session.scalars(select(RuleValue.value).where(RuleValue.key == REMINDER_RULE)).all()
    return max((int(day) for value in values for day in value), default=0)


def _candidates(today: date, horizon: int) -> list[Certificate]:
    until = today + timedelta(days=horizon)
    return db.session.scalars(
        select(Certificate).where(
            Certificate.status == CertificateStatus.ISSUED,
            or_(Certificate.next_review_on.between(today, until),
                Certificate.expires_on.between(today, until)))
        .options(selectinload(Certificate.employment).selectinload(Employment.organization))
        .order_by(Certificate.id)).all()


def _mark(due_on: date, today: date, rules: RuleTable, region) -> tuple[int, str] | None:
    """The latest reminder mark passed by ``today`` for a date due on ``due_on``, or None."""
    if today > due_on:
        return None
    try:
        rule = rules.at(REMINDER_RULE, due_on, region)
    except RuleMissing:
        return None
    passed = [int(days) for days in rule.value if due_on - timedelta(days=int(days)) <= today]
    return (min(passed), rule.version) if passed else None


def _review_abolished(cert: Certificate, rules: RuleTable, region) -> bool:
    try:
        interval = rules.at(REVIEW_INTERVAL_RULE, cert.next_review_on, region)
    except RuleMissing:
        return False
    return interval.value == NO_REVIEW


def due_reminders(today: date) -> list[Due]:
    """Reminders due on ``today`` that are not recorded yet."""
    horizon = _horizon()
    if horizon <= 0:
        return []
    rules = RuleTable.load([REMINDER_RULE, REVIEW_INTERVAL_RULE])
    found = []
    for cert in _candidates(today, horizon):
        region = cert.employment.organization.region if cert.employment else None
        dates = {EXPIRY: cert.expires_on}
        # A review on the expiry date itself is the expiry: one reminder says it.
        if (cert.next_review_on is not None and cert.next_review_on != cert.expires_on
                and not _review_abolished(cert, rules, region)):
            dates[REVIEW] = cert.next_review_on
        for kind, due_on in dates.items():
            mark = due_on and _mark(due_on, today, rules, region)
            if mark:
                found.append(Due(cert.id, kind, due_on, *mark))
    if not found:
        return []
    sent = set(db.session.execute(
        select(CertificateReminder.certificate_id, CertificateReminder.kind,
               CertificateReminder.due_on, CertificateReminder.days_before)
        .where(CertificateReminder.certificate_id.in_({d.certificate_id for d in found}))).all())
    return [d for d in found if (d.certificate_id, d.kind, d.due_on, d.days_before) not in sent]


def recipients(cert: Certificate) -> list[Account]:
    """The holder's account (if any) and the enterprise admins of the certificate's employer."""
    holder = select(Account.id).where(Account.person_id == cert.person_id)
    clauses = [Account.id.in_(holder)]
    if cert.employment is not None:
        clauses.append(Account.id.in_(select(RoleGrant.account_id).where(
            RoleGrant.role == Role.ENTERPRISE_ADMIN.value,
            RoleGrant.organization_id == cert.employment.organization_id)))
    return db.session.scalars(select(Account).where(or_(*clauses), Account.is_active_account)
                              .order_by(Account.id)).all()


def send_reminder(due: Due, today: date) -> bool:
    """Record one reminder and notify its recipients in one transaction (and commit); False when
    another worker recorded it first: its notifications stand, ours roll back."""
    cert = db.session.get(Certificate, due.certificate_id)
    accounts = recipients(cert)
    db.session.add(CertificateReminder(
        certificate_id=cert.id, kind=due.kind, due_on=due.due_on, days_before=due.days_before,
        sent_on=today, recipients=len(accounts), rule_version=due.rule_version,
        created_at=clock.now()))
    try:
        db.session.flush()  # the unique constraint decides here, before anything is written
        for account in accounts:
            notify(account, MESSAGES[due.kind], subject=SUBJECTS[due.kind],
                   link=link_to("certificates.detail", cert_id=cert.id),
                   number=cert.number or "", name=cert.person.name, due=due.due_on,
                   days=(due.due_on - today).days)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def send_due_reminders(today: date) -> int:
    """Send every reminder due on ``today`` (and those missed before it); return how many this
    process recorded."""
    return sum(send_reminder(due, today) for due in due_reminders(today))


def _worker_job(now: datetime) -> int:
    return send_due_reminders(clock.local_date(now, clock.local_tz()))


def init_app(app: Flask) -> None:
    """Register the reminder table (by importing this module) and the worker job."""
    from lms.worker_jobs import add_worker_job

    add_worker_job(app, "certificate_reminders", _worker_job)
