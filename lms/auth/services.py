"""Authentication use cases: check credentials, count failures, lock and unlock accounts."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from lms.accounts import home_org_id
from lms.audit import record_event
from lms.auth.passwords import burn_time, hash_password, verify_password
from lms.extensions import db
from lms.models import Account
from lms.models.base import utcnow


@dataclass(frozen=True)
class LoginOutcome:
    """Result of a sign-in attempt: the account, or why it failed."""

    account: Account | None
    reason: str | None = None
    locked_until: datetime | None = None


def find_account(username: str) -> Account | None:
    """Account by username, case-insensitively."""
    return db.session.scalar(
        select(Account).where(func.lower(Account.username) == username.strip().lower())
    )


def authenticate(username: str, password: str, *, now: datetime | None = None) -> LoginOutcome:
    """Check credentials, applying lockout after repeated failures; flushes, never commits."""
    now = now or utcnow()
    account = find_account(username)
    if account is None:
        burn_time(password)
        record_event("auth.login_failed", username=username.strip()[:64], reason="unknown")
        return LoginOutcome(None, "invalid")
    if account.locked_until and account.locked_until > now:
        record_event("auth.login_refused", actor=account, target=account, reason="locked")
        return LoginOutcome(None, "locked", account.locked_until)
    if not verify_password(account.password_hash, password) or not account.is_active_account:
        return _register_failure(account, now)
    account.failed_logins, account.first_failed_at, account.locked_until = 0, None, None
    record_event("auth.login", actor=account, target=account, organization_id=home_org_id(account))
    return LoginOutcome(account)


def _register_failure(account: Account, now: datetime) -> LoginOutcome:
    cfg = current_app.config
    if account.first_failed_at is None or now - account.first_failed_at > cfg["LOGIN_FAILURE_WINDOW"]:
        account.failed_logins, account.first_failed_at = 0, now
    account.failed_logins += 1
    record_event("auth.login_failed", actor=account, target=account, reason="password",
                 failures=account.failed_logins, organization_id=home_org_id(account))
    if account.failed_logins >= cfg["LOGIN_MAX_FAILURES"]:
        account.locked_until = now + cfg["LOGIN_LOCK_DURATION"]
        record_event("auth.account_locked", actor=account, target=account,
                     until=account.locked_until.isoformat())
        return LoginOutcome(None, "locked", account.locked_until)
    return LoginOutcome(None, "invalid")


def set_password(account: Account, password: str) -> None:
    """Replace an account's password and clear any lock."""
    account.password_hash = hash_password(password)
    account.failed_logins, account.first_failed_at, account.locked_until = 0, None, None
