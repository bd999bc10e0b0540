"""xAPI: the installation's own namespace, statements kept as text, dead letters

Revision ID: 0007
Revises: 0006

- installation: one row made on first need (lms.services.xapi.namespace), holding the random namespace
  statement ids are derived from, so two installations sending to one LRS never share an id;
- xapi_outbox.statement (JSON) becomes xapi_outbox.body (the statement's exact text, as sent and
  exported). Rows queued before keep their ids and content: their text is written once here;
- xapi_outbox.dead_at (refused for good, with the LRS's answer in last_error, now up to 1,000
  characters), last_tried_at, and sent_to (the LRS a statement was delivered to, for erasure notes).
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _canonical(value: object) -> str:
    """As lms.models.interop.canonical_json (a migration keeps its own copy: the model may change later)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def upgrade() -> None:
    op.create_table('installation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_namespace', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_installation'))
    )
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('last_tried_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('sent_to', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('dead_at', sa.DateTime(), nullable=True))
        batch_op.alter_column('last_error', existing_type=sa.String(length=500), type_=sa.String(length=1000), existing_nullable=False)
    outbox = sa.table('xapi_outbox', sa.column('id', sa.Integer), sa.column('statement', sa.JSON), sa.column('body', sa.Text))
    bind = op.get_bind()
    for row_id, statement in bind.execute(sa.select(outbox.c.id, outbox.c.statement)).all():
        bind.execute(outbox.update().where(outbox.c.id == row_id).values(body=_canonical(statement)))
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('sent_to', server_default=None)
        batch_op.drop_column('statement')
        batch_op.create_index(batch_op.f('ix_xapi_outbox_dead_at'), ['dead_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('statement', sa.JSON(), nullable=True))
    outbox = sa.table('xapi_outbox', sa.column('id', sa.Integer), sa.column('statement', sa.JSON), sa.column('body', sa.Text),
                      sa.column('last_error', sa.String))
    bind = op.get_bind()
    for row_id, body, error in bind.execute(sa.select(outbox.c.id, outbox.c.body, outbox.c.last_error)).all():
        bind.execute(outbox.update().where(outbox.c.id == row_id).values(statement=json.loads(body), last_error=(error or "")[:500]))
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.alter_column('statement', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_xapi_outbox_dead_at'))
        batch_op.drop_column('dead_at')
        batch_op.drop_column('sent_to')
        batch_op.drop_column('last_tried_at')
        batch_op.drop_column('body')
        batch_op.alter_column('last_error', existing_type=sa.String(length=1000), type_=sa.String(length=500), existing_nullable=False)
    op.drop_table('installation')
