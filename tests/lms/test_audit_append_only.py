"""The audit log is append-only in the database itself: bulk statements that bypass the ORM's
refusal (tests/lms/test_accounts.py) are refused by triggers too, on SQLite and on PostgreSQL."""

import logging
import warnings

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from lms.audit import record_event
from lms.extensions import db
from lms.models import AuditEvent

from support import empty_all_tables, make_test_app

REFUSED = [
    "UPDATE audit_events SET action = 'x'",
    "DELETE FROM audit_events",
    "UPDATE audit_events SET details = '{}' WHERE id = (SELECT MIN(id) FROM audit_events)",
]


def log_three() -> list[tuple]:
    for n in range(3):
        record_event("test.appended", actor=None, ip="127.0.0.1", n=n)
    db.session.commit()
    return history()


def history() -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(select(AuditEvent.id, AuditEvent.action, AuditEvent.details)
                              .order_by(AuditEvent.id)).all()


def assert_refused(statement) -> None:
    """The statement fails in the database and its transaction is rolled back."""
    with pytest.raises(IntegrityError, match="append-only"):
        db.session.execute(statement)
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("sql", REFUSED)
def test_bulk_sql_cannot_change_or_delete_audit_events(ctx, sql):
    before = log_three()
    assert_refused(text(sql))
    assert history() == before


@pytest.mark.parametrize("statement", [update(AuditEvent).values(action="x"), delete(AuditEvent)],
                         ids=["orm_bulk_update", "orm_bulk_delete"])
def test_orm_bulk_statements_skip_the_orm_events_and_are_refused_by_the_database(ctx, statement):
    before = log_three()
    assert_refused(statement.execution_options(synchronize_session=False))
    assert history() == before


def test_truncate_changes_nothing(ctx):
    """PostgreSQL's trigger refuses TRUNCATE; SQLite has no such statement and refuses it too."""
    before = log_three()
    if db.engine.dialect.name == "postgresql":
        assert_refused(text("TRUNCATE audit_events CASCADE"))
    else:
        with pytest.raises(OperationalError, match="syntax error"):
            db.session.execute(text("TRUNCATE audit_events"))
        db.session.rollback()
    assert history() == before


def test_appending_still_works_and_the_test_cleanup_leaves_the_triggers_in_place(ctx):
    log_three()
    empty_all_tables()
    assert history() == []
    after = log_three()
    assert len(after) == 3
    assert_refused(text("DELETE FROM audit_events"))
    assert history() == after


def test_backup_reads_and_restore_into_an_empty_database_inserts_the_audit_log(ctx, runner, tmp_path):
    before = log_three()
    archive = tmp_path / "backup.zip"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    assert history() == before
    db.session.remove()
    empty_all_tables()
    restored = runner.invoke(args=["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert history() == before


@pytest.fixture
def loggers_kept():
    """Alembic's env.py configures logging and disables the loggers it does not name (the beat
    committer's among them); later tests that read those loggers need them back."""
    enabled = [logger for logger in logging.Logger.manager.loggerDict.values()
               if isinstance(logger, logging.Logger) and not logger.disabled]
    yield
    for logger in enabled:
        logger.disabled = False


def test_the_migration_adds_the_triggers_and_its_downgrade_removes_them(tmp_path, loggers_kept):
    from test_migrations import empty_database  # a brand-new database of the suite's kind

    with empty_database(tmp_path) as url:
        app = make_test_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context(), warnings.catch_warnings():
            # Batch migrations on SQLite reflect tables, and reflection cannot read expression indexes.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
            upgrade()
            db.session.execute(text("INSERT INTO audit_events (at, action, details) "
                                    "VALUES (CURRENT_TIMESTAMP, 'test.appended', '{}')"))
            db.session.commit()
            assert_refused(text("DELETE FROM audit_events"))
            assert_refused(text("UPDATE audit_events SET action = 'x'"))
            downgrade(revision="b1c2d3e40006")
            db.session.execute(text("DELETE FROM audit_events"))
            db.session.commit()
            assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
            db.session.remove()  # its read lock would hold up the downgrade's DROP on PostgreSQL
            downgrade(revision="base")
            db.engine.dispose()
