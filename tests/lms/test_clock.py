"""One clock: the local day in the deployment's zone, injectable, and the only reader of the time."""

import ast
from datetime import UTC, date, datetime

import pytest

from lms import clock

from support import ROOT

PACKAGES = ("lms", "courses", "exams", "certificates")
#: The clock itself, and the column default that stamps rows with the time they were written.
ALLOWED = {"lms/clock.py", "lms/models/base.py"}


@pytest.fixture
def fixed(app):
    stopped = clock.FixedClock(datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    clock.install_clock(app, stopped)
    yield stopped
    app.extensions.pop("lms.clock")


def test_before_eight_in_the_morning_china_is_already_on_the_next_day(ctx, fixed):
    """23:30 UTC is 07:30 in Shanghai: a server set to UTC must not work with yesterday."""
    assert clock.today() == date(2026, 3, 2)
    fixed.advance(minutes=-(8 * 60))
    assert clock.today() == date(2026, 3, 1)


def test_the_configured_zone_decides_the_day(ctx, app, fixed):
    app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
    try:
        assert clock.today() == date(2026, 3, 1)
    finally:
        app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Shanghai"


def test_a_fixed_clock_refuses_naive_times():
    with pytest.raises(ValueError):
        clock.FixedClock(datetime(2026, 3, 1))


def calls_reading_the_time(path) -> list[str]:
    """`date.today()`, `datetime.now(...)`, `datetime.utcnow()` and `time.time()` calls in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if (name, node.func.attr) in {("date", "today"), ("datetime", "now"),
                                          ("datetime", "utcnow"), ("datetime", "today")}:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_nothing_but_the_clock_reads_the_time():
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if str(path.relative_to(ROOT)) not in ALLOWED:
                offenders += calls_reading_the_time(path)
    assert offenders == []
