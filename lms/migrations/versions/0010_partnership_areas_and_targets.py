"""organisations serving several partnerships, localities, joint groups and report targets

Revision ID: 0010
Revises: 0009

- organisation_partnership: the partnerships an organisation serves besides its home one;
- user_account.locality_id and department.locality_id: the partnership area a person works in;
- completion.partnership_id, training_session.partnership_id and session_audience.partnership_id: the
  partnership each row counts for, filled here from the organisation's (home) partnership, so every
  existing count stays the same; the counts index leads with it after the quarter and channel, and ends
  with completed_at so a month of a quarter is read from the index alone too;
- joint_group, joint_group_partnership and user_account.joint_group_id: named sets of partnerships
  and their leads;
- report_target: sessions a partnership aims to deliver of a module in a financial year.
Every new column is nullable and the code reads NULL as "the organisation's home partnership", so old
servers keep working while this runs (an expand step).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMPED = (('completion', 'organisation_id'), ('training_session', 'delivering_organisation_id'),
           ('session_audience', 'organisation_id'))


def _new_tables() -> None:
    op.create_table('organisation_partnership',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_organisation_partnership_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_organisation_partnership_partnership_id_partnership')),
    sa.PrimaryKeyConstraint('organisation_id', 'partnership_id', name=op.f('pk_organisation_partnership'))
    )
    op.create_table('joint_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_group')),
    sa.UniqueConstraint('name', name=op.f('uq_joint_group_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_joint_group_slug'))
    )
    op.create_table('joint_group_partnership',
    sa.Column('joint_group_id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['joint_group_id'], ['joint_group.id'], name=op.f('fk_joint_group_partnership_joint_group_id_joint_group')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_joint_group_partnership_partnership_id_partnership')),
    sa.PrimaryKeyConstraint('joint_group_id', 'partnership_id', name=op.f('pk_joint_group_partnership'))
    )
    op.create_table('report_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('financial_year', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_report_target_module_id_module')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_report_target_partnership_id_partnership')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_report_target_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_target')),
    sa.UniqueConstraint('partnership_id', 'module_id', 'financial_year', name=op.f('uq_report_target_partnership_id_module_id_financial_year'))
    )


def _new_columns() -> None:
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locality_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_department_locality_id_partnership'), 'partnership', ['locality_id'], ['id'])
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locality_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('joint_group_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_user_account_locality_id_partnership'), 'partnership', ['locality_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_user_account_joint_group_id_joint_group'), 'joint_group', ['joint_group_id'], ['id'])
    for table, _organisation in STAMPED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('partnership_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_partnership_id_partnership'), 'partnership', ['partnership_id'], ['id'])


def _fill_partnerships() -> None:
    """Every existing row counts for its organisation's partnership, as it did before: one update per partnership."""
    bind = op.get_bind()
    for (partnership_id,) in bind.execute(sa.text("SELECT id FROM partnership")).all():
        for table, organisation in STAMPED:
            bind.execute(sa.text(f"UPDATE {table} SET partnership_id = :p WHERE partnership_id IS NULL AND {organisation} IN "  # noqa: S608 - names from STAMPED
                                 "(SELECT id FROM organisation WHERE partnership_id = :p)"), {"p": partnership_id})


def upgrade() -> None:
    _new_tables()
    _new_columns()
    _fill_partnerships()
    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.drop_index('ix_completion_counts')
        batch_op.create_index('ix_completion_counts', ['fy_quarter', 'channel', 'partnership_id', 'organisation_id', 'module_id', 'user_id',
                                                       'completed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.drop_index('ix_completion_counts')
        batch_op.create_index('ix_completion_counts', ['fy_quarter', 'channel', 'organisation_id', 'module_id', 'user_id'], unique=False)
    for table, _organisation in reversed(STAMPED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_partnership_id_partnership'), type_='foreignkey')
            batch_op.drop_column('partnership_id')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_account_joint_group_id_joint_group'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_user_account_locality_id_partnership'), type_='foreignkey')
        batch_op.drop_column('joint_group_id')
        batch_op.drop_column('locality_id')
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_department_locality_id_partnership'), type_='foreignkey')
        batch_op.drop_column('locality_id')
    op.drop_table('report_target')
    op.drop_table('joint_group_partnership')
    op.drop_table('joint_group')
    op.drop_table('organisation_partnership')
