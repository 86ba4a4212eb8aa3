"""login_sessions.last_seen_at: when the browser last used its session, for the idle limit

Revision ID: 0023
Revises: 0016
Create Date: 2026-12-05 17:10:00.000000

Sessions open before this migration count as last seen when they started.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_sessions') as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))
    op.execute('UPDATE login_sessions SET last_seen_at = created_at')


def downgrade():
    op.execute('ALTER TABLE login_sessions DROP COLUMN last_seen_at')
