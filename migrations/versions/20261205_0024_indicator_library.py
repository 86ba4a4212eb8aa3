"""indicators: the indicator library (指标库) goal tables pick from

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 17:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'indicators',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sector', sa.String(length=32), nullable=False),
        sa.Column('level1', sa.String(length=16), nullable=False),
        sa.Column('level2', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('operator', sa.String(length=4), nullable=False),
        sa.Column('unit', sa.String(length=20), nullable=True),
        sa.Column('typical_min', sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column('typical_max', sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('sector', 'level2', 'name', name='uq_indicators_sector_level2_name'),
    )
    op.create_index('ix_indicators_active_sector', 'indicators', ['active', 'sector', 'level1', 'level2'])


def downgrade():
    op.drop_index('ix_indicators_active_sector', table_name='indicators')
    op.drop_table('indicators')
