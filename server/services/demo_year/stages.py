"""The stages of the demo year, in one place: each names the flows it walks and builds its stories (a new
stage is a module with `stories(plan)` and one entry here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from server.flows.evaluation import demo as evaluation
from server.flows.ex_ante import demo as ex_ante
from server.flows.goal_review import demo as goals
from server.flows.monitoring import demo as monitoring
from server.services.demo_year.calendar import YearPlan
from server.services.demo_year.story import Story


@dataclass(frozen=True)
class Stage:
    name: str
    flows: tuple[str, ...]  # process keys that must be deployed
    stories: Callable[[YearPlan], list[Story]]


STAGES: tuple[Stage, ...] = (
    Stage("先评估后入库", (ex_ante.KEY,), ex_ante.stories),
    Stage("绩效目标编审", (ex_ante.KEY, goals.REVIEW), goals.stories),
    Stage("运行监控·目标调整", (ex_ante.KEY, goals.REVIEW, goals.ADJUST, monitoring.KEY), monitoring.stories),
    Stage("评价·整改·结果应用", (ex_ante.KEY, goals.REVIEW, evaluation.KEY), evaluation.stories),
)
