"""Task drafts (save-as-draft on the task page) and login attempts (rate-limited failed logins)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 19:50:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('human_tasks') as batch:
        batch.add_column(sa.Column('draft', sa.Text(), nullable=True))
        batch.add_column(sa.Column('draft_saved_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'login_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=150), nullable=False),
        sa.Column('remote_addr', sa.String(length=64), nullable=False),
        sa.Column('succeeded', sa.Boolean(), nullable=False),
        sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts')),
    )
    op.create_index('ix_login_attempts_username', 'login_attempts', ['username', 'attempted_at'])
    op.create_index('ix_login_attempts_addr', 'login_attempts', ['remote_addr', 'attempted_at'])


def downgrade():
    op.drop_index('ix_login_attempts_addr', table_name='login_attempts')
    op.drop_index('ix_login_attempts_username', table_name='login_attempts')
    op.drop_table('login_attempts')
    with op.batch_alter_table('human_tasks') as batch:
        batch.drop_column('draft_saved_at')
        batch.drop_column('draft')
