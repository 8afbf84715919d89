"""With Redis configured, the login form's per-client limit holds across workers, not per worker."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis

from lms.roles import Role

from support import database_url_for_tests

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def key_prefix():
    """A prefix of our own in the real Redis, removed afterwards."""
    prefix = f"lms-test-{uuid.uuid4().hex}"
    yield prefix
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)


@pytest.fixture
def two_workers(tmp_root, app, key_prefix):
    """gunicorn with two worker processes sharing the test database and Redis."""
    port = free_port()
    env = {**os.environ, "LMS_DATABASE_URL": database_url_for_tests(tmp_root),
           "LMS_SECRET_KEY": "test-secret", "LMS_REDIS_URL": REDIS_URL,
           "LMS_RATELIMIT_KEY_PREFIX": key_prefix, "LMS_WTF_CSRF_ENABLED": "false",
           "LMS_INSTANCE_PATH": str(tmp_root / "limits-instance")}
    server = subprocess.Popen([str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                               "lms:create_app()"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            urllib.request.urlopen(base + "/login", timeout=10)
            return
        except OSError:  # refused while starting, or slow on a busy machine
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer")


def post_login(base: str) -> int:
    body = urllib.parse.urlencode({"username": "nobody", "password": "x"}).encode()
    try:
        return urllib.request.urlopen(base + "/login", data=body, timeout=10).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_redis_is_reachable():
    """Fails, never skips, when the Redis the production layout relies on is not running."""
    assert redis.Redis.from_url(REDIS_URL).ping()


def test_two_workers_share_one_login_limit(app, make, two_workers):
    make.account("someone", Role.LEARNER, org=make.org("限流企业"))
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    # Fresh connections spread the attempts over both workers; each would allow `limit` alone.
    statuses = [post_login(two_workers) for _ in range(limit + 5)]
    assert statuses[:limit] == [200] * limit
    assert set(statuses[limit:]) == {429}


def test_redis_url_selects_redis_for_limits(other_app):
    assert other_app(REDIS_URL=REDIS_URL, RATELIMIT_STORAGE_URI="").config[
        "RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert other_app(RATELIMIT_STORAGE_URI="").config["RATELIMIT_STORAGE_URI"] == "memory://"
