"""module sources, restorable versions, page languages

Revision ID: 0006
Revises: 0005

- module.source_notebook: the notebook file a module was published from, so another notebook with the
  same id is refused at publish; existing modules get "" (unknown) and take the next publish's name;
- module_version: unique per (module, number) instead of per (module, content hash), so publishing an
  older version's content again makes it live as a new version; existing numbers are already unique;
- module_page.lang: a page's own language ("" = the module's), for lang="..." on the page's content.

Downgrading refuses while two versions of a module share a content hash (a restore happened): the old
constraint could not hold them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('module', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_notebook', sa.String(length=255), server_default='', nullable=False))
    with op.batch_alter_table('module_version', schema=None) as batch_op:
        batch_op.drop_constraint('uq_module_version_module_id_content_hash', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_module_version_module_id_number'), ['module_id', 'number'])
    with op.batch_alter_table('module_page', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lang', sa.String(length=35), server_default='', nullable=False))


def downgrade() -> None:
    version = sa.table('module_version', sa.column('module_id', sa.Integer), sa.column('content_hash', sa.String))
    shared = op.get_bind().execute(sa.select(version.c.module_id).group_by(version.c.module_id, version.c.content_hash)
                                   .having(sa.func.count() > 1).limit(1)).first()
    if shared:
        raise RuntimeError("a module has two versions with the same content (a restore): 0005's constraint cannot hold them")
    with op.batch_alter_table('module_page', schema=None) as batch_op:
        batch_op.drop_column('lang')
    with op.batch_alter_table('module_version', schema=None) as batch_op:
        batch_op.drop_constraint('uq_module_version_module_id_number', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_module_version_module_id_content_hash'), ['module_id', 'content_hash'])
    with op.batch_alter_table('module', schema=None) as batch_op:
        batch_op.drop_column('source_notebook')
