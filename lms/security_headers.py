"""Security headers on every response: content policy, no framing, no type guessing, referrer, features.

Everything the pages load comes from the app itself (exam centres run offline), and no template
has an inline script, inline style block or style attribute, so the policy needs no
'unsafe-inline'. HSTS and Secure cookies are sent only when HTTPS is configured
(SESSION_COOKIE_SECURE); plain HTTP is never redirected unless SECURITY_FORCE_HTTPS asks for it.
"""

from flask import Flask, Response
from flask_talisman import DENY, Talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # Lesson images, question images, lesson videos and the heartbeat's fetch: all same-origin.
    "img-src": "'self'",
    "media-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
#: For PDFs opened in the browser: Chrome builds the viewer page under the file's own policy, and
#: object-src 'none' or style-src 'self' leave it blank (crbug.com/271452). Framing stays refused.
VIEWER_CSP = "frame-ancestors 'none'"
#: Answers the heartbeat gateway writes without Flask: JSON that loads nothing.
RAW_JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
#: Browser features no page needs; SECURITY_ALLOWED_FEATURES opens some for the site itself.
DENIED_FEATURES = ("accelerometer", "camera", "display-capture", "geolocation", "gyroscope",
                   "magnetometer", "microphone", "payment", "usb", "browsing-topics")
REFERRER_POLICY = "same-origin"
HSTS_MAX_AGE = 365 * 24 * 3600


def init_security_headers(app: Flask) -> None:
    """Send the security headers on every response of ``app``; HSTS only if HTTPS is configured."""
    https = bool(app.config["SESSION_COOKIE_SECURE"])
    app.config.setdefault("REMEMBER_COOKIE_SECURE", https)
    # Registered before Talisman's hook, so it runs after it (Flask runs them in reverse order).
    app.after_request(_viewer_policy)
    Talisman(
        app,
        content_security_policy=content_security_policy(app),
        frame_options=DENY,
        x_content_type_options=True,
        referrer_policy=REFERRER_POLICY,
        permissions_policy=permissions_policy(app),
        force_https=bool(app.config["SECURITY_FORCE_HTTPS"]),
        strict_transport_security=https,
        strict_transport_security_max_age=HSTS_MAX_AGE,
        # Other hosts of the same domain may still run plain HTTP on a closed network.
        strict_transport_security_include_subdomains=False,
        session_cookie_secure=https,
        # Talisman writes these into the config: hand it the configured values, not its defaults.
        session_cookie_http_only=app.config["SESSION_COOKIE_HTTPONLY"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )


def content_security_policy(app: Flask) -> dict[str, str]:
    """The policy with the deployment's extra sources (SECURITY_CSP_EXTRA) added."""
    policy = dict(CONTENT_SECURITY_POLICY)
    for directive, sources in app.config["SECURITY_CSP_EXTRA"].items():
        policy[directive] = f"{policy.get(directive, '')} {sources}".strip()
    return policy


def permissions_policy(app: Flask) -> dict[str, str]:
    """Permissions-Policy: every denied feature off, except those the deployment allows for itself."""
    allowed = set(app.config["SECURITY_ALLOWED_FEATURES"])
    features = sorted(set(DENIED_FEATURES) | allowed)
    return {feature: "(self)" if feature in allowed else "()" for feature in features}


def raw_json_headers() -> list[tuple[str, str]]:
    """Headers for JSON answered outside Flask (WSGI middleware), matching the app's responses."""
    return [("X-Content-Type-Options", "nosniff"), ("Content-Security-Policy", RAW_JSON_CSP),
            ("X-Frame-Options", DENY), ("Referrer-Policy", REFERRER_POLICY)]


def _viewer_policy(response: Response) -> Response:
    if response.mimetype == "application/pdf":
        response.headers["Content-Security-Policy"] = VIEWER_CSP
    return response
