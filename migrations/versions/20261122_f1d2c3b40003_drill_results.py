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
    pass


def downgrade():
    pass
