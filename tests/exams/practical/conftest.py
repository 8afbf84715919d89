"""Fixtures of the practical exam; the builders live in tests/practical_world.py."""

import pytest
from practical_world import DURING, Practical, build_practical


@pytest.fixture
def practical(make) -> Practical:
    """A practical session open on its morning, candidates checked in."""
    return build_practical(make)


@pytest.fixture
def during(app):
    """The app's clock stopped during the practical exam."""
    from lms.clock import FixedClock, install_clock

    stopped = FixedClock(DURING)
    install_clock(app, stopped)
    yield stopped
    app.extensions.pop("lms.clock", None)


@pytest.fixture
def heard():
    """Every exam_passed sent while the test runs, as (sender, kwargs)."""
    from exams.attempts.signals import exam_passed

    found = []

    def receiver(sender, **kwargs):
        found.append((sender, kwargs))

    exam_passed.connect(receiver)
    yield found
    exam_passed.disconnect(receiver)
