"""Every error under /api/ answers JSON with a stable code, whatever the request; never an HTML page."""

import pytest
from flask import abort, request

from lms.api.tokens import issue_token
from lms.extensions import csrf, db
from lms.models import OrgKind
from lms.roles import Role

DRILLS = "/api/v1/drill-results"


def assert_json_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json", response.data[:300]
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


@pytest.fixture
def drill_auth(make):
    school = make.org("吴江区实验小学", region_code="320509", kind=OrgKind.SCHOOL, industry=None)
    teacher = make.account("teacher", Role.SCHOOL_TEACHER, org=school)
    _token, clear = issue_token(teacher, "drill room", ["drill-results:write"], days=30)
    db.session.commit()
    return {"Authorization": f"Bearer {clear}", "Content-Type": "application/json"}


@pytest.mark.parametrize("depth", [40, 2_000, 100_000])  # 100_000: the probe's 200 KB
def test_deeply_nested_json_gets_400_not_a_crash(client, drill_auth, depth):
    body = b"[" * depth + b"]" * depth
    assert_json_error(client.post(DRILLS, data=body, headers=drill_auth), 400, "invalid_json")
    unclosed = b'{"details": ' + b"[" * depth
    assert_json_error(client.post(DRILLS, data=unclosed, headers=drill_auth), 400, "invalid_json")


def test_deeply_nested_heartbeat_gets_a_json_refusal(client):
    # Over the gateway's 4 KiB, so the Flask view reads it.
    response = client.post("/courses/study/heartbeat", data=b"[" * 200_000,
                           headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500 and response.mimetype == "application/json"


def test_a_wrong_method_gets_405_json_with_allow(client):
    response = client.get(DRILLS)
    assert_json_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_an_unknown_api_path_gets_404_json_with_a_string_code(client):
    assert_json_error(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_a_body_over_the_request_limit_gets_413_json(client, drill_auth, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = client.post(DRILLS, data=b"{" + b" " * 2000 + b"}", headers=drill_auth)
    assert_json_error(response, 413, "payload_too_large")


@pytest.fixture
def failing_app(other_app):
    """An app with extra routes that fail in every way, answering as in production (no propagation)."""
    extra = other_app(PROPAGATE_EXCEPTIONS=False, WTF_CSRF_ENABLED=True)

    def boom():
        raise RuntimeError("database on fire")

    def fail(code: int):
        abort(code)

    def echo():
        return {"got": request.get_json()}

    def guarded():
        return {"ok": True}

    for prefix in ("/api/v1/test", "/test"):
        extra.add_url_rule(f"{prefix}/boom", f"{prefix}-boom", boom)
        extra.add_url_rule(f"{prefix}/fail/<int:code>", f"{prefix}-fail", fail)
    extra.add_url_rule("/api/v1/test/echo", "echo", csrf.exempt(echo), methods=["POST"])
    extra.add_url_rule("/api/v1/test/guarded", "guarded", guarded, methods=["POST"])
    return extra


def test_an_unhandled_exception_under_api_is_a_json_500_and_pages_keep_html(failing_app):
    client = failing_app.test_client()
    response = client.get("/api/v1/test/boom")
    assert_json_error(response, 500, "internal_error")
    assert "fire" not in response.get_data(as_text=True)
    assert client.get("/test/boom").mimetype == "text/html"
    assert client.get("/test/fail/400").mimetype == "text/html"


@pytest.mark.parametrize(("status", "code"), [
    (400, "bad_request"), (401, "unauthorized"), (403, "forbidden"), (404, "not_found"),
    (413, "payload_too_large"), (415, "unsupported_media_type"), (429, "too_many_requests"),
    (500, "internal_error")])
def test_every_http_error_under_api_is_json(failing_app, status, code):
    assert_json_error(failing_app.test_client().get(f"/api/v1/test/fail/{status}"), status, code)


def test_bad_json_and_a_missing_csrf_token_under_api_are_json(failing_app):
    client = failing_app.test_client()
    assert_json_error(client.post("/api/v1/test/echo", data=b"{", content_type="application/json"),
                      400, "bad_request")
    # Not exempt from CSRF, unlike the real API blueprints.
    assert_json_error(client.post("/api/v1/test/guarded", json={}), 400, "csrf_failed")


def test_deeply_nested_heartbeat_within_the_gateways_size_gets_a_json_refusal(client):
    """Small enough for the gateway to parse: it must hand the body on, not crash the worker."""
    response = client.post("/courses/study/heartbeat", data=b"[" * 3000,
                           headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500 and response.mimetype == "application/json"


@pytest.mark.parametrize("path", ["/organizations", "/audit", "/accounts", "/courses/"])
def test_an_absurd_page_number_is_an_empty_page_not_a_server_error(client, make, login, path):
    from lms.roles import Role

    make.account("root", Role.SYSTEM_ADMIN)
    login("root")
    for page in ("99999999999999999999999", "-5", "abc"):
        assert client.get(f"{path}?page={page}").status_code in (200, 404), (path, page)
