"""an index covering the counts report

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.create_index('ix_completion_counts', ['fy_quarter', 'channel', 'organisation_id', 'module_id', 'user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.drop_index('ix_completion_counts')
