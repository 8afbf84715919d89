"""The app factory: instance secret, configuration from the environment, SQLite settings."""

import sqlite3
import stat
from multiprocessing import get_context

import pytest
from sqlalchemy import text

from lms.app import _instance_secret, create_app
from lms.extensions import db

#: What ``PRAGMA synchronous`` reads for FULL (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA).
SYNCHRONOUS_FULL = 2


def test_secret_key_is_generated_once_and_private(tmp_path):
    path = tmp_path / "secret_key"
    first = _instance_secret(path)
    assert len(first) == 64
    assert _instance_secret(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_workers_starting_together_share_one_secret(tmp_path):
    path = tmp_path / "secret_key"
    with get_context("spawn").Pool(4) as pool:
        keys = pool.map(_instance_secret, [path] * 8)
    assert len(set(keys)) == 1
    assert list(tmp_path.iterdir()) == [path]


def test_environment_selects_database_and_secret_stays_out_of_code(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.db")
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text()


def test_default_sqlite_uses_wal_busy_timeout_foreign_keys_and_durable_commits(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("LMS_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lms.db'}"
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA synchronous")).scalar() == SYNCHRONOUS_FULL
        db.engine.dispose()


def test_the_app_sets_every_sqlite_setting_itself_whatever_the_connection_starts_with(tmp_path,
                                                                                       monkeypatch):
    """Debian's SQLite happens to start with synchronous=FULL; builds that start WAL connections
    with NORMAL exist, so here each connection starts with the laxest settings and the app must
    raise them: WAL, a busy timeout, foreign keys and durable commits."""
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    path = tmp_path / "lax.db"

    def lax_connection():
        connection = sqlite3.connect(path, check_same_thread=False)
        for pragma in ("journal_mode=DELETE", "busy_timeout=0", "foreign_keys=OFF", "synchronous=OFF"):
            connection.execute(f"PRAGMA {pragma}")
        return connection

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"creator": lax_connection}})
    with app.app_context():
        with db.engine.connect() as conn:
            pragmas = [conn.execute(text(f"PRAGMA {name}")).scalar()
                       for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")]
        db.engine.dispose()
    assert pragmas == ["wal", 5000, 1, SYNCHRONOUS_FULL]


def test_a_shared_database_needs_a_configured_secret(tmp_path, monkeypatch):
    """Several app servers would otherwise each sign sessions with a key of their own."""
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    monkeypatch.setenv("LMS_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with pytest.raises(RuntimeError, match="LMS_SECRET_KEY"):
        create_app()
    monkeypatch.setenv("LMS_SECRET_KEY", "one-key-for-every-server")
    assert create_app().config["SECRET_KEY"] == "one-key-for-every-server"
    assert not (tmp_path / "secret_key").exists()
