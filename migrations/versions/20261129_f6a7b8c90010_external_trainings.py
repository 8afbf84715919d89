"""training done elsewhere: provider, dates, hours and proof file, counted towards requirements;
logins from the roster import with a password to change at first sign-in

Revision ID: f6a7b8c90010
Revises: e5f6a7b80009
Create Date: 2026-11-29 15:00:00

"""
from alembic import op
import sqlalchemy as sa

import lms.models.base


# revision identifiers, used by Alembic.
revision = 'f6a7b8c90010'
down_revision = 'e5f6a7b80009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('external_trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=False),
    sa.Column('class_hours', sa.Float(), nullable=False),
    sa.Column('proof_sha256', sa.String(length=64), nullable=False),
    sa.Column('proof_mime', sa.String(length=64), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_external_trainings_organization_id_organizations')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_external_trainings_person_id_people')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['accounts.id'], name=op.f('fk_external_trainings_recorded_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_trainings'))
    )
    with op.batch_alter_table('external_trainings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_trainings_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_external_trainings_person_id'), ['person_id'], unique=False)

    # Plain ADD COLUMN (no batch copy on SQLite), so the expression index on accounts stays as it is.
    op.add_column('accounts', sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('roster_imports', sa.Column('create_logins', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('roster_imports', schema=None) as batch_op:
        batch_op.drop_column('create_logins')

    # A batch copy on SQLite drops the expression index; it is made again afterwards.
    op.drop_index('ix_accounts_username_lower', table_name='accounts')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
    op.create_index('ix_accounts_username_lower', 'accounts', [sa.text('lower(username)')], unique=True)

    with op.batch_alter_table('external_trainings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_trainings_person_id'))
        batch_op.drop_index(batch_op.f('ix_external_trainings_organization_id'))

    op.drop_table('external_trainings')
