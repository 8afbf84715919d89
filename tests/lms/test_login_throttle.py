"""Repeated failed sign-ins slow down one username from one address, never the owner elsewhere."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.auth import passwords
from lms.auth.services import authenticate
from lms.extensions import db
from lms.models import AuditEvent, LoginThrottle
from lms.models.base import utcnow
from lms.roles import Role

from support import PASSWORD

HERE, THERE = "198.51.100.7", "203.0.113.20"


@pytest.fixture
def alice(make):
    return make.account("alice", Role.ENTERPRISE_ADMIN, org=make.org("节流企业"))


def fail(app, username, client, now, times=None):
    """``times`` failed attempts (by default exactly the free ones)."""
    for i in range(app.config["LOGIN_FREE_FAILURES"] if times is None else times):
        authenticate(username, "wrong", client=client, now=now + i * timedelta(seconds=1))


def test_free_failures_cost_nothing_then_the_pair_waits(app, alice):
    now = utcnow()
    fail(app, "alice", HERE, now, app.config["LOGIN_FREE_FAILURES"] - 1)
    assert authenticate("alice", PASSWORD, client=HERE, now=now + timedelta(seconds=10)).account
    fail(app, "alice", HERE, now + timedelta(seconds=20))
    outcome = authenticate("alice", PASSWORD, client=HERE, now=now + timedelta(seconds=30))
    assert outcome.account is None and outcome.reason == "throttled"
    assert outcome.retry_after <= app.config["LOGIN_FIRST_DELAY"]


def test_the_owner_signs_in_from_another_address_while_a_stranger_waits(app, alice):
    now = utcnow()
    fail(app, "alice", THERE, now)
    soon = now + timedelta(seconds=10)
    assert authenticate("alice", PASSWORD, client=THERE, now=soon).reason == "throttled"
    assert authenticate("alice", PASSWORD, client=HERE, now=soon).account


def test_delays_grow_and_are_capped(app, ctx):
    from lms.auth.throttle import delay_after

    free, first = app.config["LOGIN_FREE_FAILURES"], app.config["LOGIN_FIRST_DELAY"]
    assert delay_after(free - 1) is None
    assert delay_after(free) == first
    assert delay_after(free + 1) == 2 * first
    assert delay_after(free + 2) == 4 * first
    assert delay_after(free + 50) == app.config["LOGIN_MAX_DELAY"]


def test_the_wait_ends(app, alice):
    now = utcnow()
    fail(app, "alice", HERE, now)
    after = now + app.config["LOGIN_FIRST_DELAY"] + timedelta(seconds=10)
    assert authenticate("alice", PASSWORD, client=HERE, now=after).account is not None
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 0


def test_failures_outside_the_window_do_not_add_up(app, alice):
    start = utcnow()
    fail(app, "alice", HERE, start, app.config["LOGIN_FREE_FAILURES"] - 1)
    later = start + app.config["LOGIN_FAILURE_WINDOW"] + timedelta(minutes=1)
    fail(app, "alice", HERE, later, app.config["LOGIN_FREE_FAILURES"] - 1)
    assert authenticate("alice", PASSWORD, client=HERE, now=later + timedelta(minutes=1)).account


@pytest.mark.parametrize("username", ["alice", "nobody-here"])
def test_unknown_and_known_names_get_the_same_answers(app, client, alice, username):
    """Same wording before and during the wait, so the answers tell nobody which names exist."""
    answers = []
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 1):
        response = client.post("/login", data={"username": username, "password": "wrong"},
                               headers={"Accept-Language": "en"})
        assert response.status_code == 200
        answers.append("Wrong username or password" in response.get_data(as_text=True))
    assert answers == [True] * app.config["LOGIN_FREE_FAILURES"] + [False]
    assert "Too many failed sign-ins with this username from this computer" in response.get_data(
        as_text=True)


@pytest.mark.parametrize("username", ["alice", "nobody-here"])
def test_unknown_and_known_names_cost_the_same(app, alice, monkeypatch, username):
    """Every checked attempt verifies exactly one hash; a waiting pair verifies none."""
    calls = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr("lms.auth.services.verify_password", passwords.verify_password)
    now = utcnow()
    fail(app, username, HERE, now)
    assert len(calls) == app.config["LOGIN_FREE_FAILURES"]
    authenticate(username, "wrong", client=HERE, now=now + timedelta(seconds=10))
    assert len(calls) == app.config["LOGIN_FREE_FAILURES"]


def test_concurrent_counting_loses_no_failure(app, alice):
    """Failures are counted in one statement, so several workers add up exactly."""
    from lms.auth.throttle import register_failure, throttle_key

    key, now = throttle_key("alice", HERE), utcnow()
    for _ in range(7):
        register_failure(key, now=now)
    db.session.commit()
    assert db.session.get(LoginThrottle, key).failures == 7


def test_waiting_is_audited_without_the_password(app, alice):
    now = utcnow()
    fail(app, "alice", HERE, now)
    authenticate("alice", "secret-guess", client=HERE, now=now + timedelta(seconds=10))
    db.session.commit()
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "auth.login_delayed" in actions and actions[-1] == "auth.login_throttled"
    assert all("secret-guess" not in str(e.details) for e in db.session.scalars(select(AuditEvent)))
