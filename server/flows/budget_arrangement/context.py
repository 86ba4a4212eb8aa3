"""What the arrangement's reviewers judge (FlowDefinition.instance_block): the flow's lines with their reasons and
totals, above the review form — the arrangement concerns a sector's projects, not one project."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from server.models import ProcessInstance, Project


@dataclass(frozen=True)
class ArrangementContext:
    lines: list[Any]  # services.budget_arrangements.ArrangementLine
    base: Decimal
    adjustment: Decimal
    amount: Decimal

    @property
    def departments(self) -> int:
        return sum(1 for line in self.lines if line.project is None)

    @property
    def projects(self) -> int:
        return len(self.lines) - self.departments

    @property
    def year(self) -> int | None:
        return self.lines[0].row.fiscal_year if self.lines else None

    @property
    def sector(self) -> str | None:
        return self.lines[0].row.sector if self.lines else None


def load(_project: Project | None, instance: ProcessInstance) -> ArrangementContext | None:
    # Imported here: the service reads the task page's labels, which reads the flow registry, which reads this.
    from server.services.budget_arrangements import lines_of_instance

    lines = lines_of_instance(instance.id)
    if not lines:
        return None
    return ArrangementContext(lines, sum((line.row.base for line in lines), Decimal(0)),
                              sum((line.row.adjustment for line in lines), Decimal(0)),
                              sum((line.row.amount for line in lines), Decimal(0)))
