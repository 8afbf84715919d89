"""Application factory: configuration, extensions, core blueprints, then domain packages by name."""

import importlib
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.config import Config
from lms.extensions import babel, csrf, db, limiter, login_manager, migrate
from lms.security_headers import init_security_headers

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the LMS application; ``config`` overrides everything else (used by tests)."""
    app = Flask("lms", instance_path=os.environ.get("LMS_INSTANCE_PATH") or None,
                instance_relative_config=True)
    _load_config(app, config or {})
    _init_extensions(app)
    _register_core(app)
    for name in app.config["LMS_MODULES"]:
        importlib.import_module(name).init_app(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the configured number of reverse proxies.

    Applied last, outside any middleware the modules installed, so that every layer (audit log,
    login throttling, the heartbeat gateway) sees the client rather than the proxy.
    """
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _load_config(app: Flask, overrides: dict[str, Any]) -> None:
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("LMS")
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'lms.db'}"
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_for(app)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        # Limits must hold across workers and app servers; memory only serves a single process.
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A local file cannot drop the connection; pinging it costs a query on every request.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}


def _secret_for(app: Flask) -> str:
    """The instance folder's secret on a single machine; a shared deployment must configure one.

    With a server database or Redis, several app servers are the normal case, and each would
    otherwise sign sessions and study tickets with a key of its own.
    """
    shared = (not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
              or bool(app.config.get("REDIS_URL")))
    if shared:
        raise RuntimeError("LMS_SECRET_KEY must be set when the database or Redis is shared by "
                           "several app servers (every server needs the same key).")
    return _instance_secret(Path(app.instance_path) / "secret_key")


def _instance_secret(path: Path) -> str:
    """Read the secret key kept in the instance folder, creating it on first run.

    Several workers may start at once: the key is written to a private temporary file and
    linked into place, so every process reads the same complete key.
    """
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race; use its key
        finally:
            tmp.unlink()
    return path.read_text().strip()


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from lms.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    init_security_headers(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Give every SQLite connection WAL, a busy timeout, enforced foreign keys and durable commits."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL syncs the WAL at every commit: a reply sent after a commit survives a power cut,
        # which NORMAL does not promise. Heartbeats stay fast through group commit instead.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


def _register_core(app: Flask) -> None:
    from lms import models  # noqa: F401  (registers tables for Alembic)
    from lms.api import bp as api_bp
    from lms.auth import bp as auth_bp
    from lms.cli import register_cli
    from lms.errors import register_error_handlers
    from lms.roster import bp as roster_bp
    from lms.web import bp as web_bp
    from lms.web.templating import register_template_helpers

    app.register_blueprint(auth_bp)
    app.register_blueprint(web_bp)
    app.register_blueprint(roster_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)
    # In-app notifications and the e-mail outbox, with the worker-job registry they use.
    from lms import mail, notifications

    mail.init_app(app)
    notifications.init_app(app)
