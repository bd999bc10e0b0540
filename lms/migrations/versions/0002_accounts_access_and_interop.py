"""join codes, email domains, assignments, sign-in throttling, API tokens, xAPI outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:53:53.360961
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sign_in_throttle',
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttle'))
    )
    op.create_table('xapi_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('statement', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_outbox')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_xapi_outbox_statement_id'))
    )
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xapi_outbox_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_outbox_sent_at'), ['sent_at'], unique=False)

    op.create_table('email_domain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_email_domain_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_domain')),
    sa.UniqueConstraint('domain', name=op.f('uq_email_domain_domain'))
    )
    with op.batch_alter_table('email_domain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_domain_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_api_token_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_api_token_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_api_token_partnership_id_partnership')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_assignment_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_assignment_department_id_department')),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_assignment_module_id_module')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_assignment_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sa.UniqueConstraint('module_id', 'organisation_id', 'department_id', name=op.f('uq_assignment_module_id_organisation_id_department_id'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('join_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_join_code_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_join_code_department_id_department')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_join_code_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_join_code')),
    sa.UniqueConstraint('code', name=op.f('uq_join_code_code'))
    )
    with op.batch_alter_table('join_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_join_code_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('xapi_shares_email', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.alter_column('xapi_shares_email', server_default=None)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('last_sign_in_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))
    _give_existing_users_a_public_id()
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_public_id'), ['public_id'])


def _give_existing_users_a_public_id() -> None:
    """Every existing user gets its own random pseudonymous id (used in xAPI statements)."""
    connection = op.get_bind()
    users = sa.table('user_account', sa.column('id', sa.Integer()), sa.column('public_id', sa.String()))
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id).values(public_id=str(uuid.uuid4())))



def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_public_id'), type_='unique')
        batch_op.drop_column('erased_at')
        batch_op.drop_column('last_sign_in_at')
        batch_op.drop_column('public_id')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('xapi_shares_email')

    with op.batch_alter_table('join_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_join_code_organisation_id'))

    op.drop_table('join_code')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_organisation_id'))

    op.drop_table('assignment')
    op.drop_table('api_token')
    with op.batch_alter_table('email_domain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_domain_organisation_id'))

    op.drop_table('email_domain')
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_outbox_sent_at'))
        batch_op.drop_index(batch_op.f('ix_xapi_outbox_created_at'))

    op.drop_table('xapi_outbox')
    op.drop_table('sign_in_throttle')
