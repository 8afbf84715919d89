"""Local calendar helpers: periods are local dates, the ledger stores UTC instants."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def local_tz() -> ZoneInfo:
    """The deployment's time zone (Asia/Shanghai by default)."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` starts locally."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    """The local calendar date of a UTC instant."""
    return instant.astimezone(tz).date()


def period_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants [from, to) covering local dates ``start`` .. ``end`` inclusive."""
    return local_midnight(start, tz), local_midnight(end + timedelta(days=1), tz)
