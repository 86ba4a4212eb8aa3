"""Login sessions: browser sessions kept server-side, so logout, a password change or deactivation ends them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 11:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('api_token_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['api_token_id'], ['api_tokens.id'],
                                name=op.f('fk_login_sessions_api_token_id_api_tokens'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_login_sessions_key_hash')),
    )
    op.create_index(op.f('ix_login_sessions_user_id'), 'login_sessions', ['user_id'], unique=False)
    op.create_index(op.f('ix_login_sessions_api_token_id'), 'login_sessions', ['api_token_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_login_sessions_api_token_id'), table_name='login_sessions')
    op.drop_index(op.f('ix_login_sessions_user_id'), table_name='login_sessions')
    op.drop_table('login_sessions')
