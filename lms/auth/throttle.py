"""Growing delays for repeated failed sign-ins of one username from one client address.

The count lives in the database, so every worker and app server sees the same one. It is kept per
username *and* address: a stranger guessing from elsewhere cannot lock the owner out, and an
unknown username is counted exactly like a known one.
"""

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lms.extensions import db
from lms.models import LoginThrottle

_INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def throttle_key(username: str, client: str | None) -> str:
    """Digest naming one (folded username, client address) pair; neither is stored in clear."""
    folded = username.strip().casefold()
    return hashlib.sha256(f"{folded}\x00{client or ''}".encode()).hexdigest()


def wait_remaining(key: str, *, now: datetime) -> timedelta | None:
    """How long this pair must still wait before the next attempt is even checked, or None."""
    until = db.session.scalar(select(LoginThrottle.blocked_until).where(LoginThrottle.key == key))
    return until - now if until is not None and until > now else None


def delay_after(failures: int) -> timedelta | None:
    """The wait imposed after ``failures`` failures in the window: none at first, then doubling."""
    cfg = current_app.config
    extra = failures - cfg["LOGIN_FREE_FAILURES"]
    if extra < 0:
        return None
    delay = cfg["LOGIN_FIRST_DELAY"] * (2 ** min(extra, 20))
    return min(delay, cfg["LOGIN_MAX_DELAY"])


def register_failure(key: str, *, now: datetime) -> datetime | None:
    """Count one failure atomically (several workers may count at once); return the new block end."""
    window_start = now - current_app.config["LOGIN_FAILURE_WINDOW"]
    table = LoginThrottle.__table__
    stale = table.c.first_failed_at < window_start
    insert = _INSERT[db.engine.dialect.name](table).values(key=key, failures=1, first_failed_at=now)
    insert = insert.on_conflict_do_update(index_elements=[table.c.key], set_={
        "failures": case((stale, 1), else_=table.c.failures + 1),
        "first_failed_at": case((stale, now), else_=table.c.first_failed_at),
    }).returning(table.c.failures)
    failures = db.session.execute(insert).scalar_one()
    delay = delay_after(failures)
    blocked_until = now + delay if delay else None
    db.session.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                       .values(blocked_until=blocked_until))
    _forget_old(window_start, now)
    return blocked_until


def clear_failures(key: str) -> None:
    """Forget the failures of a pair after a successful sign-in."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def _forget_old(window_start: datetime, now: datetime) -> None:
    """Drop pairs whose window has passed and whose wait is over, so the table stays small."""
    db.session.execute(delete(LoginThrottle).where(and_(
        LoginThrottle.first_failed_at < window_start,
        or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < now))))
