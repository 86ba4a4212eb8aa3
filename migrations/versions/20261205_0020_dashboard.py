"""The office dashboard's summary table and indexes (issue 15)

Revision ID: 0020
Revises: 0015
Create Date: 2026-12-05 17:30:00.000000

monitoring_tallies counts the monitoring reports of a year by unit, sector, month, gauge and colour (kept by
server/services/dashboard_tallies.py when a report is recorded); it is backfilled here from the reports that
exist. The indexes let each dashboard figure group read one year's rows from an index.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'monitoring_tallies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('sector', sa.String(length=32), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('gauge', sa.String(length=12), nullable=False),
        sa.Column('colour', sa.String(length=8), nullable=False),
        sa.Column('reports', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('fiscal_year', 'organisation_id', 'sector', 'month', 'gauge', 'colour',
                            name='uq_monitoring_tallies_key'),
    )
    op.create_index('ix_monitoring_tallies_year', 'monitoring_tallies',
                    ['fiscal_year', 'organisation_id', 'gauge', 'sector', 'month', 'colour', 'reports'])
    for gauge, column in (('overall', 'colour'), ('execution', 'execution_colour'), ('goal', 'goal_colour')):
        for unit in ('p.organisation_id', '0'):  # the unit's row, and the sector's (organisation_id 0)
            op.execute(f"""
                INSERT INTO monitoring_tallies (fiscal_year, organisation_id, sector, month, gauge, colour, reports)
                SELECT r.fiscal_year, {unit}, COALESCE(p.sector, ''), r.month, '{gauge}', r.{column}, COUNT(*)
                FROM monitoring_reports r JOIN projects p ON p.id = r.project_id
                GROUP BY r.fiscal_year, {'p.organisation_id, ' if unit != '0' else ''}COALESCE(p.sector, ''), r.month,
                         r.{column}
            """)
    # One year's projects by stage and goal status with their money; evaluations by status and grades;
    # the key-attention ledger of a year.
    op.create_index('ix_projects_year_goal', 'projects', ['fiscal_year', 'status', 'goal_status'],
                    postgresql_include=['amount', 'requested_amount', 'organisation_id', 'department_id', 'sector',
                                       'monitoring_colour'])
    op.create_index('ix_assessments_year_conclusion', 'assessments', ['fiscal_year', 'status', 'conclusion'],
                    postgresql_include=['project_id', 'requested_amount', 'approved_amount', 'cut_amount'])
    op.create_index('ix_evaluations_year_status', 'evaluations',
                    ['fiscal_year', 'status', 'key_selected', 'self_grade', 'grade'],
                    postgresql_include=['id', 'project_id', 'rectify_due_at', 'self_submitted_at'])
    op.create_index('ix_key_attention_year', 'key_attention', ['fiscal_year'])
    # Result application: the evaluation flow's adjustments by budget year, its payment holds by evaluation.
    op.create_index('ix_budget_adjustments_results', 'budget_adjustments', ['fiscal_year', 'kind'],
                    postgresql_include=['project_id', 'amount'],
                    postgresql_where=sa.text("source_flow = 'evaluation'"),
                    sqlite_where=sa.text("source_flow = 'evaluation'"))
    op.create_index('ix_payment_suspensions_results', 'payment_suspensions', ['source_id'],
                    postgresql_include=['project_id', 'lifted_at'],
                    postgresql_where=sa.text("source_flow = 'evaluation'"),
                    sqlite_where=sa.text("source_flow = 'evaluation'"))


def downgrade():
    op.drop_index('ix_payment_suspensions_results', table_name='payment_suspensions')
    op.drop_index('ix_budget_adjustments_results', table_name='budget_adjustments')
    op.drop_index('ix_key_attention_year', table_name='key_attention')
    op.drop_index('ix_evaluations_year_status', table_name='evaluations')
    op.drop_index('ix_assessments_year_conclusion', table_name='assessments')
    op.drop_index('ix_projects_year_goal', table_name='projects')
    op.drop_index('ix_monitoring_tallies_year', table_name='monitoring_tallies')
    op.drop_table('monitoring_tallies')
