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
    op.create_table('lesson_quizzes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('knowledge_point_id', sa.Integer(), nullable=True),
    sa.Column('question_count', sa.Integer(), nullable=False),
    sa.Column('pass_share', sa.Float(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.Column('removed_at', lms.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['bank_id'], ['question_banks.id'], name=op.f('fk_lesson_quizzes_bank_id_question_banks')),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_lesson_quizzes_created_by_id_accounts')),
    sa.ForeignKeyConstraint(['knowledge_point_id'], ['knowledge_points.id'], name=op.f('fk_lesson_quizzes_knowledge_point_id_knowledge_points')),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_lesson_quizzes_lesson_id_lessons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_quizzes')),
    sa.UniqueConstraint('lesson_id', name=op.f('uq_lesson_quizzes_lesson_id'))
    )
    with op.batch_alter_table('lesson_quizzes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_quizzes_bank_id'), ['bank_id'], unique=False)

    # A lesson-quiz round is a practice attempt that names its quiz.
    with op.batch_alter_table('practice_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lesson_quiz_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_practice_attempts_lesson_quiz_id'), ['lesson_quiz_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_practice_attempts_lesson_quiz_id_lesson_quizzes'), 'lesson_quizzes', ['lesson_quiz_id'], ['id'])


def downgrade():
    with op.batch_alter_table('practice_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_practice_attempts_lesson_quiz_id_lesson_quizzes'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_practice_attempts_lesson_quiz_id'))
        batch_op.drop_column('lesson_quiz_id')

    with op.batch_alter_table('lesson_quizzes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_quizzes_bank_id'))

    op.drop_table('lesson_quizzes')
