"""Keeps monitoring_tallies (server/models/dashboard.py) in step with monitoring_reports: one upsert per gauge
when a report is recorded, in the recording transaction, so the dashboard's colour chart never reads the reports
themselves. INSERT ... ON CONFLICT adds to the row two units' reports may share without a lost update."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from server.db import db
from server.models import MonitoringTally, Project

GAUGES = ("overall", "execution", "goal")
SECTOR_ROW = 0  # organisation_id of a sector's row (every unit of the sector)


def count_report(project: Project, report: Any) -> None:
    """Add one report's three colours (overall, budget execution, goal achievement) to its year's tallies."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = MonitoringTally.__table__
    colours = {"overall": report.colour, "execution": report.execution_colour, "goal": report.goal_colour}
    for organisation in (project.organisation_id, SECTOR_ROW):
        for gauge in GAUGES:
            stmt = insert(table).values(fiscal_year=report.fiscal_year, organisation_id=organisation,
                                        sector=project.sector or "", month=report.month, gauge=gauge,
                                        colour=str(colours[gauge]), reports=1)
            db.session.execute(stmt.on_conflict_do_update(
                index_elements=["fiscal_year", "organisation_id", "sector", "month", "gauge", "colour"],
                set_={"reports": table.c.reports + 1}))
