"""Alembic builds the whole schema from nothing, and models and migrations have not drifted apart."""

import os
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path

import psycopg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from lms.extensions import db

from support import make_test_app


@contextmanager
def empty_database(tmp_path: Path):
    """A brand-new empty database of the kind the suite runs on."""
    base = os.environ.get("LMS_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = make_url(base)
    name = f"lms_migrations_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def expression_indexes() -> set[str]:
    """Names of the indexes on an expression (lower(...)) in the database."""
    if db.engine.dialect.name == "postgresql":
        query = "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%lower(%'"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%lower(%'"
    with db.engine.connect() as connection:
        return set(connection.scalars(text(query)))


def test_upgrade_builds_every_table_and_matches_the_models(tmp_path):
    with empty_database(tmp_path) as url:
        app = make_test_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context(), warnings.catch_warnings():
            # Reflection (batch migrations on SQLite, the drift check) cannot read expression
            # indexes; they are checked by name below.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {t.name for t in db.metadata.sorted_tables} <= tables
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert compare_metadata(context, db.metadata) == []
            assert expression_indexes() >= {"ix_accounts_username_lower"}
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()
