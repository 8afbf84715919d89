"""Append-only audit log of logins, role grants and roster changes."""

from datetime import datetime

from sqlalchemy import DDL, JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """Who did what, when and from where; rows are never updated or deleted."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    #: Dotted action name such as "auth.login" or "roster.import".
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column()
    #: Organization the event concerns, so scoped viewers see their own events only.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("Account")


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove an audit event."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper, _connection, _target) -> None:
    raise AuditLogIsAppendOnly("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper, _connection, _target) -> None:
    raise AuditLogIsAppendOnly("audit events cannot be deleted")


# The ORM events above stop the application's own objects; the database itself refuses what
# bypasses them (a bulk UPDATE or DELETE, a TRUNCATE, another program on the same database). The
# statements are shared by the models (create_all) and the migration that adds them.
#: Statements that make the audit log append-only, per dialect.
APPEND_ONLY_DDL = {
    "sqlite": (
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only; UPDATE refused'); END",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only; DELETE refused'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE USING MESSAGE = 'audit events are append-only; ' || TG_OP || ' refused', "
        "ERRCODE = 'integrity_constraint_violation'; END $$",
        "CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
    ),
}
#: Statements that undo APPEND_ONLY_DDL, per dialect (the migration's downgrade).
DROP_APPEND_ONLY_DDL = {
    "sqlite": ("DROP TRIGGER IF EXISTS audit_events_no_update",
               "DROP TRIGGER IF EXISTS audit_events_no_delete"),
    "postgresql": ("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
                   "DROP TRIGGER IF EXISTS audit_events_no_update_or_delete ON audit_events",
                   "DROP FUNCTION IF EXISTS audit_events_append_only()"),
}


def _append_only_in_the_database() -> None:
    """Create the triggers with the table (create_all); drop PostgreSQL's function with it."""
    table = AuditEvent.__table__
    for dialect, statements in APPEND_ONLY_DDL.items():
        for statement in statements:
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
    # Triggers go with their table; the function would outlive it.
    event.listen(table, "after_drop", DDL(DROP_APPEND_ONLY_DDL["postgresql"][-1])
                 .execute_if(dialect="postgresql"))


_append_only_in_the_database()
