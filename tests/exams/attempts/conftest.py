"""Fixtures of the attempt tests: an open session with checked-in candidates."""

import pytest
from attempts_world import build_exam


@pytest.fixture
def exam(make):
    """The exam-day world with four candidates checked in and the session open."""
    return build_exam(make)
