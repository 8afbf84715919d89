"""The one clock: the current instant in UTC and the local calendar of the deployment.

Request handlers ask this module for the time; services and background jobs receive it as an
argument. Tests install a :class:`FixedClock` on the app to stand at any instant.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context

_EXTENSION = "lms.clock"


class SystemClock:
    """The machine's clock, always read as an aware UTC instant."""

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(UTC)


class FixedClock:
    """A clock standing at a chosen instant until moved (tests)."""

    def __init__(self, instant: datetime):
        self.set(instant)

    def set(self, instant: datetime) -> None:
        """Stand at ``instant`` (aware)."""
        if instant.tzinfo is None:
            raise ValueError("a clock needs an aware datetime")
        self.instant = instant.astimezone(UTC)

    def advance(self, **delta) -> None:
        """Move forward by ``timedelta(**delta)``."""
        self.instant += timedelta(**delta)

    def now(self) -> datetime:
        """The instant the clock stands at."""
        return self.instant


_SYSTEM = SystemClock()


def install_clock(app: Flask, clock) -> None:
    """Make ``clock`` the app's clock (tests install a FixedClock)."""
    app.extensions[_EXTENSION] = clock


def now() -> datetime:
    """The current instant in UTC, from the app's clock when there is an app."""
    if has_app_context():
        return current_app.extensions.get(_EXTENSION, _SYSTEM).now()
    return _SYSTEM.now()


def local_tz() -> ZoneInfo:
    """The deployment's time zone (Asia/Shanghai by default)."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def today() -> date:
    """Today's date where the deployment is, not where the server's clock is set."""
    return local_date(now(), local_tz())


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` starts locally."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    """The local calendar date of a UTC instant."""
    return instant.astimezone(tz).date()


def period_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants [from, to) covering local dates ``start`` .. ``end`` inclusive."""
    return local_midnight(start, tz), local_midnight(end + timedelta(days=1), tz)
