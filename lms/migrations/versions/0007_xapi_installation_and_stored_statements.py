"""xAPI: the installation's own namespace, statements kept as text, dead letters

Revision ID: 0007
Revises: 0006

- installation: one row made on first need (lms.services.xapi.namespace), holding the random namespace
  statement ids are derived from, so two installations sending to one LRS never share an id;
- xapi_outbox.statement (JSON) becomes xapi_outbox.body (the statement's exact text, as sent and
  exported). Rows queued before keep their ids and content: their text is written once here;
- xapi_outbox.dead_at (refused for good, with the LRS's answer in last_error, now up to 1,000
  characters), last_tried_at, and sent_to (the LRS a statement was delivered to, for erasure notes);
- xapi_outbox.record_kind and record_id (unique together): the attempt or completion a statement is
  about. Rows queued before get theirs by matching their id against the ids 0006 derived from its one
  fixed namespace, so those records keep their statements (and ids) and are never built again;
- xapi_outbox.sending_at and sending_to (posted, answer not yet recorded), and the sender's lease on
  the installation row (one `lms xapi send` at a time).
"""

import json
import uuid
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


OLD_NAMESPACE = uuid.UUID("6f1c2b0e-3d55-4c1e-9a53-2b7f0c1d8e41")  # 0006's namespace, the same on every installation


def _old_records(bind: sa.engine.Connection) -> dict[str, tuple[str, int]]:
    """Statement id -> (kind, record id) as 0006 derived ids, for every attempt and completion."""
    found: dict[str, tuple[str, int]] = {}
    for kind, table in (("attempt", "attempt"), ("completion", "completion")):
        for (record_id,) in bind.execute(sa.select(sa.table(table, sa.column("id")).c.id)):
            found[str(uuid.uuid5(OLD_NAMESPACE, f"{kind}:{record_id}"))] = (kind, record_id)
    return found


def _backfill(bind: sa.engine.Connection) -> None:
    outbox = sa.table('xapi_outbox', sa.column('id', sa.Integer), sa.column('statement_id', sa.String), sa.column('statement', sa.JSON),
                      sa.column('body', sa.Text), sa.column('record_kind', sa.String), sa.column('record_id', sa.Integer))
    records = _old_records(bind)
    for row_id, statement_id, statement in bind.execute(sa.select(outbox.c.id, outbox.c.statement_id, outbox.c.statement)).all():
        kind, record_id = records.get(statement_id, (None, None))
        bind.execute(outbox.update().where(outbox.c.id == row_id).values(body=_canonical(statement), record_kind=kind, record_id=record_id))


def upgrade() -> None:
    op.create_table('installation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_namespace', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sender_lease_token', sa.String(length=36), server_default='', nullable=False),
    sa.Column('sender_lease_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_installation'))
    )
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('last_tried_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('sent_to', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('dead_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('record_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('record_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sending_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('sending_to', sa.String(length=500), server_default='', nullable=False))
        batch_op.alter_column('last_error', existing_type=sa.String(length=500), type_=sa.String(length=1000), existing_nullable=False)
    _backfill(op.get_bind())
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('sent_to', server_default=None)
        batch_op.alter_column('sending_to', server_default=None)
        batch_op.drop_column('statement')
        batch_op.create_index(batch_op.f('ix_xapi_outbox_dead_at'), ['dead_at'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_xapi_outbox_record_kind_record_id'), ['record_kind', 'record_id'])
    with op.batch_alter_table('installation', schema=None) as batch_op:
        batch_op.alter_column('sender_lease_token', server_default=None)


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
        batch_op.drop_constraint(batch_op.f('uq_xapi_outbox_record_kind_record_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_xapi_outbox_dead_at'))
        batch_op.drop_column('sending_to')
        batch_op.drop_column('sending_at')
        batch_op.drop_column('record_id')
        batch_op.drop_column('record_kind')
        batch_op.drop_column('dead_at')
        batch_op.drop_column('sent_to')
        batch_op.drop_column('last_tried_at')
        batch_op.drop_column('body')
        batch_op.alter_column('last_error', existing_type=sa.String(length=1000), type_=sa.String(length=500), existing_nullable=False)
    op.drop_table('installation')
