"""assessment engine: drawn questions and seeds per attempt, page reviews after a fail, attempt resets

Revision ID: 0005
Revises: 0004

Existing attempts keep their option order as their draw (every scored question, in the order the
version lists them), with a new random seed; answers and marks already given do not change.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ATTEMPT = sa.table('attempt', sa.column('id', sa.Integer), sa.column('option_order', sa.JSON),
                   sa.column('seed', sa.String), sa.column('drawn', sa.JSON))


def upgrade() -> None:
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('drawn', sa.JSON(), nullable=True))
    connection = op.get_bind()
    for attempt_id, order in connection.execute(sa.select(ATTEMPT.c.id, ATTEMPT.c.option_order)).all():
        drawn = [{"question": str(question), "options": list(options) if isinstance(options, list) else []}
                 for question, options in (order if isinstance(order, dict) else {}).items()]
        connection.execute(ATTEMPT.update().where(ATTEMPT.c.id == attempt_id).values(seed=secrets.token_hex(16), drawn=drawn))
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.alter_column('seed', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('drawn', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('option_order')
    op.create_table('page_review',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('page_number', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_page_review_attempt_id_attempt')),
    sa.PrimaryKeyConstraint('attempt_id', 'page_number', name=op.f('pk_page_review'))
    )
    op.create_table('attempt_reset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('reset_by_id', sa.Integer(), nullable=True),
    sa.Column('reset_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_attempt_reset_module_id_module')),
    sa.ForeignKeyConstraint(['reset_by_id'], ['user_account.id'], name=op.f('fk_attempt_reset_reset_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_attempt_reset_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_reset'))
    )
    with op.batch_alter_table('attempt_reset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_reset_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attempt_reset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_reset_user_id'))
    op.drop_table('attempt_reset')
    op.drop_table('page_review')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('option_order', sa.JSON(), nullable=True))
    connection = op.get_bind()
    for attempt_id, drawn in connection.execute(sa.select(ATTEMPT.c.id, ATTEMPT.c.drawn)).all():
        order = {item["question"]: item["options"] for item in drawn or []}
        connection.execute(ATTEMPT.update().where(ATTEMPT.c.id == attempt_id).values(option_order=order))
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.alter_column('option_order', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('drawn')
        batch_op.drop_column('seed')
