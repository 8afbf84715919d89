"""Sign-ins kept in the database, so that ending one holds on every worker and app server."""

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from lms.extensions import db
from lms.models import Account, SignIn

#: Key of the sign-in token inside Flask's (signed, client-side) session cookie.
SESSION_KEY = "sid"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_sign_in(account: Account, *, now: datetime, ip: str | None, user_agent: str | None) -> str:
    """Record a new sign-in and return the token for the session cookie (only its digest is kept)."""
    token = secrets.token_urlsafe(32)
    db.session.add(SignIn(account_id=account.id, digest=_digest(token), created_at=now,
                          expires_at=now + current_app.config["PERMANENT_SESSION_LIFETIME"],
                          ip=(ip or "")[:64] or None, user_agent=(user_agent or "")[:255] or None))
    db.session.flush()
    return token


def account_for_token(account_id: int, token: str | None, *, now: datetime) -> Account | None:
    """The active account behind a live sign-in token, or None when it ended, expired or is foreign."""
    if not token:
        return None
    sign_in = db.session.scalar(select(SignIn).where(
        SignIn.digest == _digest(token), SignIn.account_id == account_id,
        SignIn.revoked_at.is_(None), SignIn.expires_at > now))
    if sign_in is None:
        return None
    account = db.session.get(Account, account_id)
    return account if account is not None and account.is_active_account else None


def end_sign_in(token: str | None, *, now: datetime, reason: str) -> None:
    """End the one sign-in behind ``token`` (sign-out)."""
    if token:
        db.session.execute(update(SignIn).where(SignIn.digest == _digest(token),
                                                SignIn.revoked_at.is_(None))
                           .values(revoked_at=now, revoked_reason=reason))


def end_all_sign_ins(account: Account, *, now: datetime, reason: str) -> int:
    """End every live sign-in of an account (password change, disabled, role revoked)."""
    result = db.session.execute(update(SignIn).where(SignIn.account_id == account.id,
                                                     SignIn.revoked_at.is_(None))
                                .values(revoked_at=now, revoked_reason=reason))
    return result.rowcount


def live_sign_ins(account: Account, *, now: datetime) -> list[SignIn]:
    """The account's sign-ins that still count, newest first."""
    return db.session.scalars(select(SignIn).where(
        SignIn.account_id == account.id, SignIn.revoked_at.is_(None), SignIn.expires_at > now)
        .order_by(SignIn.created_at.desc())).all()
