"""The exam-day fixture; the builders live in tests/centres_world.py so tests can import them."""

import pytest
from centres_world import (  # noqa: F401  (re-exported for tests)
    EXAM_END,
    EXAM_START,
    NOW,
    REGISTRATION_CLOSES,
    Day,
    add_person,
    add_room,
    add_session,
    build_day,
)


@pytest.fixture
def day(make) -> Day:
    """The exam-day world, committed."""
    return build_day(make)


@pytest.fixture
def day_clock(app):
    """The app's clock stopped at NOW (registration open), until a test moves it."""
    from lms.clock import FixedClock, install_clock

    stopped = FixedClock(NOW)
    install_clock(app, stopped)
    yield stopped
    app.extensions.pop("lms.clock", None)
