"""courses, lessons, enrolment and the study-time ledger

Revision ID: c0c0a5e50001
Revises: c65003cede43
Create Date: 2026-11-22 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import lms.models.base


# revision identifiers, used by Alembic.
revision = 'c0c0a5e50001'
down_revision = 'c65003cede43'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
