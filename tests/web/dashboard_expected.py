"""What the demo year's dashboard must show, counted from the stories the year plays (server/flows/*/demo.py and
the catalogue), not from the database: which projects applied, were supported, cut or rejected, which goal tables
stand where, each monitored project's month-by-month pace (with the cumulative spending and the budget changes the
finance decisions made), the self-evaluation outcomes scored by DOMAIN.md's rule, the notices and the open work
left at the demo's "now"."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from server.flows.evaluation import demo as evaluation_demo
from server.flows.monitoring import demo as monitoring_demo
from server.services.demo_year import catalogue
from server.services.demo_year.calendar import plan_for
from tests.web.demo_year_db import NOW

YEAR = 2026  # the work year the demo's "now" shows: budget 2027 prepared, 2026 monitored, 2025 evaluated
RED_BELOW, YELLOW_BELOW = 0.6, 0.8  # the monitoring rule table's defaults

# 先评估后入库 for 2027 (ex_ante/demo.py): three conclusions, seven still in the assessment, the goal-review
# projects exempt (continuing, below the threshold) and admitted at once.
SUPPORTED, ADJUSTED, REJECTED = ("ev",), ("labs",), ("ponds",)
ADJUSTED_TO = {"labs": 1_280_000}
ASSESSING = ("dorm", "base", "pipes", "cameras", "pumps", "reservoir", "hall")
# 绩效目标编审 for 2027 (goal_review/demo.py): approved 优 and 良-with-fixes-confirmed; 差 refused; back with the
# unit (中, 良 fixing, a vague draft); with the department or finance; the two newly admitted await goals.
GOAL_STAGES = {"approved": ("teachers", "recruit"), "refused": ("buses",),
               "drafting": ("library", "quality", "floods"),
               "reviewing": ("operation", "insurance", "afterschool", "stewardship")}
# 评价 of 2025 (evaluation/demo.py): desks chosen for a key evaluation the firm has not scored yet; greening
# notified 良 (+5% of its amount); patrol and meters notified 中 (payments suspended, rectifying, deadlines ahead).
KEY_SELECTED = ("desks",)
RECTIFYING = ("patrol", "meters")
INCREASED = {"greening": Decimal(5) / 100}


def colour(pace: float) -> str:
    return "red" if pace < RED_BELOW else "yellow" if pace < YELLOW_BELOW else "green"


def worst(*colours: str) -> str:
    return min(colours, key=("red", "yellow", "green", "blue").index)


@dataclass
class Monitoring:
    months: dict[str, dict[int, Counter]] = field(default_factory=lambda: {
        g: {m: Counter() for m in range(1, 13)} for g in ("overall", "execution", "goal")})
    latest: dict[str, Counter] = field(default_factory=dict)  # sector -> colour of the last report filed
    attention: list[str] = field(default_factory=list)  # October report with nothing spent
    projects: dict[str, str] = field(default_factory=dict)  # key -> sector


def monitoring(sectors: set[str] | None = None) -> Monitoring:
    """Each monitored project's reports as its story files them up to the demo's now."""
    plan = plan_for(YEAR, NOW)
    out = Monitoring()
    for key, spec in catalogue.MONITORED.items():
        if sectors and spec.sector not in sectors:
            continue
        profile = monitoring_demo.PROFILES[key]
        rounds = monitoring_demo._rounds(YEAR, profile)
        stop_at = monitoring_demo._open_month(plan, profile, rounds)
        pace = dict(profile.pace)
        if stop_at is not None and profile.stop != "overdue":
            pace[stop_at] = 0.55 if profile.stop == "explain" else min(pace.get(stop_at, 1.0), 0.72)
        budget, spent, last = Decimal(spec.amount), Decimal(0), None
        for r in rounds:
            if r.report > plan.end or (stop_at is not None and (r.month > stop_at or (
                    r.month == stop_at and profile.stop == "overdue"))):
                break
            p = pace.get(r.month, 1.0)
            g = profile.goal_pace.get(r.month, p)
            elapsed = Decimal(r.month) / 12
            spent = max(spent, (budget * elapsed * Decimal(str(p))).quantize(Decimal("0.01")))
            execution = colour(float(spent / budget / elapsed))
            goal = colour(g)
            for gauge, c in (("overall", worst(execution, goal)), ("execution", execution), ("goal", goal)):
                out.months[gauge][r.month][c] += 1
            last = worst(execution, goal)
            if r.month == 10 and spent == 0:
                out.attention.append(key)
            decision = profile.decisions.get(r.month, {})
            if decision.get("decision") == "adjust_budget":
                budget = Decimal(decision["decision_amount"])
            elif decision.get("decision") == "recover_balance":
                budget -= Decimal(decision["decision_amount"])
        out.projects[key] = spec.sector
        if last:
            out.latest.setdefault(spec.sector, Counter())[last] += 1
    return out


def self_grade(key: str) -> str:
    """DOMAIN.md's self-evaluation score: 10 × execution rate, and 90 points of indicators each reached to the
    story's share (the qualitative one banded 达成 90% / 部分达成 70%)."""
    outcome = evaluation_demo.OUTCOMES[key]
    score = 10 * outcome.spent + 90 * outcome.achieved
    return "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"


def in_sectors(group: dict, keys, sectors: set[str] | None) -> list[str]:
    return [k for k in keys if not sectors or group[k].sector in sectors]
