"""What the arrangement's reviewers judge (FlowDefinition.instance_block): the flow's lines with their reasons and
totals, above the review form — the arrangement concerns a sector's projects, not one project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.models import ProcessInstance, Project


@dataclass(frozen=True)
class ArrangementContext:
    lines: list[Any]  # services.budget_arrangements.ArrangementLine: the first ones, in the list's order
    totals: Any  # services.budget_arrangements.Totals over every line of the flow

    @property
    def more(self) -> int:
        """Lines not shown here (the arrangement list and its xlsx have them all)."""
        return self.totals.count - len(self.lines)

    @property
    def year(self) -> int | None:
        return self.lines[0].row.fiscal_year if self.lines else None

    @property
    def sector(self) -> str | None:
        return self.lines[0].row.sector if self.lines else None


def load(_project: Project | None, instance: ProcessInstance) -> ArrangementContext | None:
    # Imported here: the service reads the task page's labels, which reads the flow registry, which reads this.
    from server.services.budget_arrangements import instance_totals, lines_of_instance

    lines = lines_of_instance(instance.id)
    if not lines:
        return None
    return ArrangementContext(lines, instance_totals(instance.id))
