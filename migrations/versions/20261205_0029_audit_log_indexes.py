"""audit_events: indexes for the audit log page filtered by action or by person, newest first

Revision ID: 0029
Revises: 0021
Create Date: 2026-12-05 18:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_audit_events_action', 'audit_events', ['action', 'id'])
    op.create_index('ix_audit_events_actor', 'audit_events', ['actor_id', 'id'])


def downgrade():
    op.drop_index('ix_audit_events_actor', table_name='audit_events')
    op.drop_index('ix_audit_events_action', table_name='audit_events')
