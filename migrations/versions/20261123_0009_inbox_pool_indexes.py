"""Inbox: partial indexes over the claimable pool (open tasks nobody holds), by lane + scope and creation time

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 21:00:00.000000

The 可认领 tab lists open, unheld tasks offered to a lane (role) in a sector, organisation or department,
newest first. These partial indexes hold only that pool, keyed (role, scope, created_at, id) so a page of ids
is read from the index alone, with due_at and amount at the end so the tab's count, its overdue mark and the
sort by amount need no table rows either. Partial indexes work the same on PostgreSQL and SQLite; the queries
state the predicate with literals so both planners can match it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

POOL = "status = 'open' AND assignee_id IS NULL"
INDEXES = {
    'ix_human_tasks_pool_sector': 'sector',
    'ix_human_tasks_pool_org': 'organisation_id',
    'ix_human_tasks_pool_dept': 'department_id',
}


def upgrade():
    for name, scope in INDEXES.items():
        op.create_index(name, 'human_tasks', ['role', scope, 'created_at', 'id', 'due_at', 'amount'], unique=False,
                        postgresql_where=sa.text(POOL), sqlite_where=sa.text(POOL))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ANALYZE human_tasks')


def downgrade():
    for name in reversed(INDEXES):
        op.drop_index(name, table_name='human_tasks')
