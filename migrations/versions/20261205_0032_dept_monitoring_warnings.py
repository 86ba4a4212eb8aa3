"""部门整体绩效运行监控: each indicator's and the department's mid-year colour, and the finance section's
follow-up rounds (及时纠偏)

Revision ID: 0032
Revises: 0030
Create Date: 2026-12-05 20:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0030'
branch_labels = None
depends_on = None


def _colour():
    return sa.Enum('blue', 'green', 'yellow', 'red', name='colour', native_enum=False, length=8)


def upgrade():
    op.add_column('dept_goals', sa.Column('monitor_colour', _colour(), nullable=True))
    op.add_column('dept_goal_indicators', sa.Column('monitor_progress', sa.Numeric(10, 4), nullable=True))
    op.add_column('dept_goal_indicators', sa.Column('monitor_colour', _colour(), nullable=True))
    op.add_column('dept_goal_indicators', sa.Column('original_value', sa.String(length=100), nullable=True))
    op.create_table(
        'dept_monitor_follow_ups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('goal_id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('colour', _colour(), nullable=False),
        sa.Column('decision', sa.Enum('accept', 'correct', 'adjust_goals', name='followupdecision', native_enum=False, length=16),
                  nullable=False),
        sa.Column('opinion', sa.Text(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('measures', sa.Text(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('overdue', sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(['goal_id'], ['dept_goals.id']),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id']),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_dept_monitor_follow_ups_goal_id', 'dept_monitor_follow_ups', ['goal_id'])


def downgrade():
    op.drop_index('ix_dept_monitor_follow_ups_goal_id', table_name='dept_monitor_follow_ups')
    op.drop_table('dept_monitor_follow_ups')
    op.execute('ALTER TABLE dept_goal_indicators DROP COLUMN original_value')
    op.execute('ALTER TABLE dept_goal_indicators DROP COLUMN monitor_colour')
    op.execute('ALTER TABLE dept_goal_indicators DROP COLUMN monitor_progress')
    op.execute('ALTER TABLE dept_goals DROP COLUMN monitor_colour')
