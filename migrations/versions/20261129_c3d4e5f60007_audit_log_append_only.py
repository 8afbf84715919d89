"""the audit log is append-only in the database itself: triggers refuse UPDATE and DELETE of
audit_events (and TRUNCATE on PostgreSQL), also for bulk statements that bypass the ORM

Revision ID: c3d4e5f60007
Revises: b1c2d3e40006
Create Date: 2026-11-29 18:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3d4e5f60007'
down_revision = 'b1c2d3e40006'
branch_labels = None
depends_on = None

# Written out here rather than imported from lms/models/audit.py (which create_all uses), so that a
# later change to the model cannot change what this revision did.
CREATE = {
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE USING MESSAGE = 'audit events are append-only; ' || TG_OP || ' refused', "
        "ERRCODE = 'integrity_constraint_violation'; END $$",
        "CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
    ),
    "sqlite": (
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN "
        "SELECT RAISE(ABORT, 'audit events are append-only; UPDATE refused'); END",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN "
        "SELECT RAISE(ABORT, 'audit events are append-only; DELETE refused'); END",
    ),
}
DROP = {
    "postgresql": ("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
                   "DROP TRIGGER IF EXISTS audit_events_no_update_or_delete ON audit_events",
                   "DROP FUNCTION IF EXISTS audit_events_append_only()"),
    "sqlite": ("DROP TRIGGER IF EXISTS audit_events_no_update",
               "DROP TRIGGER IF EXISTS audit_events_no_delete"),
}


def upgrade():
    for statement in CREATE[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(statement)
