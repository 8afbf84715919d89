"""certificates, imports and reminders; notifications, e-mail outbox: one certificate per pass
(or imported record) with its number, dates from the rules, the frozen SHA-256 of its PDF and what
happened to it; staged certificate imports; reminders sent once; in-app notifications, an e-mail
outbox and the account's e-mail address

Revision ID: e5f6a7b80015
Revises: d4e5f6a70014
Create Date: 2026-11-29 19:35:55.291263

"""
from alembic import op
import sqlalchemy as sa

import lms.models.base


# revision identifiers, used by Alembic.
revision = 'e5f6a7b80015'
down_revision = 'd4e5f6a70014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_emails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.Column('sent_at', lms.models.base.UTCDateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('claimed_by', sa.String(length=128), nullable=True),
    sa.Column('claimed_at', lms.models.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_emails'))
    )
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_emails_sent_at'), ['sent_at'], unique=False)

    op.create_table('certificate_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'CONFIRMED', 'CANCELLED', name='importstatus', native_enum=False, length=16), nullable=False),
    sa.Column('valid_rows', sa.JSON(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('uploaded_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_certificate_imports_organization_id_organizations')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_certificate_imports_region_id_regions')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['accounts.id'], name=op.f('fk_certificate_imports_uploaded_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_imports'))
    )
    with op.batch_alter_table('certificate_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_imports_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_imports_region_id'), ['region_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('created_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.Column('read_at', lms.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_notifications_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_notifications_account_read', ['account_id', 'read_at'], unique=False)

    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cert_type', sa.Enum('SPECIAL_OPS', 'SAFETY_QUALIFICATION', name='certificatetype', native_enum=False, length=24), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'ISSUED', 'SUSPENDED', 'REVOKED', 'CANCELLED', 'REPLACED', name='certificatestatus', native_enum=False, length=16), nullable=False),
    sa.Column('source', sa.Enum('EXAM', 'IMPORT', name='certificatesource', native_enum=False, length=16), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('employment_id', sa.Integer(), nullable=True),
    sa.Column('post', sa.String(length=24), nullable=False),
    sa.Column('operation_category', sa.String(length=8), nullable=True),
    sa.Column('operation_subtype', sa.String(length=8), nullable=True),
    sa.Column('pass_key', sa.String(length=64), nullable=False),
    sa.Column('theory_score', sa.Float(), nullable=True),
    sa.Column('practical_score', sa.Float(), nullable=True),
    sa.Column('passed_on', sa.Date(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('next_review_on', sa.Date(), nullable=True),
    sa.Column('issuing_authority', sa.String(length=200), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', lms.models.base.UTCDateTime(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('rule_versions', sa.JSON(), nullable=False),
    sa.Column('reissue_count', sa.Integer(), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('revocation_ground', sa.String(length=32), nullable=True),
    sa.Column('created_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employment_id'], ['employments.id'], name=op.f('fk_certificates_employment_id_employments')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['accounts.id'], name=op.f('fk_certificates_issued_by_id_accounts')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_certificates_person_id_people')),
    sa.ForeignKeyConstraint(['replaces_id'], ['certificates.id'], name=op.f('fk_certificates_replaces_id_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('number', 'operation_subtype', 'generation', name='uq_certificates_number'),
    sa.UniqueConstraint('pass_key', name='uq_certificates_pass_key')
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_cert_type'), ['cert_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_employment_id'), ['employment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_issued_on'), ['issued_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_next_review_on'), ['next_review_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_number'), ['number'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_operation_subtype'), ['operation_subtype'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_status'), ['status'], unique=False)

    op.create_table('certificate_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('at', lms.models.base.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('rule_versions', sa.JSON(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'], name=op.f('fk_certificate_events_actor_id_accounts')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_events_certificate_id_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_events'))
    )
    with op.batch_alter_table('certificate_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_events_certificate_id'), ['certificate_id'], unique=False)

    op.create_table('certificate_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('days_before', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('rule_version', sa.String(length=64), nullable=False),
    sa.Column('created_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_reminders_certificate_id_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_reminders')),
    sa.UniqueConstraint('certificate_id', 'kind', 'due_on', 'days_before', name='uq_certificate_reminders_once')
    )
    with op.batch_alter_table('certificate_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_reminders_certificate_id'), ['certificate_id'], unique=False)

    # Plain ALTER TABLE (no batch copy): a copied accounts table would lose the expression index
    # on lower(username).
    op.add_column('accounts', sa.Column('email', sa.String(length=254), nullable=True))



def downgrade():
    op.drop_column('accounts', 'email')  # SQLite 3.35+ drops a column in place

    with op.batch_alter_table('certificate_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_reminders_certificate_id'))

    op.drop_table('certificate_reminders')
    with op.batch_alter_table('certificate_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_events_certificate_id'))

    op.drop_table('certificate_events')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_status'))
        batch_op.drop_index(batch_op.f('ix_certificates_person_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_operation_subtype'))
        batch_op.drop_index(batch_op.f('ix_certificates_number'))
        batch_op.drop_index(batch_op.f('ix_certificates_next_review_on'))
        batch_op.drop_index(batch_op.f('ix_certificates_issued_on'))
        batch_op.drop_index(batch_op.f('ix_certificates_expires_on'))
        batch_op.drop_index(batch_op.f('ix_certificates_employment_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_cert_type'))

    op.drop_table('certificates')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_account_read')
        batch_op.drop_index(batch_op.f('ix_notifications_account_id'))

    op.drop_table('notifications')
    with op.batch_alter_table('certificate_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_imports_region_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_imports_organization_id'))

    op.drop_table('certificate_imports')
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_emails_sent_at'))

    op.drop_table('outbox_emails')
