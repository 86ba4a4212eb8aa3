"""运行监控 (workflows/monitoring) in the demo year: this year's projects, admitted and given goals last
autumn and started together by the performance office in January, report month by month up to the demo's
"now" — most on track, some yellow or red with the unit's cause and measures and the finance section's
decisions, a mid-year project that had not spent by October (key-attention ledger), one overdue (reminder
and escalation), two whose latest decision was 调整绩效目标 (the unit's adjustment request waits for
finance), and the latest round left open in the inboxes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from server.flows.ex_ante import demo as ex_ante
from server.flows.goal_review import demo as goals
from server.flows.monitoring.operators import period_end
from server.services.demo_year.calendar import (
    YearPlan,
    local,
    local_date,
    workday_on_or_after,
    workdays_after,
)
from server.services.demo_year.catalogue import MONITORED
from server.services.demo_year.filings import report_rows, spent_at
from server.services.demo_year.story import Form, Story

KEY = "monitoring"
REPORT, EXPLAIN, DECIDE = "填报绩效监控报告", "说明偏离原因和纠偏措施", "财政纠偏决定"
WARN_BELOW = 0.8  # the rule table's yellow threshold: below it the unit must explain
ESCALATION_DAYS = 21
# Where the story is left open at the end: the latest report overdue, the latest deviation not yet explained,
# not yet decided, or decided 调整绩效目标 with the unit's adjustment request waiting for finance.
Stop = Literal["overdue", "explain", "decision", "adjust"] | None


@dataclass(frozen=True)
class Profile:
    """How a project's year goes: spending pace per month (1.0 = on schedule; default 1.0), the indicators'
    pace (default: the spending pace), finance decisions on warnings (default: yellow accepted, red payment
    suspended), reports filed late, where the story is left open at the end, and the first month."""

    cause: tuple[str, str]  # (偏离原因, 纠偏措施)
    pace: dict[int, float] = field(default_factory=dict)
    goal_pace: dict[int, float] = field(default_factory=dict)
    decisions: dict[int, dict[str, Any]] = field(default_factory=dict)
    delay: int = 3  # days after the month's end the report is usually filed
    late: dict[int, int] = field(default_factory=dict)  # month -> days after its end (reminder after 10)
    stop: Stop = None
    unpayable: float = 0.0  # share of the budget declared unpayable in December
    first_month: int = 1


PROFILES: dict[str, Profile] = {
    "repair": Profile(("暑期施工前材料款尚未结算", "竣工验收后及时结算"), pace={12: 0.97}, unpayable=0.02),
    "meals": Profile(("学期初供餐人数核定延迟", "按月核定供餐人数"), delay=2, late={3: 12}),
    "workshop": Profile(("设备政府采购流标一次，重新招标", "5月底前完成采购合同签订，到货后及时支付"),
                        pace={1: 0.7, 2: 0.7, 3: 0.72, 4: 0.75}, delay=4, stop="decision"),
    "campus": Profile(("智慧教室方案论证时间长，设备尚未招标", "压缩论证时间，分两批采购"),
                      pace={1: 0.5, 2: 0.5, 3: 0.85}, goal_pace={1: 0.5, 2: 0.5}, stop="adjust"),
    "playground": Profile(("原设计方案排水不达标，重新设计，施工单位尚未进场", "设计变更已完成，11月前开工"),
                          pace={7: 0.0, 8: 0.0, 9: 0.0, 10: 0.0}, goal_pace={7: 0.3, 8: 0.3, 9: 0.3, 10: 0.3},
                          decisions={7: {"decision": "accept", "finance_opinion": "原因属实，请加快设计变更。"},
                                     10: {"decision": "recover_balance",
                                          "finance_opinion": "年内无法全部支付，收回部分资金统筹使用。",
                                          "decision_amount": 120000}},
                          first_month=7, delay=5),
    "trainees": Profile(("秋季学期资助对象认定尚未完成", "10日内完成认定公示并发放"), stop="explain"),
    "farmland": Profile(("春灌期间渠道维修推迟", "汛后集中实施维修"), pace={4: 0.85, 5: 0.78, 6: 0.7}, delay=4),
    "dam": Profile(("监测设备进口部件到货延迟", "调整设备安装顺序，先建土建部分"),
                   pace={1: 0.5, 2: 0.5, 3: 0.5, 4: 0.55, 5: 0.75},
                   decisions={1: {"decision": "accept", "finance_opinion": "冬季不宜施工，原因属实。"},
                              3: {"decision": "adjust_budget", "finance_opinion": "部分设备改为明年采购，调减预算。",
                                  "decision_amount": 560000}},
                   delay=6, stop="decision"),
    "drinking": Profile(("管材价格上涨，施工进度滞后", "调整施工组织，增加作业面"), delay=3, stop="overdue"),
    "river": Profile(("汛期不能施工，清淤延后", "汛后集中清淤"), pace={4: 0.75, 5: 0.75}, stop="adjust"),
}
# 调整绩效目标: the finance section's opinion, and the reasons the unit gives in the request it opens.
ADJUSTMENTS = {
    "campus": ("建设内容分两年实施，请按实际调整绩效目标。", "根据财政纠偏意见，智慧教室建设分两年实施，本年度建成数量相应调整。"),
    "river": ("清淤长度请按汛后可施工时间调整。", "根据财政纠偏意见，汛期无法施工，本年度清淤长度按汛后可施工时间调整。"),
}


def _report_day(year: int, month: int, days: int) -> date:
    return workday_on_or_after(local_date(period_end(year, month)) + timedelta(days=days))


@dataclass(frozen=True)
class Round:
    month: int
    report: datetime
    explain: datetime
    decide: datetime

    @property
    def request(self) -> datetime:
        """When the unit fills an adjustment request the decision opened."""
        return local(workdays_after(local_date(self.decide), 2), 10)


def _rounds(year: int, profile: Profile) -> list[Round]:
    out = []
    for month in range(profile.first_month, 13):
        day = _report_day(year, month, profile.late.get(month, profile.delay))
        explained = workdays_after(day, 1)
        decided = workdays_after(explained, 2)
        out.append(Round(month, local(day, 10, 4 * month), local(explained, 15), local(decided, 10, 30)))
    return out


def _open_month(plan: YearPlan, profile: Profile, rounds: list[Round]) -> int | None:
    """The month the story is left open at (None: it runs until the end of the plan)."""
    ends = {
        "overdue": lambda r: period_end(plan.year, r.month) + timedelta(days=ESCALATION_DAYS),
        "explain": lambda r: r.report,
        "decision": lambda r: r.explain,
        "adjust": lambda r: r.request,
    }
    if profile.stop is None:
        return None
    reached = [r.month for r in rounds if ends[profile.stop](r) <= plan.end]
    return reached[-1] if reached else None


def _story(plan: YearPlan, key: str, index: int) -> Story:
    spec, profile = MONITORED[key], PROFILES[key]
    year = plan.year
    story = Story(spec.title(year), vars={"budget": Decimal(spec.amount), "spent": 0.0})
    if profile.first_month == 1:  # admitted and given goals last autumn
        applied = workday_on_or_after(date(year - 1, 9, 7) + timedelta(days=2 * index))
        started = workday_on_or_after(date(year, 1, 5))
    else:  # a mid-year project
        applied = workday_on_or_after(date(year, profile.first_month - 1, 2))
        started = workday_on_or_after(date(year, profile.first_month, 6))
    admitted = ex_ante.admit(story, applied, spec, year)
    goals.approve(story, workdays_after(admitted, 3 + index), spec, year)
    if profile.first_month > 1:  # the office started January's; the unit starts its own mid-year
        story.start(local(started, 9, 30 + index), spec.unit, KEY, goals.project_code)

    rounds = _rounds(year, profile)
    stop_at = _open_month(plan, profile, rounds)
    pace, decisions = dict(profile.pace), dict(profile.decisions)
    if stop_at is not None and profile.stop != "overdue":  # the latest round is the one in question
        pace[stop_at] = 0.55 if profile.stop == "explain" else min(pace.get(stop_at, 1.0), 0.72)
    if stop_at is not None and profile.stop == "adjust":
        decisions[stop_at] = {"decision": "adjust_goals", "finance_opinion": ADJUSTMENTS[key][0]}
    for r in rounds:
        if profile.stop == "overdue" and r.month == stop_at:
            break
        p = pace.get(r.month, 1.0)
        g = profile.goal_pace.get(r.month, p)
        story.act(r.report, spec.unit, KEY, REPORT, _report(profile, r.month, p, g))
        if p >= WARN_BELOW and g >= WARN_BELOW:
            continue
        if profile.stop == "explain" and r.month == stop_at:
            break
        cause, measures = profile.cause
        story.act(r.explain, spec.unit, KEY, EXPLAIN, {"cause": cause, "measures": measures})
        if profile.stop == "decision" and r.month == stop_at:
            break
        story.act(r.decide, goals.FINANCE_USER[spec.sector], KEY, DECIDE, _decision(decisions, r.month, p))
        if profile.stop == "adjust" and r.month == stop_at:
            goals.fill_adjustment(story, r.request, spec, ADJUSTMENTS[key][1])
    return story


def _report(profile: Profile, month: int, pace: float, goal_pace: float):
    def data(story: Story, form: Form) -> dict[str, Any]:
        budget: Decimal = story.vars["budget"]
        spent = max(story.vars["spent"], spent_at(budget, month, pace))
        story.vars["spent"] = spent
        filled: dict[str, Any] = {
            "spent": spent,
            "indicator_reports": report_rows(form().get("indicator_reports") or [], month, goal_pace,
                                             profile.cause[0]),
        }
        if month == 12 and profile.unpayable:
            filled["unpayable_amount"] = float((budget * Decimal(str(profile.unpayable))).quantize(Decimal(1)))
        return filled

    return data


def _decision(decisions: dict[int, dict[str, Any]], month: int, pace: float):
    def data(story: Story, _form: Form) -> dict[str, Any]:
        chosen = decisions.get(month) or (
            {"decision": "accept", "finance_opinion": "偏离原因属实，纠偏措施可行，请抓紧落实。"} if pace >= 0.6
            else {"decision": "suspend_payment", "finance_opinion": "支出严重滞后，暂缓拨付，待纠偏措施落实后恢复。"})
        amount = chosen.get("decision_amount")
        if chosen["decision"] == "adjust_budget":
            story.vars["budget"] = Decimal(amount)
        elif chosen["decision"] == "recover_balance":
            story.vars["budget"] -= Decimal(amount)
        return dict(chosen)

    return data


def stories(plan: YearPlan) -> list[Story]:
    monitored = [_story(plan, key, i) for i, key in enumerate(MONITORED)]
    from_january = [s for s, key in zip(monitored, MONITORED, strict=True) if PROFILES[key].first_month == 1]

    def projects(_story: Story, _form: Form) -> dict[str, Any]:
        # The demo's own projects only: on a database with other projects of the year, those stay theirs.
        return {"fiscal_year": plan.year, "codes": [s.code for s in from_january]}

    # The office starts the year's monitoring for the approved projects on the first working day of January.
    launch = Story(f"{plan.year}年度运行监控").batch_start(
        local(workday_on_or_after(date(plan.year, 1, 5)), 9, 20), "perf", KEY, projects)
    return [*monitored, launch]
