"""Idempotency keys for starts and completions; a trigram index for inbox search on long histories

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 14:20:00.000000

On PostgreSQL the inbox search finds text in the project name, project code or title through one pg_trgm GIN
index over the three columns. pg_trgm ships with PostgreSQL's contrib package; where it cannot be created a
plain index is made instead (the schema stays that of the models) with a warning, and search scans.
"""
import logging

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

log = logging.getLogger('alembic.runtime.migration')

SEARCHED = ['project_name', 'project_code', 'title']


def upgrade():
    op.create_table(
        'idempotency_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('endpoint', sa.String(length=200), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('response_body', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_keys_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
        sa.UniqueConstraint('user_id', 'key', name='uq_idempotency_keys_user_id_key'),
    )
    op.create_index(op.f('ix_idempotency_keys_created_at'), 'idempotency_keys', ['created_at'], unique=False)
    if _trigrams_available():
        op.create_index('ix_human_tasks_search', 'human_tasks', SEARCHED, unique=False, postgresql_using='gin',
                        postgresql_ops={c: 'gin_trgm_ops' for c in SEARCHED})
    else:
        op.create_index('ix_human_tasks_search', 'human_tasks', SEARCHED, unique=False)


def _trigrams_available() -> bool:
    """pg_trgm created (or already there); False on SQLite, or when the server lacks the contrib package
    (then a failed CREATE EXTENSION must not abort the migration's transaction: it runs in a savepoint)."""
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return False
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    except sa.exc.DBAPIError as err:
        savepoint.rollback()
        log.warning('pg_trgm is not available (%s): 已办 search uses a plain index and scans instead', err.orig)
        return False
    savepoint.commit()
    return True


def downgrade():
    op.drop_index('ix_human_tasks_search', table_name='human_tasks')
    op.drop_index(op.f('ix_idempotency_keys_created_at'), table_name='idempotency_keys')
    op.drop_table('idempotency_keys')
