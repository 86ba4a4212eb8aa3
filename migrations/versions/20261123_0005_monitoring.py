"""绩效运行监控·纠偏: monitoring reports, indicator rows, key-attention ledger, corrections, notifications

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

COLOUR = ('blue', 'green', 'yellow', 'red')


def _colour(name):
    return sa.Column(name, sa.Enum(*COLOUR, name='colour', native_enum=False, length=8), nullable=False)


def upgrade():
    op.create_table('monitoring_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('budget', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('spent', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('execution_ratio', sa.Numeric(precision=10, scale=4), nullable=False),
    _colour('execution_colour'),
    _colour('goal_colour'),
    _colour('colour'),
    sa.Column('unpayable_amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('cause', sa.Text(), nullable=True),
    sa.Column('measures', sa.Text(), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('explained_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['goal_id'], ['goal_versions.id'], name=op.f('fk_monitoring_reports_goal_id_goal_versions')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_monitoring_reports_instance_id_process_instances')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_monitoring_reports_project_id_projects')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_monitoring_reports_reported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_reports')),
    sa.UniqueConstraint('project_id', 'fiscal_year', 'month', name=op.f('uq_monitoring_reports_project_id'))
    )
    with op.batch_alter_table('monitoring_reports', schema=None) as batch_op:
        batch_op.create_index('ix_monitoring_reports_instance', ['instance_id'], unique=False)
        batch_op.create_index('ix_monitoring_reports_year', ['fiscal_year', 'month', 'colour'], unique=False)

    op.create_table('monitoring_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('operator', sa.String(length=8), nullable=False),
    sa.Column('target', sa.String(length=100), nullable=False),
    sa.Column('current_value', sa.String(length=100), nullable=False),
    sa.Column('progress', sa.Numeric(precision=10, scale=4), nullable=True),
    _colour('colour'),
    sa.Column('likelihood', sa.String(length=16), nullable=False),
    sa.Column('cause', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['indicator_id'], ['goal_indicators.id'], name=op.f('fk_monitoring_indicators_indicator_id_goal_indicators')),
    sa.ForeignKeyConstraint(['report_id'], ['monitoring_reports.id'], name=op.f('fk_monitoring_indicators_report_id_monitoring_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_indicators'))
    )
    with op.batch_alter_table('monitoring_indicators', schema=None) as batch_op:
        batch_op.create_index('ix_monitoring_indicators_report', ['report_id', 'position'], unique=False)

    op.create_table('key_attention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_key_attention_project_id_projects')),
    sa.ForeignKeyConstraint(['report_id'], ['monitoring_reports.id'], name=op.f('fk_key_attention_report_id_monitoring_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_attention')),
    sa.UniqueConstraint('project_id', 'fiscal_year', name=op.f('uq_key_attention_project_id'))
    )

    op.create_table('monitoring_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('accept', 'adjust_goals', 'adjust_budget', 'suspend_payment', 'recover_balance', name='correctionkind', native_enum=False, length=16), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_monitoring_corrections_actor_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_monitoring_corrections_project_id_projects')),
    sa.ForeignKeyConstraint(['report_id'], ['monitoring_reports.id'], name=op.f('fk_monitoring_corrections_report_id_monitoring_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_corrections'))
    )
    with op.batch_alter_table('monitoring_corrections', schema=None) as batch_op:
        batch_op.create_index('ix_monitoring_corrections_project', ['project_id', 'id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_notifications_instance_id_process_instances')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_notifications_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_notifications_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_recipient', ['role', 'organisation_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_recipient')
    op.drop_table('notifications')
    with op.batch_alter_table('monitoring_corrections', schema=None) as batch_op:
        batch_op.drop_index('ix_monitoring_corrections_project')
    op.drop_table('monitoring_corrections')
    op.drop_table('key_attention')
    with op.batch_alter_table('monitoring_indicators', schema=None) as batch_op:
        batch_op.drop_index('ix_monitoring_indicators_report')
    op.drop_table('monitoring_indicators')
    with op.batch_alter_table('monitoring_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_monitoring_reports_year')
        batch_op.drop_index('ix_monitoring_reports_instance')
    op.drop_table('monitoring_reports')
