"""Lane -> role mapping stored with a process version; the messages an instance waits for

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 15:20:00.000000

A version deployed without lanes used to be startable by anyone (start_role NULL); such versions are now
started by administrators only, as a new lane-less deploy is unless it names its start role.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process_versions') as batch:
        batch.add_column(sa.Column('lane_roles', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('default_role', sa.String(length=32), nullable=True))
    with op.batch_alter_table('process_instances') as batch:
        batch.add_column(sa.Column('waiting_messages', sa.String(length=1000), nullable=True))
    op.execute("UPDATE process_versions SET start_role = 'admin' WHERE start_role IS NULL")


def downgrade():
    # Plain DROP COLUMN (SQLite >= 3.35 too): batch mode would copy the tables, which rows in other tables
    # reference, and SQLite refuses to drop them.
    op.execute('ALTER TABLE process_instances DROP COLUMN waiting_messages')
    op.execute('ALTER TABLE process_versions DROP COLUMN default_role')
    op.execute('ALTER TABLE process_versions DROP COLUMN lane_roles')
