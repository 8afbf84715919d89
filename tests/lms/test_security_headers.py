"""Security headers on pages, API answers, static files and the heartbeat gateway; no inline code."""

import re
from html.parser import HTMLParser

import pytest
from flask import Response
from sqlalchemy import select

from courses.models import Enrollment
from lms.extensions import db
from lms.models import Organization, OrgKind

from support import PASSWORD, ROOT

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
PERMISSIONS = ("accelerometer=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), "
               "gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()")
EXPECTED = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS,
}
TEMPLATE_DIRS = [ROOT / "lms" / "templates", ROOT / "courses" / "templates", ROOT / "exams" / "templates"]
DEMO_PASSWORD = "Demo-2026-safety"


def assert_security_headers(response, expected=EXPECTED) -> None:
    for name, value in expected.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    assert "Strict-Transport-Security" not in response.headers


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/", "/login", "/no-such-page"])
def test_public_pages_carry_the_headers(client, url):
    assert_security_headers(client.get(url))


def test_signed_in_pages_cannot_be_framed(client, login, make):
    make.account("someone")
    login("someone")
    response = client.get("/account/tokens")
    assert response.status_code == 200
    assert_security_headers(response)


def test_api_answers_carry_the_headers(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert_security_headers(response)


@pytest.mark.parametrize("url", ["/static/css/app.css", "/courses/static/study.js"])
def test_static_files_carry_the_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_security_headers(response)
    response.close()


def test_the_heartbeat_gateway_answers_with_the_headers(client):
    # A ticket beat is answered by the WSGI gateway, which Flask's after-request hooks never see.
    response = client.post("/courses/study/heartbeat", json={"ticket": "forged", "lesson": 1})
    assert response.status_code == 401 and response.json["refused"]
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_policy_allows_no_inline_scripts_or_styles(client):
    policy = directives(client.get("/login").headers["Content-Security-Policy"])
    for directive in ("script-src", "style-src", "default-src"):
        assert directive in policy
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(policy[directive])
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]


def test_pdfs_keep_framing_refused_but_leave_the_browser_viewer_alone(other_app):
    extra = other_app()
    extra.add_url_rule("/test/doc.pdf", "doc", lambda: Response(b"%PDF-1.4\n", mimetype="application/pdf"))
    response = extra.test_client().get("/test/doc.pdf")
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_and_secure_cookies_only_when_https_is_configured(client, other_app, make):
    make.account("someone")
    credentials = {"username": "someone", "password": PASSWORD}
    plain = client.post("/login", data=credentials, base_url="https://localhost")
    assert "Strict-Transport-Security" not in plain.headers
    assert "Secure" not in plain.headers["Set-Cookie"]
    secure_app = other_app(SESSION_COOKIE_SECURE=True)
    over_https = secure_app.test_client().post("/login", data=credentials, base_url="https://localhost")
    assert over_https.status_code == 302
    assert over_https.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "; Secure" in over_https.headers["Set-Cookie"]
    # Plain HTTP is still answered, never redirected, and gets no HSTS (browsers ignore it there).
    over_http = secure_app.test_client().get("/login")
    assert over_http.status_code == 200 and "Strict-Transport-Security" not in over_http.headers


def test_the_exam_day_can_allow_the_camera_for_the_site_itself(other_app):
    response = other_app(SECURITY_ALLOWED_FEATURES=("camera",)).test_client().get("/login")
    policy = response.headers["Permissions-Policy"]
    assert "camera=(self)" in policy and "microphone=()" in policy


class InlineCode(HTMLParser):
    """Collects style attributes, event-handler attributes, style blocks and scripts without src."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        if "style" in names or any(name.startswith("on") for name in names):
            self.found.append((tag, sorted(names)))
        if tag == "style" or (tag == "script" and "src" not in names):
            self.found.append((tag, sorted(names)))


def inline_code(html: str) -> list:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_no_template_source_has_inline_scripts_or_styles():
    templates = [p for folder in TEMPLATE_DIRS for p in folder.rglob("*.html")]
    assert len(templates) > 50
    pattern = re.compile(r"\sstyle\s*=|<style[\s>]|<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
    offenders = {str(p.relative_to(ROOT)): pattern.findall(p.read_text()) for p in templates}
    assert {name: found for name, found in offenders.items() if found} == {}


@pytest.fixture
def demo(ctx, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output


# Pages that draw progress bars, pass-rate bars and indented knowledge-point trees, by who sees them.
RENDERED = [
    ("learner", "/courses/mine", "<progress"),
    ("learner", "/exams/practice", 'class="depth-1"'),
    ("bank_editor", "/exams/knowledge-points", 'class="depth-1"'),
    ("teacher", "/courses/drills/", "<progress"),
]


@pytest.mark.parametrize(("username", "url", "marker"), RENDERED)
def test_rendered_pages_have_no_inline_scripts_or_styles(client, login, demo, username, url, marker):
    login(username, DEMO_PASSWORD)
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    assert marker in html
    assert inline_code(html) == []


def test_the_progress_table_draws_bars_without_style_attributes(client, login, demo):
    enrollment = db.session.scalars(select(Enrollment).join(Organization, Enrollment.organization_id
                                                            == Organization.id)
                                    .where(Organization.kind == OrgKind.ENTERPRISE)).first()
    login("admin", DEMO_PASSWORD)
    html = client.get(f"/courses/admin/progress?org={enrollment.organization_id}"
                      f"&course={enrollment.course_id}").get_data(as_text=True)
    assert '<progress class="progress-bar"' in html
    assert inline_code(html) == []
