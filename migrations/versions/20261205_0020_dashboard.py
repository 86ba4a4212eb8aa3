"""The office dashboard's summary table and indexes (issue 15)

Revision ID: 0020
Revises: 0029
Create Date: 2026-12-05 17:30:00.000000

monitoring_tallies counts the monitoring reports of a year by unit, sector, month, gauge and colour (kept by
server/services/dashboard_tallies.py when a report is recorded); it is backfilled here from the reports that
exist. The indexes let each dashboard figure group read one year's rows from an index.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0029'
branch_labels = None
depends_on = None


# dashboard_counts: (topic, year, bucket as server/services/dashboard_counts.py writes it, a1, a2, a3, FROM ... WHERE)
COUNTS = (
    ("project", "p.fiscal_year",
     "COALESCE(p.status, '') || '|' || COALESCE(p.goal_status, '') || '|' || COALESCE(p.monitoring_colour, '')",
     "COALESCE(p.amount, 0)", "COALESCE(p.requested_amount, 0)", "0",
     "projects p WHERE p.fiscal_year IS NOT NULL"),
    ("assessment", "a.fiscal_year", "COALESCE(a.status, '') || '|' || COALESCE(a.conclusion, '')",
     "COALESCE(a.requested_amount, 0)", "COALESCE(a.cut_amount, 0)", "COALESCE(a.approved_amount, 0)",
     "assessments a JOIN projects p ON p.id = a.project_id WHERE a.fiscal_year IS NOT NULL"),
    ("evaluation", "e.fiscal_year",
     "COALESCE(e.status, '') || '|' || (CASE WHEN e.key_selected THEN '1' ELSE '0' END) || '|' || "
     "(CASE WHEN e.self_submitted_at IS NULL THEN '0' ELSE '1' END) || '|' || COALESCE(e.self_grade, '') || '|' || "
     "COALESCE(e.grade, '')", "0", "0", "0", "evaluations e JOIN projects p ON p.id = e.project_id WHERE 1 = 1"),
    ("adjustment", "b.fiscal_year", "b.kind", "b.amount", "0", "0",
     "budget_adjustments b JOIN projects p ON p.id = b.project_id WHERE b.source_flow = 'evaluation'"),
    ("suspension", "e.fiscal_year", "CASE WHEN s.lifted_at IS NULL THEN 'held' ELSE 'lifted' END", "0", "0", "0",
     "payment_suspensions s JOIN evaluations e ON e.id = s.source_id JOIN projects p ON p.id = s.project_id "
     "WHERE s.source_flow = 'evaluation'"),
)


def backfill_counts_sql():
    """The statements that count existing rows into dashboard_counts (the unit's rows and the sector's)."""
    for topic, year, bucket, a1, a2, a3, source in COUNTS:
        for unit in ('p.organisation_id', '0'):
            group = f"{year}, {unit + ', ' if unit != '0' else ''}COALESCE(p.sector, ''), {bucket}"
            yield f"""
                INSERT INTO dashboard_counts (fiscal_year, organisation_id, sector, topic, bucket, n, a1, a2, a3)
                SELECT {year}, {unit}, COALESCE(p.sector, ''), '{topic}', {bucket}, COUNT(*), SUM({a1}), SUM({a2}),
                       SUM({a3})
                FROM {source}
                GROUP BY {group}
            """


def upgrade():
    op.create_table(
        'dashboard_counts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('sector', sa.String(length=32), nullable=False),
        sa.Column('topic', sa.String(length=16), nullable=False),
        sa.Column('bucket', sa.String(length=120), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('a1', sa.Numeric(20, 2), nullable=False),
        sa.Column('a2', sa.Numeric(20, 2), nullable=False),
        sa.Column('a3', sa.Numeric(20, 2), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('fiscal_year', 'organisation_id', 'sector', 'topic', 'bucket',
                            name='uq_dashboard_counts_key'),
    )
    op.create_index('ix_dashboard_counts_year', 'dashboard_counts', ['fiscal_year', 'topic', 'organisation_id', 'sector'])
    for statement in backfill_counts_sql():
        op.execute(statement)
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
    # Units late right now: the units' open tasks by due time, with what the figure groups and scopes by.
    op.create_index('ix_human_tasks_unit_due', 'human_tasks', ['due_at'],
                    postgresql_include=['organisation_id', 'department_id', 'sector', 'project_code'],
                    postgresql_where=sa.text("status = 'open' AND role = 'unit_staff'"),
                    sqlite_where=sa.text("status = 'open' AND role = 'unit_staff'"))
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
    op.drop_index('ix_dashboard_counts_year', table_name='dashboard_counts')
    op.drop_table('dashboard_counts')
    op.drop_index('ix_payment_suspensions_results', table_name='payment_suspensions')
    op.drop_index('ix_budget_adjustments_results', table_name='budget_adjustments')
    op.drop_index('ix_human_tasks_unit_due', table_name='human_tasks')
    op.drop_index('ix_key_attention_year', table_name='key_attention')
    op.drop_index('ix_evaluations_year_status', table_name='evaluations')
    op.drop_index('ix_assessments_year_conclusion', table_name='assessments')
    op.drop_index('ix_projects_year_goal', table_name='projects')
    op.drop_index('ix_monitoring_tallies_year', table_name='monitoring_tallies')
    op.drop_table('monitoring_tallies')
