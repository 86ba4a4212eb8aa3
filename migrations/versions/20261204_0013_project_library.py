"""Project library: the facts other flows establish copied onto projects (latest monitoring colour and period,
last evaluation grade and score, budget in force), their indexes, and the warnings board's partial index

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 14:30:00.000000

The library lists, filters and sorts up to hundreds of thousands of projects; computing "latest colour" or
"budget in force" per row would be a subquery per row. The operators now keep these columns in the same
transaction (server/services/project_facts.py); this migration fills them for the rows that existed before,
with the same rules.
"""
from decimal import Decimal

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

WARNINGS = "colour IN ('yellow', 'red')"
AMOUNTS = ['amount', 'budget_now']
RECREATED = {'ix_projects_org': ['organisation_id', 'created_at'], 'ix_projects_sector': ['sector', 'created_at']}
INDEXES = {
    'ix_projects_created': ['created_at', 'id'],
    'ix_projects_goal_status': ['goal_status', 'created_at'],
    'ix_projects_colour': ['monitoring_colour', 'created_at'],
    'ix_projects_grade': ['last_grade', 'created_at'],
}


def upgrade():
    op.add_column('projects', sa.Column('monitoring_colour', sa.String(length=8), nullable=True))
    op.add_column('projects', sa.Column('monitoring_month', sa.Integer(), nullable=True))
    op.add_column('projects', sa.Column('last_grade', sa.String(length=8), nullable=True))
    op.add_column('projects', sa.Column('last_score', sa.Numeric(precision=6, scale=2), nullable=True))
    op.add_column('projects', sa.Column('budget_now', sa.Numeric(precision=18, scale=2), nullable=True))
    backfill(op.get_bind())
    # On PostgreSQL the scope and filter indexes carry the amounts, so a filtered set's totals are index-only.
    for name, columns in RECREATED.items():
        op.drop_index(name, table_name='projects')
        op.create_index(name, 'projects', columns, unique=False, postgresql_include=AMOUNTS)
    for name, columns in INDEXES.items():
        op.create_index(name, 'projects', columns, unique=False, postgresql_include=AMOUNTS)
    if op.get_bind().dialect.name == 'postgresql':
        # Read backwards in the board's order: newest month first and, within it, red before yellow.
        op.create_index('ix_monitoring_reports_warnings', 'monitoring_reports',
                        ['fiscal_year', 'month', sa.text('colour DESC'), 'id'], unique=False,
                        postgresql_where=sa.text(WARNINGS))
    op.create_index('ix_monitoring_corrections_report', 'monitoring_corrections', ['report_id', 'id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ANALYZE projects')
        op.execute('ANALYZE monitoring_reports')


def backfill(conn):
    """Latest report's colour and period; latest graded evaluation; budget after the year's corrections."""
    conn.execute(sa.text("""
        UPDATE projects SET
          monitoring_colour = (SELECT r.colour FROM monitoring_reports r WHERE r.project_id = projects.id
                               ORDER BY r.fiscal_year DESC, r.month DESC LIMIT 1),
          monitoring_month = (SELECT r.fiscal_year * 100 + r.month FROM monitoring_reports r
                              WHERE r.project_id = projects.id ORDER BY r.fiscal_year DESC, r.month DESC LIMIT 1)
        WHERE EXISTS (SELECT 1 FROM monitoring_reports r WHERE r.project_id = projects.id)
    """))
    conn.execute(sa.text("""
        UPDATE projects SET
          last_grade = (SELECT e.grade FROM evaluations e WHERE e.project_id = projects.id AND e.grade IS NOT NULL
                        ORDER BY e.fiscal_year DESC, e.id DESC LIMIT 1),
          last_score = (SELECT e.score FROM evaluations e WHERE e.project_id = projects.id AND e.grade IS NOT NULL
                        ORDER BY e.fiscal_year DESC, e.id DESC LIMIT 1)
        WHERE EXISTS (SELECT 1 FROM evaluations e WHERE e.project_id = projects.id AND e.grade IS NOT NULL)
    """))
    # The budget rule (server/services/project_facts.budget_from_corrections) replays decisions in order.
    rows = conn.execute(sa.text("""
        SELECT p.id, p.amount, c.kind, c.amount FROM monitoring_corrections c
        JOIN monitoring_reports r ON r.id = c.report_id
        JOIN projects p ON p.id = c.project_id AND r.fiscal_year = p.fiscal_year
        WHERE c.amount IS NOT NULL ORDER BY p.id, c.id
    """)).all()
    budgets = {}
    for project_id, approved, kind, amount in rows:
        budget = budgets.get(project_id, Decimal(str(approved or 0)))
        if kind == 'adjust_budget':
            budget = Decimal(str(amount))
        elif kind == 'recover_balance':
            budget -= Decimal(str(amount))
        budgets[project_id] = budget
    update = sa.text("UPDATE projects SET budget_now = :b WHERE id = :id").bindparams(
        sa.bindparam('b', type_=sa.Numeric(18, 2)))
    for project_id, budget in budgets.items():
        conn.execute(update,
                     {"b": max(budget, Decimal(0)).quantize(Decimal("0.01")), "id": project_id})


def downgrade():
    for name, columns in RECREATED.items():
        op.drop_index(name, table_name='projects')
        op.create_index(name, 'projects', columns, unique=False)
    op.drop_index('ix_monitoring_corrections_report', table_name='monitoring_corrections')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_monitoring_reports_warnings', table_name='monitoring_reports')
    for name in reversed(INDEXES):
        op.drop_index(name, table_name='projects')
    # Plain DROP COLUMN (SQLite >= 3.35 too): batch mode would copy the table, which rows in other tables
    # reference, and SQLite refuses to drop it.
    for column in ('budget_now', 'last_score', 'last_grade', 'monitoring_month', 'monitoring_colour'):
        op.execute(f'ALTER TABLE projects DROP COLUMN {column}')
