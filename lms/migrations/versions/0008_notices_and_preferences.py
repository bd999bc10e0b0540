"""Notices (reminders, digests, quarterly figures) and each person's notice preferences

Revision ID: 0008
Revises: 0007

- notice: one row per email about training, unique per (person, kind, subject, stage), written before
  it is sent and marked sent after (lms/services/notices/outbox.py);
- notice_preference: what a person chose (each reminder or a weekly digest; optional ones off); no row
  means the defaults.
New tables only: nothing existing changes, so this runs while the old code serves (an expand step).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('stage', sa.String(length=80), nullable=False),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('email_subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('unsubscribe_url', sa.String(length=1000), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('sent_to', sa.String(length=320), nullable=False),
    sa.Column('digest_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['digest_id'], ['notice.id'], name=op.f('fk_notice_digest_id_notice')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notice_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice')),
    sa.UniqueConstraint('user_id', 'kind', 'subject', 'stage', name=op.f('uq_notice_user_id_kind_subject_stage'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_status_next_try_at', ['status', 'next_try_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_digest_id'), ['digest_id'], unique=False)

    op.create_table('notice_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reminders', sa.String(length=16), nullable=False),
    sa.Column('optional_reminders', sa.Boolean(), nullable=False),
    sa.Column('admin_digest', sa.Boolean(), nullable=False),
    sa.Column('quarterly_figures', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notice_preference_user_id_user_account')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notice_preference'))
    )


def downgrade() -> None:
    op.drop_table('notice_preference')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_digest_id'))
        batch_op.drop_index(batch_op.f('ix_notice_user_id'))
        batch_op.drop_index('ix_notice_status_next_try_at')

    op.drop_table('notice')
