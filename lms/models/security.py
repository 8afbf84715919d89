"""Server-side records of sign-ins and of failed sign-in attempts, shared by every worker."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class SignIn(db.Model):
    """One signed-in browser: the session cookie carries a token whose digest is stored here.

    A sign-in counts only while its row is neither revoked nor expired, so ending it here ends it
    for every worker and app server at once, whatever copies of the cookie exist.
    """

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why it ended: sign-out, password change, account disabled, role revoked ...
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class LoginThrottle(db.Model):
    """Failed sign-ins of one username from one client address, and how long that pair must wait.

    Keyed by a digest of the folded username and the address, whether or not the account exists,
    so a stranger can slow down only their own guesses and learns nothing about which names exist.
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
