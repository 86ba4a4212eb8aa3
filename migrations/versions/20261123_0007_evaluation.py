"""绩效评价·反馈整改·结果应用: evaluations, indicator scores, key-evaluation draws and scores, rectifications;
budget adjustments and payment suspensions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 20:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budget_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('increase', 'decrease', 'recover', name='adjustmentkind', native_enum=False, length=16), nullable=False),
    sa.Column('percent', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('base_amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('source_flow', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_budget_adjustments_actor_id_users')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_budget_adjustments_instance_id_process_instances')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_budget_adjustments_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_adjustments'))
    )
    with op.batch_alter_table('budget_adjustments', schema=None) as batch_op:
        batch_op.create_index('ix_budget_adjustments_project', ['project_id', 'fiscal_year'], unique=False)
        batch_op.create_index('ix_budget_adjustments_source', ['source_flow', 'source_id'], unique=False)
        batch_op.create_index('ix_budget_adjustments_year', ['fiscal_year', 'kind'], unique=False)

    op.create_table('payment_suspensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lift_reason', sa.Text(), nullable=True),
    sa.Column('source_flow', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('suspended_by_id', sa.Integer(), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_payment_suspensions_instance_id_process_instances')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_payment_suspensions_lifted_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_payment_suspensions_project_id_projects')),
    sa.ForeignKeyConstraint(['suspended_by_id'], ['users.id'], name=op.f('fk_payment_suspensions_suspended_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_suspensions'))
    )
    with op.batch_alter_table('payment_suspensions', schema=None) as batch_op:
        batch_op.create_index('ix_payment_suspensions_project', ['project_id', 'lifted_at'], unique=False)
        batch_op.create_index('ix_payment_suspensions_source', ['source_flow', 'source_id'], unique=False)

    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('waiting', 'self', 'reviewing', 'key', 'graded', 'rectifying', 'completed', 'rectified', 'unrectified', name='evaluationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('budget', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('spent', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('execution_rate', sa.Numeric(precision=10, scale=4), nullable=True),
    sa.Column('self_score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('self_grade', sa.String(length=8), nullable=True),
    sa.Column('explanation', sa.Text(), nullable=True),
    sa.Column('self_problems', sa.Text(), nullable=True),
    sa.Column('self_round', sa.Integer(), nullable=False),
    sa.Column('self_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_decision', sa.String(length=16), nullable=True),
    sa.Column('review_opinion', sa.Text(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('key_selected', sa.Boolean(), nullable=False),
    sa.Column('key_reason', sa.Text(), nullable=True),
    sa.Column('key_score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('grade', sa.String(length=8), nullable=True),
    sa.Column('grade_basis', sa.String(length=200), nullable=True),
    sa.Column('conclusion', sa.Text(), nullable=True),
    sa.Column('problems', sa.Text(), nullable=True),
    sa.Column('requirements', sa.Text(), nullable=True),
    sa.Column('rectify_required', sa.Boolean(), nullable=False),
    sa.Column('rectify_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('adjust_percent', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('application_basis', sa.String(length=200), nullable=True),
    sa.Column('noticed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('noticed_by_id', sa.Integer(), nullable=True),
    sa.Column('publish', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['goal_id'], ['goal_versions.id'], name=op.f('fk_evaluations_goal_id_goal_versions')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_evaluations_instance_id_process_instances')),
    sa.ForeignKeyConstraint(['noticed_by_id'], ['users.id'], name=op.f('fk_evaluations_noticed_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evaluations_project_id_projects')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_evaluations_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations'))
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index('ix_evaluations_instance', ['instance_id'], unique=False)
        batch_op.create_index('ix_evaluations_project', ['project_id', 'fiscal_year'], unique=False)
        batch_op.create_index('ix_evaluations_year', ['fiscal_year', 'grade'], unique=False)

    op.create_table('evaluation_indicator_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('level1', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('operator', sa.String(length=8), nullable=False),
    sa.Column('target', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=True),
    sa.Column('weight', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('points', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('actual_value', sa.String(length=100), nullable=False),
    sa.Column('degree', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('ratio', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('deviation_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluation_indicator_scores_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['goal_indicators.id'], name=op.f('fk_evaluation_indicator_scores_indicator_id_goal_indicators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_indicator_scores'))
    )
    with op.batch_alter_table('evaluation_indicator_scores', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_indicator_scores_evaluation', ['evaluation_id', 'position'], unique=False)

    op.create_table('key_evaluation_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('chosen_index', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('experts', sa.JSON(), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_key_evaluation_draws_drawn_by_id_users')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_key_evaluation_draws_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['firm_id'], ['organisations.id'], name=op.f('fk_key_evaluation_draws_firm_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_evaluation_draws')),
    sa.UniqueConstraint('evaluation_id', name=op.f('uq_key_evaluation_draws_evaluation_id'))
    )
    op.create_table('key_evaluation_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('execution', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('output', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('benefit', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('satisfaction', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_key_evaluation_scores_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], name=op.f('fk_key_evaluation_scores_expert_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_evaluation_scores')),
    sa.UniqueConstraint('evaluation_id', 'expert_id', name=op.f('uq_key_evaluation_scores_evaluation_id'))
    )
    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
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
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_rectifications_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_rectifications_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_rectifications_verified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications')),
    sa.UniqueConstraint('evaluation_id', 'round', name=op.f('uq_rectifications_evaluation_id'))
    )


def downgrade():
    op.drop_table('rectifications')
    op.drop_table('key_evaluation_scores')
    op.drop_table('key_evaluation_draws')
    with op.batch_alter_table('evaluation_indicator_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_indicator_scores_evaluation')

    op.drop_table('evaluation_indicator_scores')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluations_year')
        batch_op.drop_index('ix_evaluations_project')
        batch_op.drop_index('ix_evaluations_instance')

    op.drop_table('evaluations')
    with op.batch_alter_table('payment_suspensions', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_suspensions_source')
        batch_op.drop_index('ix_payment_suspensions_project')

    op.drop_table('payment_suspensions')
    with op.batch_alter_table('budget_adjustments', schema=None) as batch_op:
        batch_op.drop_index('ix_budget_adjustments_year')
        batch_op.drop_index('ix_budget_adjustments_source')
        batch_op.drop_index('ix_budget_adjustments_project')

    op.drop_table('budget_adjustments')
