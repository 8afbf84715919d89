"""question imports keep what the reader saw: column mapping, categories, notes

Revision ID: e5f6a7b80009
Revises: d4e5f6a70008
Create Date: 2026-11-29 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5f6a7b80009'
down_revision = 'd4e5f6a70008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('question_imports', schema=None) as batch_op:
        batch_op.drop_column('details')
