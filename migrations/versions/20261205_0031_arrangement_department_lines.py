"""budget_arrangements.kind: a department's 部门公用经费 line beside the project lines (no project)

Revision ID: 0031
Revises: 0028
Create Date: 2026-12-05 20:00:00.000000

Existing lines are project lines. project_id becomes nullable: a department line has none. No table references
budget_arrangements, so SQLite's batch copy of it is safe. The year index gains kind and project_id: it is the
lists' order (a sector's department lines, then its units' projects), so a page of a province-size year is read
in index order instead of sorting every line of the year.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('budget_arrangements', sa.Column(
        'kind', sa.Enum('project', 'department', name='linekind', native_enum=False, length=16),
        nullable=False, server_default='project'))
    with op.batch_alter_table('budget_arrangements') as batch:
        batch.alter_column('project_id', existing_type=sa.Integer(), nullable=True)
    op.drop_index('ix_budget_arrangements_year', table_name='budget_arrangements')
    op.create_index('ix_budget_arrangements_year', 'budget_arrangements',
                    ['fiscal_year', 'sector', 'kind', 'organisation_id', 'project_id'])


def downgrade():
    op.drop_index('ix_budget_arrangements_year', table_name='budget_arrangements')
    op.create_index('ix_budget_arrangements_year', 'budget_arrangements', ['fiscal_year', 'sector', 'organisation_id'])
    op.execute("DELETE FROM budget_arrangements WHERE kind = 'department'")
    with op.batch_alter_table('budget_arrangements') as batch:
        batch.alter_column('project_id', existing_type=sa.Integer(), nullable=False)
    op.execute('ALTER TABLE budget_arrangements DROP COLUMN kind')
