"""one answer per paper item and attempt

Revision ID: d4e5f6a70008
Revises: c3d4e5f60007
Create Date: 2026-11-29 13:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd4e5f6a70008'
down_revision = 'c3d4e5f60007'
branch_labels = None
depends_on = None


def upgrade():
    # A double hand-in before this revision could answer a paper item twice; keep the first answer.
    op.execute(
        "DELETE FROM practice_answers WHERE paper_item_id IS NOT NULL AND id NOT IN ("
        " SELECT first_id FROM (SELECT MIN(id) AS first_id FROM practice_answers"
        " WHERE paper_item_id IS NOT NULL GROUP BY attempt_id, paper_item_id) AS firsts)")
    with op.batch_alter_table('practice_answers', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_practice_answers_attempt_id'),
                                          ['attempt_id', 'paper_item_id'])


def downgrade():
    with op.batch_alter_table('practice_answers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_practice_answers_attempt_id'), type_='unique')
