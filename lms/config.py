"""Configuration defaults; secrets and deployment choices come from the instance folder or LMS_* env."""

from datetime import timedelta


class Config:
    """Defaults for every deployment; override with instance/config.py or LMS_* variables."""

    #: Domain packages loaded by name so the core never imports them statically.
    LMS_MODULES: tuple[str, ...] = ("courses", "exams", "certificates")
    #: Empty means: SQLite file in the instance folder.
    DATABASE_URL = ""
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    LANGUAGES = ("zh_CN", "en")
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Set LMS_SESSION_COOKIE_SECURE=true behind HTTPS (exam centres on closed networks often run HTTP).
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)

    #: Uploads (rosters) larger than this are refused before they are read.
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024

    #: Failed logins before an account is locked, the window they are counted in, and the lock time.
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
    LOGIN_LOCK_DURATION = timedelta(minutes=15)
    #: Per-client throttle on the login form (Flask-Limiter syntax).
    LOGIN_RATE_LIMIT = "20 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    #: Reverse proxies (nginx, a load balancer) in front of the app whose X-Forwarded-For and
    #: X-Forwarded-Proto headers are believed. 0 (no proxy): a client could forge its address.
    TRUSTED_PROXIES = 0
    RATELIMIT_HEADERS_ENABLED = True

    #: Argon2id cost; tests lower it for speed.
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_KIB = 65536

    API_TOKEN_DEFAULT_DAYS = 90
    PAGE_SIZE = 50
