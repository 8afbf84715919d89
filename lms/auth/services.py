"""Authentication use cases: check credentials with growing delays, change passwords."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from lms.accounts import home_org_id
from lms.audit import record_event
from lms.auth.passwords import burn_time, hash_password, verify_password
from lms.auth.throttle import clear_failures, register_failure, throttle_key, wait_remaining
from lms.extensions import db
from lms.models import Account
from lms.sign_ins import end_all_sign_ins


@dataclass(frozen=True)
class LoginOutcome:
    """Result of a sign-in attempt: the account, or why it failed and how long to wait."""

    account: Account | None
    reason: str | None = None
    retry_after: timedelta | None = None


def find_account(username: str) -> Account | None:
    """Account by username, case-insensitively."""
    return db.session.scalar(
        select(Account).where(func.lower(Account.username) == username.strip().lower())
    )


def authenticate(username: str, password: str, *, client: str | None, now: datetime) -> LoginOutcome:
    """Check credentials from one client address; flushes, never commits.

    Unknown and known usernames take the same path, cost and answer: a waiting pair is refused
    before any password is checked, every other attempt checks exactly one hash.
    """
    key = throttle_key(username, client)
    wait = wait_remaining(key, now=now)
    if wait is not None:
        record_event("auth.login_throttled", actor=None, username=username.strip()[:64], ip=client)
        return LoginOutcome(None, "throttled", wait)
    account = find_account(username)
    if account is None:
        burn_time(password)
        valid = False
    else:
        valid = verify_password(account.password_hash, password) and account.is_active_account
    if not valid:
        return _register_failure(key, username, account, client, now)
    clear_failures(key)
    record_event("auth.login", actor=account, target=account, organization_id=home_org_id(account))
    return LoginOutcome(account)


def _register_failure(key: str, username: str, account: Account | None, client: str | None,
                      now: datetime) -> LoginOutcome:
    blocked_until = register_failure(key, now=now)
    details = {"reason": "password" if account else "unknown", "username": username.strip()[:64]}
    org_id = home_org_id(account) if account else None
    record_event("auth.login_failed", actor=account, target=account, organization_id=org_id,
                 ip=client, **details)
    if blocked_until is not None:
        record_event("auth.login_delayed", actor=None, target=account, organization_id=org_id, ip=client,
                     until=blocked_until.isoformat(), username=details["username"])
    return LoginOutcome(None, "invalid")


def set_password(account: Account, password: str, *, now: datetime) -> None:
    """Replace an account's password and end every sign-in made with the old one."""
    account.password_hash = hash_password(password)
    account.must_change_password = False
    end_all_sign_ins(account, now=now, reason="password")
