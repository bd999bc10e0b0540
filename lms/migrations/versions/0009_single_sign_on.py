"""Single sign-on: an organisation's OpenID Connect provider, and the identities it vouches for

Revision ID: 0009
Revises: 0008

- single_sign_on: one provider per organisation (issuer, client id, the client secret encrypted,
  tenant id, the approved email domains it serves, switched on, required), and the last connection test;
- sso_identity: a person as a provider knows them, unique by (issuer, subject).
New tables only: nothing existing changes, so this runs while the old code serves (an expand step).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('single_sign_on',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('client_secret_encrypted', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('domains', sa.JSON(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=True),
    sa.Column('check_passed', sa.Boolean(), nullable=True),
    sa.Column('check_report', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_single_sign_on_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_single_sign_on_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_single_sign_on')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_single_sign_on_organisation_id'))
    )
    op.create_table('sso_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sso_identity_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_identity')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_sso_identity_issuer_subject'))
    )
    with op.batch_alter_table('sso_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_identity_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sso_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_identity_user_id'))
    op.drop_table('sso_identity')
    op.drop_table('single_sign_on')
