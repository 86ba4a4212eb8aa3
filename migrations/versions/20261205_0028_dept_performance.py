"""部门整体绩效: department goals with their indicators and mid-year monitoring, and the department evaluation
with its budget effect

Revision ID: 0028
Revises: 0026
Create Date: 2026-12-05 18:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'dept_goals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.Enum('draft', 'submitted', 'approved', name='deptgoalstatus', native_enum=False,
                                    length=16), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('functions', sa.Text(), nullable=True),
        sa.Column('work_plan', sa.Text(), nullable=True),
        sa.Column('annual_goal', sa.Text(), nullable=True),
        sa.Column('warnings', sa.JSON(), nullable=True),
        sa.Column('review_grade', sa.String(length=8), nullable=True),
        sa.Column('review_opinion', sa.Text(), nullable=True),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('monitor_summary', sa.Text(), nullable=True),
        sa.Column('monitored_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['department_id'], ['organisations.id']),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id']),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_dept_goals_department', 'dept_goals', ['department_id', 'fiscal_year'])
    op.create_index('ix_dept_goals_instance', 'dept_goals', ['instance_id'])
    op.create_table(
        'dept_goal_indicators',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('goal_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('level1', sa.String(length=16), nullable=False),
        sa.Column('level2', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('operator', sa.String(length=8), nullable=False),
        sa.Column('value', sa.String(length=100), nullable=False),
        sa.Column('unit', sa.String(length=20), nullable=True),
        sa.Column('weight', sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column('monitor_value', sa.String(length=100), nullable=True),
        sa.Column('monitor_deviation', sa.Text(), nullable=True),
        sa.Column('actual_value', sa.String(length=100), nullable=True),
        sa.Column('degree', sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column('points', sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column('deviation_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['goal_id'], ['dept_goals.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_dept_goal_indicators_goal_id', 'dept_goal_indicators', ['goal_id'])
    op.create_table(
        'dept_evaluations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('goal_id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.Enum('waiting', 'self', 'office', 'completed', name='deptevaluationstatus',
                                    native_enum=False, length=16), nullable=False),
        sa.Column('self_score', sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column('self_summary', sa.Text(), nullable=True),
        sa.Column('office_score', sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column('grade', sa.String(length=8), nullable=True),
        sa.Column('grade_basis', sa.String(length=200), nullable=True),
        sa.Column('office_opinion', sa.Text(), nullable=True),
        sa.Column('evaluated_by_id', sa.Integer(), nullable=True),
        sa.Column('public_funds', sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column('adjust_percent', sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column('adjustment', sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column('rectify_required', sa.Boolean(), nullable=True),
        sa.Column('reason', sa.String(length=400), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['department_id'], ['organisations.id']),
        sa.ForeignKeyConstraint(['goal_id'], ['dept_goals.id']),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id']),
        sa.ForeignKeyConstraint(['evaluated_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_dept_evaluations_department', 'dept_evaluations', ['department_id', 'fiscal_year'])
    op.create_index('ix_dept_evaluations_instance', 'dept_evaluations', ['instance_id'])


def downgrade():
    op.drop_index('ix_dept_evaluations_instance', table_name='dept_evaluations')
    op.drop_index('ix_dept_evaluations_department', table_name='dept_evaluations')
    op.drop_table('dept_evaluations')
    op.drop_index('ix_dept_goal_indicators_goal_id', table_name='dept_goal_indicators')
    op.drop_table('dept_goal_indicators')
    op.drop_index('ix_dept_goals_instance', table_name='dept_goals')
    op.drop_index('ix_dept_goals_department', table_name='dept_goals')
    op.drop_table('dept_goals')
