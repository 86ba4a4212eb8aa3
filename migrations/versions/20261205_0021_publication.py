"""信息公开: the office's releases per fiscal year, and a public flag on attachments

Revision ID: 0021
Revises: 0022
Create Date: 2026-12-05 17:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'publication_releases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_publication_releases_published_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_releases')),
        sa.UniqueConstraint('fiscal_year', 'kind', name=op.f('uq_publication_releases_fiscal_year')),
    )
    with op.batch_alter_table('attachments') as batch:
        batch.add_column(sa.Column('public', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    # Plain DROP COLUMN: batch mode would copy attachments, which other rows reference.
    op.execute('ALTER TABLE attachments DROP COLUMN public')
    op.drop_table('publication_releases')
