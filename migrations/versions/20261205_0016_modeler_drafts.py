"""Modeler drafts: an administrator's saved, undeployed edit of a process diagram

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 17:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'modeler_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('model_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('base_number', sa.Integer(), nullable=False),
        sa.Column('xml', sa.Text(), nullable=False),
        sa.Column('lane_roles', sa.JSON(), nullable=True),
        sa.Column('default_role', sa.String(length=32), nullable=True),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['model_id'], ['process_models.id'],
                                name=op.f('fk_modeler_drafts_model_id_process_models'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_modeler_drafts_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_modeler_drafts')),
        sa.UniqueConstraint('model_id', 'user_id', name=op.f('uq_modeler_drafts_model_id')),
    )
    op.create_index(op.f('ix_modeler_drafts_model_id'), 'modeler_drafts', ['model_id'], unique=False)
    op.create_index(op.f('ix_modeler_drafts_user_id'), 'modeler_drafts', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_modeler_drafts_user_id'), table_name='modeler_drafts')
    op.drop_index(op.f('ix_modeler_drafts_model_id'), table_name='modeler_drafts')
    op.drop_table('modeler_drafts')
