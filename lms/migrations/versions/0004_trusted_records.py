"""confirmed emails, session generations, remember-me tokens, token expiry, domain claim review,
withdrawn face-to-face sessions

Revision ID: 0004
Revises: 0003

Existing data keeps working and every count stays the same:
- people who set their own password (registered or created by an admin) count as confirmed from
  the day their account was made; imported people who never set one stay unconfirmed;
- API tokens expire twelve months after they were created;
- existing domain claims stay approved but unreviewed, so site admins see them on the review page.
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKEN_LIFETIME = dt.timedelta(days=365)


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirmation_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
    op.create_table('remember_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('selector', sa.String(length=32), nullable=False),
    sa.Column('validator_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_remember_token_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remember_token')),
    sa.UniqueConstraint('selector', name=op.f('uq_remember_token_selector'))
    )
    with op.batch_alter_table('remember_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remember_token_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('email_domain', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='pending', nullable=False))
        batch_op.add_column(sa.Column('requested_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('evidence_email', sa.String(length=320), server_default='', nullable=False))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_email_domain_requested_by_id_user_account'), 'user_account', ['requested_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_email_domain_reviewed_by_id_user_account'), 'user_account', ['reviewed_by_id'], ['id'])
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corrected_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sa.String(length=500), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_training_session_withdrawn_by_id_user_account'), 'user_account', ['withdrawn_by_id'], ['id'])
    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
    _carry_over_existing_rows()


def _carry_over_existing_rows() -> None:
    users = sa.table('user_account', sa.column('email_confirmed_at', sa.DateTime()), sa.column('created_at', sa.DateTime()),
                     sa.column('password_hash', sa.String()))
    op.execute(users.update().where(~users.c.password_hash.startswith('!')).values(email_confirmed_at=users.c.created_at))
    domains = sa.table('email_domain', sa.column('status', sa.String()))
    op.execute(domains.update().values(status='approved'))
    tokens = sa.table('api_token', sa.column('id', sa.Integer()), sa.column('created_at', sa.DateTime()),
                      sa.column('expires_at', sa.DateTime()))
    connection = op.get_bind()
    for token_id, created_at in connection.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        connection.execute(tokens.update().where(tokens.c.id == token_id).values(expires_at=created_at + TOKEN_LIFETIME))


def downgrade() -> None:
    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_training_session_withdrawn_by_id_user_account'), type_='foreignkey')
        for column in ('withdrawal_reason', 'withdrawn_by_id', 'withdrawn_at', 'corrected_at'):
            batch_op.drop_column(column)
    with op.batch_alter_table('email_domain', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_email_domain_reviewed_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_email_domain_requested_by_id_user_account'), type_='foreignkey')
        for column in ('reviewed_at', 'reviewed_by_id', 'evidence_email', 'requested_by_id', 'status'):
            batch_op.drop_column(column)
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('remember_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remember_token_user_id'))
    op.drop_table('remember_token')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
        batch_op.drop_column('confirmation_sent_at')
        batch_op.drop_column('email_confirmed_at')
