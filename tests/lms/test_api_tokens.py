"""API tokens: stored hashed, scoped, expiring and revocable."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.api.tokens import issue_token
from lms.extensions import db
from lms.models import ApiToken
from lms.models.base import utcnow
from lms.roles import Role


@pytest.fixture
def account(make):
    return make.account("station", Role.SCHOOL_TEACHER,
                        org=make.org("吴江测试小学", region_code="320509", kind="school"))


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_only_a_digest_is_stored(account):
    token, clear = issue_token(account, "drill station", ["profile:read"], days=30)
    db.session.commit()
    stored = db.session.scalar(select(ApiToken))
    assert clear.startswith("lms_") and len(clear) > 40
    assert stored.digest != clear and clear not in stored.digest
    assert stored.prefix == clear[:12]


def test_valid_token_reads_the_profile(client, account):
    _token, clear = issue_token(account, "station", ["profile:read"], days=30)
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(clear))
    assert response.status_code == 200
    assert response.json["username"] == "station"
    assert response.json["roles"][0]["role"] == "school_teacher"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer lms_not-a-token", "Basic abc"])
def test_missing_or_unknown_token_is_refused(client, account, header):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_expired_and_revoked_tokens_are_refused(client, account):
    expired, clear_expired = issue_token(account, "old", ["profile:read"], days=1)
    revoked, clear_revoked = issue_token(account, "gone", ["profile:read"], days=30)
    expired.expires_at = utcnow() - timedelta(seconds=1)
    revoked.revoked_at = utcnow()
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(clear_expired)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(clear_revoked)).status_code == 401


def test_token_without_the_scope_is_forbidden(client, account, monkeypatch):
    from lms.api import tokens

    monkeypatch.setitem(tokens.API_SCOPES, "drill-results:write", "write drill results")
    _token, clear = issue_token(account, "narrow", ["drill-results:write"], days=30)
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(clear))
    assert response.status_code == 403


def test_user_creates_sees_once_and_revokes_a_token(client, account, login):
    login("station")
    page = client.post("/account/tokens", data={"name": "教室一", "scopes": ["profile:read"],
                                                "days": 30}).data.decode()
    clear = page.split('<code class="token" translate="no">')[1].split("</code>")[0]
    assert client.get("/api/v1/me", headers=bearer(clear)).status_code == 200
    assert clear not in client.get("/account/tokens").data.decode()
    token = db.session.scalar(select(ApiToken))
    client.post(f"/account/tokens/{token.id}/revoke")
    assert client.get("/api/v1/me", headers=bearer(clear)).status_code == 401


def test_api_does_not_need_csrf_but_forms_do(strict_app, account):
    _token, clear = issue_token(account, "station", ["profile:read"], days=30)
    db.session.commit()
    client = strict_app.test_client()
    assert client.get("/api/v1/me", headers=bearer(clear)).status_code == 200
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 400
