"""部门评价: the supervising department's selection of projects and its evaluation on the project's evaluation

Revision ID: 0030
Revises: 0031
Create Date: 2026-12-05 20:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0031'
branch_labels = None
depends_on = None

COLUMNS = ('dept_selected', 'dept_scope_at', 'dept_scope_basis', 'dept_parts', 'dept_score', 'dept_grade',
           'dept_findings', 'dept_opinion', 'dept_by_id', 'dept_at')


def upgrade():
    op.create_table('dept_evaluation_selections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('selected_by_id', sa.Integer(), nullable=True),
    sa.Column('selected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['organisations.id'], name=op.f('fk_dept_evaluation_selections_department_id_organisations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_dept_evaluation_selections_project_id_projects')),
    sa.ForeignKeyConstraint(['selected_by_id'], ['users.id'], name=op.f('fk_dept_evaluation_selections_selected_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dept_evaluation_selections')),
    sa.UniqueConstraint('project_id', 'fiscal_year', name=op.f('uq_dept_evaluation_selections_project_id'))
    )
    op.create_index('ix_dept_evaluation_selections_department', 'dept_evaluation_selections',
                    ['department_id', 'fiscal_year'], unique=False)
    # Plain ADD COLUMN (no batch copy: evaluations is referenced by other tables).
    op.add_column('evaluations', sa.Column('dept_selected', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('evaluations', sa.Column('dept_scope_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('evaluations', sa.Column('dept_scope_basis', sa.String(200), nullable=True))
    op.add_column('evaluations', sa.Column('dept_parts', sa.JSON(), nullable=True))
    op.add_column('evaluations', sa.Column('dept_score', sa.Numeric(6, 2), nullable=True))
    op.add_column('evaluations', sa.Column('dept_grade', sa.String(8), nullable=True))
    op.add_column('evaluations', sa.Column('dept_findings', sa.Text(), nullable=True))
    op.add_column('evaluations', sa.Column('dept_opinion', sa.Text(), nullable=True))
    op.add_column('evaluations', sa.Column('dept_by_id', sa.Integer(), nullable=True))
    op.add_column('evaluations', sa.Column('dept_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    for column in reversed(COLUMNS):
        op.execute(f'ALTER TABLE evaluations DROP COLUMN {column}')
    op.drop_index('ix_dept_evaluation_selections_department', table_name='dept_evaluation_selections')
    op.drop_table('dept_evaluation_selections')
