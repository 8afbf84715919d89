"""drill results reported by schools and experience halls

Revision ID: f1d2c3b40003
Revises: e0a5ba4c0002
Create Date: 2026-11-22 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import lms.models.base


# revision identifiers, used by Alembic.
revision = 'f1d2c3b40003'
down_revision = 'e0a5ba4c0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('drill_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('class_name', sa.String(length=128), nullable=True),
    sa.Column('participant', sa.String(length=128), nullable=True),
    sa.Column('drill', sa.String(length=32), nullable=False),
    sa.Column('drill_version', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('run_id', sa.String(length=36), nullable=False),
    sa.Column('started_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.Column('duration_s', sa.Float(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('outcome', sa.String(length=64), nullable=False),
    sa.Column('outcome_text', sa.Text(), nullable=False),
    sa.Column('decisions', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('received_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_drill_results_organization_id_organizations')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['accounts.id'], name=op.f('fk_drill_results_reported_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drill_results')),
    sa.UniqueConstraint('run_id', name=op.f('uq_drill_results_run_id'))
    )
    with op.batch_alter_table('drill_results', schema=None) as batch_op:
        batch_op.create_index('ix_drill_results_org_started', ['organization_id', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_drill_results_reported_by_id'), ['reported_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('drill_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drill_results_reported_by_id'))
        batch_op.drop_index('ix_drill_results_org_started')

    op.drop_table('drill_results')
