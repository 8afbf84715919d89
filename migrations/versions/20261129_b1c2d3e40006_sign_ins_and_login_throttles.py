"""sign-ins kept in the database; failed sign-ins counted per username and client address;
usernames unique and indexed case-insensitively

Revision ID: b1c2d3e40006
Revises: a7b8c9d00005
Create Date: 2026-11-29 13:00:00

"""
from alembic import op
import sqlalchemy as sa

import lms.models.base


# revision identifiers, used by Alembic.
revision = 'b1c2d3e40006'
down_revision = 'a7b8c9d00005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_ins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', lms.models.base.UTCDateTime(), nullable=False),
        sa.Column('expires_at', lms.models.base.UTCDateTime(), nullable=False),
        sa.Column('revoked_at', lms.models.base.UTCDateTime(), nullable=True),
        sa.Column('revoked_reason', sa.String(length=32), nullable=True),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.Column('user_agent', sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'],
                                name=op.f('fk_sign_ins_account_id_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_ins')),
        sa.UniqueConstraint('digest', name=op.f('uq_sign_ins_digest')),
    )
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_ins_account_id'), ['account_id'], unique=False)
    op.create_table(
        'login_throttles',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('first_failed_at', lms.models.base.UTCDateTime(), nullable=False),
        sa.Column('blocked_until', lms.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles')),
    )
    # Per-account lock-out is replaced by the per-(username, address) throttle above.
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('first_failed_at')
        batch_op.drop_column('failed_logins')
    op.create_index('ix_accounts_username_lower', 'accounts', [sa.text('lower(username)')], unique=True)


def downgrade():
    op.drop_index('ix_accounts_username_lower', table_name='accounts')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('first_failed_at', lms.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('locked_until', lms.models.base.UTCDateTime(), nullable=True))
    op.drop_table('login_throttles')
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_ins_account_id'))
    op.drop_table('sign_ins')
