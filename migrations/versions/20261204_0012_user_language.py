"""users.language: the interface language a user picked with the switch (NULL: never picked, Chinese)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 14:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite >= 3.35 too): batch mode would copy users, which many tables reference.
    op.execute('ALTER TABLE users DROP COLUMN language')
