"""重点绩效监控: the key monitoring, its tracking findings and the unit's rectification rounds

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('key_monitorings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('assigning', 'tracking', 'requesting', 'rectifying', 'no_issue', 'rectified', name='keymonitoringstatus', native_enum=False, length=16), nullable=False),
    sa.Column('monitor', sa.String(length=16), nullable=True),
    sa.Column('firm_id', sa.Integer(), nullable=True),
    sa.Column('expert', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('tracked_by_id', sa.Integer(), nullable=True),
    sa.Column('tracked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requirements', sa.Text(), nullable=True),
    sa.Column('rectify_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_key_monitorings_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['firm_id'], ['organisations.id'], name=op.f('fk_key_monitorings_firm_id_organisations')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_key_monitorings_instance_id_process_instances')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_key_monitorings_project_id_projects')),
    sa.ForeignKeyConstraint(['tracked_by_id'], ['users.id'], name=op.f('fk_key_monitorings_tracked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_monitorings'))
    )
    with op.batch_alter_table('key_monitorings', schema=None) as batch_op:
        batch_op.create_index('ix_key_monitorings_instance', ['instance_id'], unique=False)
        batch_op.create_index('ix_key_monitorings_project', ['project_id', 'fiscal_year'], unique=False)

    op.create_table('key_monitoring_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('monitoring_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('issue', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['monitoring_id'], ['key_monitorings.id'], name=op.f('fk_key_monitoring_findings_monitoring_id_key_monitorings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_monitoring_findings'))
    )
    with op.batch_alter_table('key_monitoring_findings', schema=None) as batch_op:
        batch_op.create_index('ix_key_monitoring_findings_monitoring', ['monitoring_id', 'position'], unique=False)

    op.create_table('key_monitoring_rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('monitoring_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('results', sa.Text(), nullable=False),
    sa.Column('completion', sa.String(length=16), nullable=False),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['monitoring_id'], ['key_monitorings.id'], name=op.f('fk_key_monitoring_rectifications_monitoring_id_key_monitorings')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_key_monitoring_rectifications_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_key_monitoring_rectifications_verified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_monitoring_rectifications')),
    sa.UniqueConstraint('monitoring_id', 'round', name=op.f('uq_key_monitoring_rectifications_monitoring_id'))
    )


def downgrade():
    op.drop_table('key_monitoring_rectifications')
    with op.batch_alter_table('key_monitoring_findings', schema=None) as batch_op:
        batch_op.drop_index('ix_key_monitoring_findings_monitoring')

    op.drop_table('key_monitoring_findings')
    with op.batch_alter_table('key_monitorings', schema=None) as batch_op:
        batch_op.drop_index('ix_key_monitorings_project')
        batch_op.drop_index('ix_key_monitorings_instance')

    op.drop_table('key_monitorings')
