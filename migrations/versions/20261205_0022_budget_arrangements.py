"""预算安排: one budget line per project and fiscal year, with its reasons

Revision ID: 0022
Revises: 0024
Create Date: 2026-12-05 17:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'budget_arrangements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('sector', sa.String(length=32), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.Enum('draft', 'reviewed', 'confirmed', name='arrangementstatus', native_enum=False,
                                    length=16), nullable=False),
        sa.Column('base', sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column('adjustment', sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column('new_demand', sa.Boolean(), nullable=False),
        sa.Column('priority', sa.Boolean(), nullable=True),
        sa.Column('execution_stopped', sa.Boolean(), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('section_opinion', sa.Text(), nullable=True),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('office_opinion', sa.Text(), nullable=True),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id']),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id']),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id']),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id', 'fiscal_year'),
    )
    op.create_index('ix_budget_arrangements_year', 'budget_arrangements', ['fiscal_year', 'sector', 'organisation_id'])
    op.create_index('ix_budget_arrangements_instance', 'budget_arrangements', ['instance_id'])


def downgrade():
    op.drop_index('ix_budget_arrangements_instance', table_name='budget_arrangements')
    op.drop_index('ix_budget_arrangements_year', table_name='budget_arrangements')
    op.drop_table('budget_arrangements')
