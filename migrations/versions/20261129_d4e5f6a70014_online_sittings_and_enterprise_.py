"""online sittings and enterprise assessments: the attempt engine also serves enterprise
assessments and mock exams, sat with an account instead of at an exam-centre seat

Revision ID: d4e5f6a70014
Revises: b2c3d4e50012
Create Date: 2026-11-29 18:50:46.018536

"""
from alembic import op
import sqlalchemy as sa

import lms.models.base


# revision identifiers, used by Alembic.
revision = 'd4e5f6a70014'
down_revision = 'c3d4e5f60013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Enum('INDUCTION', 'ANNUAL_RETRAINING', 'OTHER', name='assessmentpurpose', native_enum=False, length=24), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('blueprint_id', sa.Integer(), nullable=False),
    sa.Column('opens_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.Column('closes_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=False),
    sa.Column('pass_percent', sa.Float(), nullable=False),
    sa.Column('status', sa.Enum('SCHEDULED', 'CANCELLED', name='assessmentstatus', native_enum=False, length=16), nullable=False),
    sa.Column('cancelled_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['question_banks.id'], name=op.f('fk_assessments_bank_id_question_banks')),
    sa.ForeignKeyConstraint(['blueprint_id'], ['blueprints.id'], name=op.f('fk_assessments_blueprint_id_blueprints')),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_assessments_created_by_id_accounts')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organizations.id'], name=op.f('fk_assessments_enterprise_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('assessment_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('employment_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('completed_at', lms.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_assignments_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['employment_id'], ['employments.id'], name=op.f('fk_assessment_assignments_employment_id_employments')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_assessment_assignments_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_assignments')),
    sa.UniqueConstraint('assessment_id', 'person_id', name='uq_assessment_assignments_assessment_person')
    )
    with op.batch_alter_table('assessment_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_assignments_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_assignments_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('exam_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('CENTRE', 'ASSESSMENT', 'MOCK', name='sittingkind', native_enum=False, length=16), server_default='CENTRE', nullable=False))
        batch_op.add_column(sa.Column('assignment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('practice_attempt_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
        batch_op.alter_column('registration_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_exam_attempts_account_id'), ['account_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_exam_attempts_assignment_id'), ['assignment_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_exam_attempts_practice_attempt_id'), ['practice_attempt_id'])
        batch_op.create_foreign_key(batch_op.f('fk_exam_attempts_assignment_id_assessment_assignments'), 'assessment_assignments', ['assignment_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_exam_attempts_practice_attempt_id_practice_attempts'), 'practice_attempts', ['practice_attempt_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_exam_attempts_account_id_accounts'), 'accounts', ['account_id'], ['id'])



def downgrade():
    with op.batch_alter_table('exam_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_exam_attempts_account_id_accounts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_exam_attempts_practice_attempt_id_practice_attempts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_exam_attempts_assignment_id_assessment_assignments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_exam_attempts_practice_attempt_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_exam_attempts_assignment_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_exam_attempts_account_id'))
        batch_op.alter_column('registration_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('account_id')
        batch_op.drop_column('practice_attempt_id')
        batch_op.drop_column('assignment_id')
        batch_op.drop_column('kind')

    with op.batch_alter_table('assessment_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_assignments_person_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_assignments_assessment_id'))

    op.drop_table('assessment_assignments')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_closes_at'))

    op.drop_table('assessments')
