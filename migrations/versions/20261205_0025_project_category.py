"""projects.category, fund_source, confidential: 支出类别, 资金来源 and 保密项目

Revision ID: 0025
Revises: 0020
Create Date: 2026-12-05 18:15:00.000000

Existing projects are the library's ordinary projects: 特定目标类, 本级财政资金, not confidential.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN with a default (existing rows get it): a batch copy of projects fails once other tables
    # reference its rows.
    op.add_column('projects', sa.Column('category', sa.String(16), nullable=False, server_default='specific'))
    op.add_column('projects', sa.Column('fund_source', sa.String(16), nullable=False, server_default='local'))
    op.add_column('projects', sa.Column('confidential', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    # Plain DROP COLUMN (SQLite >= 3.35 too): a batch copy of projects fails, as many tables reference it.
    for column in ('confidential', 'fund_source', 'category'):
        op.execute(f'ALTER TABLE projects DROP COLUMN {column}')
