"""E-mail through an outbox table: queued in the sender's transaction, sent by the worker over SMTP.

Nothing is sent while a request runs. :func:`queue_email` adds a row to the outbox in the caller's
transaction, so a message exists exactly when what it reports was committed. The worker job
:func:`send_outbox` then sends the rows through ``smtplib`` when ``MAIL_SERVER`` is configured;
without it the rows stay in the outbox, where an administrator reads them (``lms mail outbox``).

Several workers may run at once: each row is claimed by one conditional UPDATE before it is sent,
so two workers never send the same row. A claim lasts ``MAIL_CLAIM_SECONDS``; a worker that dies
between claiming and marking the row sent leaves it to be sent again after that, which is the one
way a message can arrive twice (SMTP has no way to ask whether a message was already accepted).
A failed send records the error and the row is tried again after the claim lapses, at most
``MAIL_MAX_ATTEMPTS`` times in all.
"""

import os
import smtplib
import socket
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import Integer, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class OutboxEmail(db.Model):
    """One e-mail to one address, waiting in the outbox or sent."""

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set once the SMTP server accepted the message; rows without it are still to be sent.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: Sends tried (counted when claimed); past MAIL_MAX_ATTEMPTS the row is given up.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: The worker ("host:pid") sending the row, and since when; a claim older than
    #: MAIL_CLAIM_SECONDS has lapsed (its worker died or its send failed).
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def queue_email(to_address: str, subject: str, body: str) -> OutboxEmail:
    """Put an e-mail in the outbox in the current transaction (flushes, never commits)."""
    row = OutboxEmail(to_address=to_address, subject=subject[:300], body=body)
    db.session.add(row)
    db.session.flush()
    return row


def mail_configured(app: Flask | None = None) -> bool:
    """True when an SMTP server is configured; without one, e-mails stay in the outbox."""
    return bool((app or current_app).config.get("MAIL_SERVER"))


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def _claimable(now: datetime):
    """Rows still to send whose claim (if any) has lapsed and that have attempts left."""
    config = current_app.config
    lapsed = now - timedelta(seconds=int(config["MAIL_CLAIM_SECONDS"]))
    return (OutboxEmail.sent_at.is_(None),
            OutboxEmail.attempts < int(config["MAIL_MAX_ATTEMPTS"]),
            or_(OutboxEmail.claimed_at.is_(None), OutboxEmail.claimed_at < lapsed))


def claim(row_id: int, now: datetime, worker: str) -> bool:
    """Claim one outbox row for ``worker`` and commit; False when another worker has it."""
    result = db.session.execute(
        update(OutboxEmail).where(OutboxEmail.id == row_id, *_claimable(now))
        .values(claimed_by=worker, claimed_at=now, attempts=OutboxEmail.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def send_outbox(now: datetime, *, limit: int = 100) -> int:
    """Send up to ``limit`` outbox rows over SMTP, each claimed first; return how many were sent."""
    if not mail_configured():
        return 0
    worker = _worker_name()
    ids = db.session.scalars(select(OutboxEmail.id).where(*_claimable(now))
                             .order_by(OutboxEmail.id).limit(limit)).all()
    db.session.rollback()  # end the read so the claims below start fresh transactions
    sent = 0
    connection = None
    try:
        for row_id in ids:
            if not claim(row_id, now, worker):
                continue
            row = db.session.get(OutboxEmail, row_id)
            try:
                connection = connection or _connect()
                connection.send_message(_message(row))
            except (OSError, smtplib.SMTPException) as error:
                _close(connection)
                connection = None
                _record_failure(row_id, worker, f"{type(error).__name__}: {error}")
                continue
            _mark_sent(row_id, worker, now)
            sent += 1
    finally:
        _close(connection)
    return sent


def _mark_sent(row_id: int, worker: str, now: datetime) -> None:
    db.session.execute(update(OutboxEmail).where(OutboxEmail.id == row_id,
                                                 OutboxEmail.claimed_by == worker)
                       .values(sent_at=now, last_error=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def _record_failure(row_id: int, worker: str, error: str) -> None:
    # The claim time stays: the row is tried again once the claim lapses, not in the next round.
    db.session.execute(update(OutboxEmail).where(OutboxEmail.id == row_id,
                                                 OutboxEmail.claimed_by == worker)
                       .values(claimed_by=None, last_error=error[:2000])
                       .execution_options(synchronize_session=False))
    db.session.commit()


def _connect() -> smtplib.SMTP:
    config = current_app.config
    connection = smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]),
                              timeout=float(config["MAIL_TIMEOUT"]))
    if config.get("MAIL_USE_TLS"):
        connection.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return connection


def _close(connection: smtplib.SMTP | None) -> None:
    if connection is None:
        return
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()


def _message(row: OutboxEmail) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    # One Message-ID per outbox row: a copy resent after a crash can be recognised as the same.
    domain = config["MAIL_FROM"].rpartition("@")[2].strip("> ") or "localhost"
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}", domain=domain)
    message.set_content(row.body)
    return message


@click.group("mail")
def mail_group() -> None:
    """The e-mail outbox."""


@mail_group.command("outbox")
@click.option("--all", "show_all", is_flag=True, help="Also list the e-mails already sent.")
@click.option("--limit", default=50, show_default=True)
@with_appcontext
def outbox_command(show_all: bool, limit: int) -> None:
    """List the e-mails waiting in the outbox (newest first), with their last error."""
    query = select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(limit)
    if not show_all:
        query = query.where(OutboxEmail.sent_at.is_(None))
    for row in db.session.scalars(query):
        state = f"sent {row.sent_at:%Y-%m-%d %H:%M}Z" if row.sent_at else f"waiting ({row.attempts} tries)"
        click.echo(f"#{row.id} {row.created_at:%Y-%m-%d %H:%M}Z  {row.to_address}  {state}")
        click.echo(f"    {row.subject}")
        if row.last_error:
            click.echo(f"    last error: {row.last_error}")
        if not row.sent_at:
            for line in row.body.splitlines():
                click.echo(f"    | {line}")


@mail_group.command("send")
@with_appcontext
def send_command() -> None:
    """Send what the outbox holds now (the worker does this every round)."""
    from lms import clock

    if not mail_configured():
        raise click.ClickException("MAIL_SERVER is not configured; e-mails stay in the outbox.")
    click.echo(f"sent {send_outbox(clock.now())} e-mail(s)")


def init_app(app: Flask) -> None:
    """Register the outbox table, the ``lms mail`` commands and the sending worker job."""
    from lms.worker_jobs import add_worker_job

    app.cli.add_command(mail_group)
    add_worker_job(app, "emails_sent", send_outbox)
