"""A sign-in lives in the database: ending it ends every copy of the cookie on every server."""

import pytest
from sqlalchemy import select

from lms.accounts import revoke_grant
from lms.extensions import db
from lms.models import Account, RoleGrant, SignIn
from lms.models.base import utcnow
from lms.roles import Role

from support import PASSWORD


@pytest.fixture
def alice(make):
    return make.account("alice", Role.ENTERPRISE_ADMIN, org=make.org("会话企业"))


def copied_cookie(client) -> str:
    return client.get_cookie("session").value


def client_with_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, client, alice, login):
    login("alice")
    stolen = copied_cookie(client)
    assert client_with_cookie(app, stolen).get("/dashboard").status_code == 200
    client.post("/logout")
    assert client_with_cookie(app, stolen).get("/dashboard").status_code == 302


def test_another_app_server_with_the_same_secret_refuses_the_ended_sign_in(app, other_app, client,
                                                                          alice, login):
    """Two app servers share the secret and the database, not memory."""
    second = other_app()
    login("alice")
    stolen = copied_cookie(client)
    assert client_with_cookie(second, stolen).get("/dashboard").status_code == 200
    client.post("/logout")
    assert client_with_cookie(second, stolen).get("/dashboard").status_code == 302


def test_password_change_ends_every_other_sign_in(app, client, alice, login):
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"username": "alice", "password": PASSWORD})
    assert elsewhere.get("/dashboard").status_code == 200
    login("alice")
    response = client.post("/account/security", data={
        "current": PASSWORD, "new": "a-brand-new-password", "repeat": "a-brand-new-password"})
    assert response.status_code == 302
    assert elsewhere.get("/dashboard").status_code == 302
    assert client.get("/dashboard").status_code == 200
    client.post("/logout")
    assert client.post("/login", data={"username": "alice", "password": PASSWORD}).status_code == 200
    assert client.post("/login", data={"username": "alice",
                                       "password": "a-brand-new-password"}).status_code == 302


def test_password_change_needs_the_current_password(client, alice, login):
    login("alice")
    response = client.post("/account/security", data={
        "current": "not-it", "new": "a-brand-new-password", "repeat": "a-brand-new-password"},
        headers={"Accept-Language": "en"})
    assert b"This is not your current password" in response.data
    db.session.expire_all()
    assert db.session.scalar(select(SignIn.revoked_at).where(SignIn.account_id == alice.id)) is None


def test_revoking_a_role_ends_the_holders_sign_ins(app, make, client, alice, login):
    bob = make.account("bob", Role.SYSTEM_ADMIN)
    login("alice")
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.account_id == alice.id))
    revoke_grant(db.session.get(Account, bob.id), grant, now=utcnow())
    db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_a_disabled_account_is_signed_out_everywhere(client, alice, login):
    login("alice")
    db.session.get(Account, alice.id).is_active_account = False
    db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_sign_out_everywhere_else_keeps_this_browser(app, client, alice, login):
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"username": "alice", "password": PASSWORD})
    login("alice")
    assert client.post("/account/security/end-others").status_code == 302
    assert elsewhere.get("/dashboard").status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_an_expired_sign_in_opens_nothing(client, alice, login):
    from datetime import timedelta

    from lms.models.base import utcnow

    login("alice")
    for sign_in in db.session.scalars(select(SignIn)):
        sign_in.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_only_a_digest_of_the_token_is_stored(client, alice, login):
    from lms.sign_ins import SESSION_KEY

    login("alice")
    with client.session_transaction() as cookie:
        token = cookie[SESSION_KEY]
    stored = db.session.scalar(select(SignIn.digest))
    assert token not in stored and len(stored) == 64


def test_an_initial_password_must_be_replaced_before_anything_else(client, alice, login):
    db.session.get(Account, alice.id).must_change_password = True
    db.session.commit()
    login("alice")
    response = client.get("/organizations")
    assert response.status_code == 302 and response.headers["Location"] == "/account/security"
    client.post("/account/security", data={
        "current": PASSWORD, "new": "my-own-password-1", "repeat": "my-own-password-1"})
    assert client.get("/dashboard").status_code == 200
    db.session.expire_all()
    assert db.session.get(Account, alice.id).must_change_password is False
