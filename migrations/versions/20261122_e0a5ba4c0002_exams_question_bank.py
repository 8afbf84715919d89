"""question bank, blueprints, papers and practice

Revision ID: e0a5ba4c0002
Revises: c0c0a5e50001
Create Date: 2026-11-22 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import lms.models.base


# revision identifiers, used by Alembic.
revision = 'e0a5ba4c0002'
down_revision = 'c0c0a5e50001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
