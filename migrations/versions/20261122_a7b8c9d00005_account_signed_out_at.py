"""accounts remember when they last signed out (study tickets issued before it stop counting)

Revision ID: a7b8c9d00005
Revises: f2a3b4c50004
Create Date: 2026-11-22 11:00:00

"""
from alembic import op
import sqlalchemy as sa

import lms.models.base


# revision identifiers, used by Alembic.
revision = 'a7b8c9d00005'
down_revision = 'f2a3b4c50004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_out_at', lms.models.base.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('signed_out_at')
