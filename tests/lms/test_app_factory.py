"""The app factory: instance secret, configuration from the environment, SQLite settings."""

import stat
from multiprocessing import get_context

from sqlalchemy import text

from lms.app import _instance_secret, create_app
from lms.extensions import db


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


def test_default_sqlite_uses_wal_busy_timeout_and_foreign_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("LMS_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lms.db'}"
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()
