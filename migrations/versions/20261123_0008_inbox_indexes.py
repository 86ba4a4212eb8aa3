"""Inbox: extended statistics on the task scope columns (PostgreSQL), so the planner uses the scope indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 20:20:00.000000

status, role and sector are strongly correlated (finished tasks pile up in the same role and sector as the
open ones). Assuming them independent, PostgreSQL overestimates an inbox's rows by an order of magnitude at a
million rows and scans the whole table instead of ix_human_tasks_role_sector / _role_org / _role_dept.
Multivariate statistics (dependencies + most-common combinations) give it the real counts. SQLite has no
such thing and needs none: its planner takes the index.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        'CREATE STATISTICS IF NOT EXISTS st_human_tasks_scope (dependencies, mcv) '
        'ON status, role, sector, organisation_id FROM human_tasks'
    )
    op.execute('CREATE STATISTICS IF NOT EXISTS st_human_tasks_dept (dependencies, mcv) '
               'ON status, role, department_id FROM human_tasks')
    op.execute('ANALYZE human_tasks')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP STATISTICS IF EXISTS st_human_tasks_dept')
    op.execute('DROP STATISTICS IF EXISTS st_human_tasks_scope')
