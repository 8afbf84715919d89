"""practice quizzes attached to course lessons

Revision ID: f2a3b4c50004
Revises: f1d2c3b40003
Create Date: 2026-11-22 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import lms.models.base


# revision identifiers, used by Alembic.
revision = 'f2a3b4c50004'
down_revision = 'f1d2c3b40003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
