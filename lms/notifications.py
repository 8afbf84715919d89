"""In-app notifications for any package, with an e-mail copy to accounts that gave an address.

A notification stores the English message id and its parameters, not the text: it is translated
when read, into the reader's language of the moment. Senders mark the message with ``_l`` so that
extraction finds it::

    notify(account, _l("Certificate %(number)s: the review is due on %(due)s."),
           link=link_to("certificates.detail", cert_id=cert.id), number=cert.number, due=due_on)

Dates among the parameters are stored as ISO text and shown in the reader's date format.
:func:`notify` flushes and never commits; the caller's transaction decides whether it happened.
"""

from datetime import date, datetime

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_babel import force_locale, format_date, gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.routing import BuildError

from lms import clock
from lms.auth.forms import EmptyForm
from lms.authz import signed_in
from lms.extensions import db
from lms.i18n import _, _l
from lms.mail import queue_email
from lms.models import Account
from lms.models.base import UTCDateTime, utcnow

#: Notifications listed on the page, newest first.
PAGE_LIMIT = 200


class Notification(db.Model):
    """A message to one account, rendered in the reader's language when shown."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_account_read", "account_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    #: The English message id (gettext msgid) with %(name)s placeholders.
    message: Mapped[str] = mapped_column(String(500))
    #: Values of the placeholders; dates as {"date": "YYYY-MM-DD"}.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: A site-relative path to the page the notification is about.
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def text(self) -> str:
        """The message in the current language."""
        return render_message(self.message, self.params)


def _msgid(message) -> str:
    if isinstance(message, LazyString):
        return message._args[0]
    return str(message)


def _stored(value):
    if isinstance(value, datetime):
        raise TypeError("pass a date, not a datetime, to a notification")
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, LazyString):
        raise TypeError("a notification parameter is stored as data, not as translated text")
    return value


def _shown(value):
    if isinstance(value, dict) and "date" in value:
        return format_date(date.fromisoformat(value["date"]))
    return value


def render_message(message: str, params: dict) -> str:
    """Translate ``message`` into the current language and fill in ``params``."""
    return gettext(message, **{key: _shown(value) for key, value in params.items()})


def link_to(endpoint: str, **values) -> str | None:
    """The site-relative path of ``endpoint``, also outside a request (the worker); None when the
    endpoint does not exist in this app."""
    try:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        return None


def notify(account: Account, message, *, link: str | None = None, subject=None,
           **params) -> Notification:
    """Notify ``account`` in the app and, when it has an e-mail address, by e-mail.

    :param message: the English text marked with ``_l``, with %(name)s placeholders.
    :param subject: the e-mail's subject (marked with ``_l``; same placeholders); default: the message.
    """
    stored = {key: _stored(value) for key, value in params.items()}
    note = Notification(account_id=account.id, message=_msgid(message), params=stored, link=link,
                        created_at=clock.now())
    db.session.add(note)
    if account.email:
        _queue_copy(account, note, _msgid(subject) if subject is not None else None)
    db.session.flush()
    return note


def _queue_copy(account: Account, note: Notification, subject: str | None) -> None:
    """Queue the e-mail copy, written in the account's language (the default when it has none)."""
    locale = account.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    site = current_app.config.get("SITE_URL", "").rstrip("/")
    with force_locale(locale):
        text = note.text
        title = render_message(subject, note.params) if subject else text
        body = _email_body(account, text, f"{site}{note.link}" if site and note.link else None,
                           f"{site}/account/security" if site else None)
    queue_email(account.email, " ".join(title.split())[:300], body)


def _email_body(account: Account, text: str, url: str | None, settings_url: str | None) -> str:
    # Plain text built here rather than in a template: templates are extracted as HTML only.
    lines = [_("Hello %(name)s,", name=account.display_name), "", text]
    if url:
        lines += ["", url]
    lines += ["", "-- ", _("Work Safety Training")]
    if settings_url:
        lines.append(_("You receive this e-mail because your account gives this address. Change or "
                       "remove it here: %(url)s", url=settings_url))
    else:
        lines.append(_("You receive this e-mail because your account gives this address. Change or "
                       "remove it on your account's password and sign-ins page."))
    return "\n".join(lines) + "\n"


def unread_count(account: Account) -> int:
    """Unread notifications of ``account``."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.account_id == account.id, Notification.read_at.is_(None))) or 0


def mark_read(account: Account, notification_id: int | None, now: datetime) -> int:
    """Mark one of the account's notifications read (all of them when ``notification_id`` is None);
    return how many changed. Another account's notification is never touched."""
    query = update(Notification).where(Notification.account_id == account.id,
                                       Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    result = db.session.execute(query.values(read_at=now).execution_options(synchronize_session=False))
    return result.rowcount


bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@signed_in
def index():
    notes = db.session.scalars(select(Notification).where(Notification.account_id == current_user.id)
                               .order_by(Notification.id.desc()).limit(PAGE_LIMIT)).all()
    return render_template("notifications/index.html", notes=notes, form=EmptyForm(),
                           unread=unread_count(current_user))


@bp.post("/<int:notification_id>/read")
@signed_in
def read(notification_id: int):
    note = db.session.get(Notification, notification_id)
    if note is None or note.account_id != current_user.id or not EmptyForm().validate_on_submit():
        abort(404)
    mark_read(current_user, note.id, clock.now())
    db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@signed_in
def read_all():
    if not EmptyForm().validate_on_submit():
        abort(400)
    mark_read(current_user, None, clock.now())
    db.session.commit()
    return redirect(url_for("notifications.index"))


def _unread_tile(account) -> int | None:
    return unread_count(account) or None


def init_app(app) -> None:
    """Register the page and its dashboard tile (the header links to the page)."""
    from lms.web.templating import add_home_task

    app.register_blueprint(bp)
    # Every account receives notifications: the link sits beside the account name in the page
    # header (base.html), and the dashboard tile counts the unread ones.
    add_home_task(_l("Unread notifications"), "notifications.index", _unread_tile, None, "training")
