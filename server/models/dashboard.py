"""Summary rows behind the office dashboard (/dashboard) and the annual work report: the monitoring reports of a
year counted by unit, sector, month, gauge and colour. Reading 2,000,000 reports to draw a 12-month chart is too
slow for a page, so the count is kept here, raised in the same transaction that records a report
(server/services/project_facts.note_report -> server/services/dashboard_tallies.py); migration 0020 backfilled
the reports that existed before. A report's colours never change once recorded, so counting up is enough.

Each report is counted twice: on its unit's row (departments and units read theirs) and on its sector's row
(organisation_id = 0, no unit), so the office and the finance sections sum a few hundred rows a year, not one
per unit and month."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class MonitoringTally(Base):
    __tablename__ = "monitoring_tallies"
    __table_args__ = (
        UniqueConstraint("fiscal_year", "organisation_id", "sector", "month", "gauge", "colour",
                         name="uq_monitoring_tallies_key"),
        Index("ix_monitoring_tallies_year", "fiscal_year", "organisation_id", "gauge", "sector", "month", "colour",
              "reports"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int]
    organisation_id: Mapped[int]  # the project's unit; 0 on the sector's row
    sector: Mapped[str] = mapped_column(String(32), default="")  # the project's sector ('' when it has none)
    month: Mapped[int]
    gauge: Mapped[str] = mapped_column(String(12))  # overall / execution (预算执行) / goal (目标实现)
    colour: Mapped[str] = mapped_column(String(8))
    reports: Mapped[int] = mapped_column(default=0)


class DashboardCount(Base):
    """Counts and money of one year's projects, assessments, evaluations and result application by the values
    the dashboard groups them by (`bucket`, e.g. an evaluation's "status|key|submitted|self grade|grade"), on
    the unit's row and the sector's row (organisation_id 0). Kept by server/services/dashboard_counts.py from
    the ORM's own flush (old values out, new values in), so every code path that changes a row keeps it."""

    __tablename__ = "dashboard_counts"
    __table_args__ = (
        UniqueConstraint("fiscal_year", "organisation_id", "sector", "topic", "bucket", name="uq_dashboard_counts_key"),
        Index("ix_dashboard_counts_year", "fiscal_year", "topic", "organisation_id", "sector"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int]
    organisation_id: Mapped[int]
    sector: Mapped[str] = mapped_column(String(32), default="")
    topic: Mapped[str] = mapped_column(String(16))  # project / assessment / evaluation / adjustment / suspension
    bucket: Mapped[str] = mapped_column(String(120))
    n: Mapped[int] = mapped_column(default=0)
    a1: Mapped[Decimal] = mapped_column(Numeric(20, 2), default=0)
    a2: Mapped[Decimal] = mapped_column(Numeric(20, 2), default=0)
    a3: Mapped[Decimal] = mapped_column(Numeric(20, 2), default=0)
