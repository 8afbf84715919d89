"""Sign-in: hashing, throttling, cookie flags, CSRF and safe redirects."""


import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEvent
from lms.roles import Role

from support import PASSWORD


@pytest.fixture
def admin(make):
    org = make.org("测试企业")
    return make.account("alice", Role.ENTERPRISE_ADMIN, org=org)


def test_password_is_stored_as_argon2_hash(admin):
    assert admin.password_hash.startswith("$argon2id$")
    assert PASSWORD not in admin.password_hash


def test_sign_in_and_out(client, admin, login):
    response = login("alice")
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_says_so_and_is_audited(client, admin):
    response = client.post("/login", data={"username": "alice", "password": "nope"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert b"Wrong username or password" in response.data
    db.session.expire_all()
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions == ["auth.login_failed"]


def test_login_form_is_throttled_per_client(app, client, admin):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    statuses = [client.post("/login", data={"username": "nobody", "password": "x"}).status_code
                for _ in range(limit + 1)]
    assert statuses[:limit] == [200] * limit
    assert statuses[-1] == 429


@pytest.mark.parametrize("trusted, recorded", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_client_address_comes_from_trusted_proxies_only(other_app, admin, trusted, recorded):
    proxied = other_app(TRUSTED_PROXIES=trusted)
    # Without a trusted proxy the header is the client's own claim and is ignored.
    proxied.test_client().post("/login", data={"username": "alice", "password": "nope"},
                               headers={"X-Forwarded-For": "203.0.113.9"})
    db.session.expire_all()
    assert db.session.scalars(select(AuditEvent.ip)).all() == [recorded]


@pytest.mark.parametrize("target, expected", [
    ("/organizations", "/organizations"),
    ("https://evil.example/", "/dashboard"),
    ("//evil.example/x", "/dashboard"),
    ("/\\evil.example", "/dashboard"),
])
def test_next_redirect_stays_on_this_site(client, admin, target, expected):
    response = client.post("/login", data={"username": "alice", "password": PASSWORD,
                                           "next": target})
    assert response.headers["Location"] == expected


def test_session_cookie_is_httponly_and_samesite(client, admin, login):
    response = login("alice")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_csrf_is_enforced_when_enabled(strict_app):
    client = strict_app.test_client()
    response = client.post("/login", data={"username": "alice", "password": PASSWORD},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert b"Reload the page" in response.data


def test_pages_need_sign_in(client, admin):
    response = client.get("/organizations")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
