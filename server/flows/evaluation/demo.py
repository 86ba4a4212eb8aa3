"""评价·整改·结果应用 (workflows/evaluation) in the demo year: last year's projects after their year closed —
one with the third-party firm for a key evaluation, one whose self-evaluation waits for the office, one chosen
by 县教育局 for 部门评价 and graded 良 by it (next year's budget +5%), one rectifying under a result notice (payments suspended), one whose
rectification report waits to be verified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from server.db import db
from server.flows.evaluation import dept_selection
from server.flows.ex_ante import demo as ex_ante
from server.flows.goal_review import demo as goals
from server.models import Project, User
from server.services.demo_year.calendar import YearPlan, local, workday_on_or_after, workdays_after
from server.services.demo_year.catalogue import EVALUATED
from server.services.demo_year.filings import ProjectSpec
from server.services.demo_year.story import Form, Story

KEY = "evaluation"
SELF, REVIEW, KEY_SCORE = "填报绩效自评表", "审核自评结果并确定重点评价", "第三方重点评价评分"
NOTICE, RECTIFY, VERIFY = "下达评价结果通知", "报送整改报告", "核查整改情况"
DEPT = "部门评价"

@dataclass(frozen=True)
class Outcome:
    achieved: float  # share of each target reached (1.0 = all met)
    spent: float  # share of the budget spent
    explanation: str
    reason: str = ""  # why targets were missed


OUTCOMES = {
    "desks": Outcome(1.0, 0.98, "课桌椅全部按期更新到位，质量验收合格。"),
    "greening": Outcome(0.84, 0.9, "主体绿化工程完成，部分苗木因季节原因延后栽植。", "部分苗木因季节原因延后至今年春季栽植"),
    "patrol": Outcome(0.72, 0.75, "巡查频次未达计划，部分养护项目未实施。", "巡查人员不足，部分养护项目推迟实施"),
    "meters": Outcome(0.7, 0.72, "智能水表安装进度滞后，数据平台尚未全部接入。", "设备供货延迟，安装进度滞后"),
    "sluices": Outcome(0.96, 0.95, "闸门自动化改造完成并投入运行。", "一台闸门控制柜返厂维修"),
}


def _rows(outcome: Outcome, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The self-evaluation rows: each target reached to `achieved`, the qualitative one graded to match."""
    filled = []
    for row in rows:
        row = dict(row)
        if row.get("operator") == "定性":
            band = ("达成", 90) if outcome.achieved >= 0.9 else ("部分达成", 70) if outcome.achieved >= 0.6 else ("未达成", 40)
            row["actual_value"], row["degree"] = band
            short = band[0] != "达成"
        else:
            target = Decimal(str(row["target"]))
            row["actual_value"] = str((target * Decimal(str(outcome.achieved))).quantize(Decimal("0.01")))
            short = outcome.achieved < 1
        if short:
            row["deviation_reason"] = outcome.reason
        filled.append(row)
    return filled


def _self_evaluation(key: str):
    outcome = OUTCOMES[key]

    def data(_story: Story, form: Form) -> dict[str, Any]:
        prefilled = form()
        budget = Decimal(str(prefilled.get("budget") or 0))
        return {"spent": float((budget * Decimal(str(outcome.spent))).quantize(Decimal(1))),
                "indicator_scores": _rows(outcome, prefilled.get("indicator_scores") or []),
                "explanation": outcome.explanation}

    return data


def _choose(reason: str):
    """The department's reviewer picks the story's project for 部门评价 on its page (before it self-evaluates)."""

    def choose(story: Story, user: User) -> None:
        project = db.session.scalar(select(Project).where(Project.code == story.code))
        assert project is not None and project.fiscal_year is not None
        errors = dept_selection.save(user, user.organisation, project.fiscal_year, {project.id: reason})
        if errors:
            raise ValueError("；".join(errors.values()))

    return choose


def _story(plan: YearPlan, key: str, index: int) -> tuple[Story, ProjectSpec]:
    """Last year's project, admitted and given goals the autumn before; its evaluation opened in January."""
    year = plan.year - 1
    spec = EVALUATED[key]
    story = Story(spec.title(year))
    admitted = ex_ante.admit(story, workday_on_or_after(date(year - 1, 10, 12 + index)), spec, year)
    goals.approve(story, workdays_after(admitted, 2 + index), spec, year)
    story.start(local(workday_on_or_after(date(plan.year, 1, 20 + index)), 9, 30), spec.unit, KEY,
                goals.project_code)
    return story, spec


def stories(plan: YearPlan) -> list[Story]:
    """Self-evaluations in February and March, reviews and notices in spring; what is still open at the end
    happened in the last weeks (counted back from the anchor in working days)."""
    at = plan.before

    def on(month: int, day: int, hour: int = 10):
        return local(workday_on_or_after(date(plan.year, month, day)), hour)

    accept = {"review_decision": "accept", "review_opinion": "自评结果属实。"}
    out = []

    s, spec = _story(plan, "desks", 0)  # 优 by itself, chosen for a key evaluation: the firm's experts score
    s.act(on(2, 24), spec.unit, KEY, SELF, _self_evaluation("desks"))
    s.act(at(12, 15), "perf", KEY, REVIEW, {"review_decision": "key", "review_opinion": "资金使用规范，列入重点评价抽查",
                                            "key_reason": "教育装备类项目年度抽查", "draw_seed": f"{plan.year}-KE-01"})
    out.append(s)

    s, spec = _story(plan, "sluices", 1)  # sent back in spring, resubmitted: waiting for the office's review
    s.act(on(3, 3), spec.unit, KEY, SELF, _self_evaluation("sluices"))
    s.act(on(3, 17, 15), "perf", KEY, REVIEW, {"review_decision": "send_back",
                                               "review_opinion": "闸门控制柜返厂维修期间的运行记录请补充说明。"})
    s.act(at(2, 16), spec.unit, KEY, SELF, _self_evaluation("sluices"))
    out.append(s)

    s, spec = _story(plan, "greening", 2)  # 县教育局's 部门评价 良: next year's budget +5%
    s.do(on(2, 10), "edu_head", KEY, _choose("校园绿化提升工程量大、受益面广，列入部门评价"))
    s.act(on(2, 26), spec.unit, KEY, SELF, _self_evaluation("greening"))
    s.act(on(3, 6), "edu_head", KEY, DEPT, {"dept_review": {
        "execution": 9, "output": 42, "benefit": 25, "satisfaction": 8, "findings": "部分苗木延后栽植，养护记录不全",
        "opinion": "绿化主体工程完成较好，请补齐延后栽植的苗木并完善养护台账"}})
    s.act(on(3, 12, 15), "perf", KEY, REVIEW, accept)
    s.act(on(3, 20), "perf", KEY, NOTICE, {"conclusion": "项目完成较好，绩效等次为良。", "problems": "部分苗木延后栽植"})
    out.append(s)

    s, spec = _story(plan, "patrol", 3)  # 中: rectifying under a recent notice, payments suspended
    s.act(on(3, 5), spec.unit, KEY, SELF, _self_evaluation("patrol"))
    s.act(on(3, 24, 15), "perf", KEY, REVIEW, accept)
    s.act(at(10, 10), "perf", KEY, NOTICE, {"conclusion": "项目绩效一般，巡查养护未达计划。", "problems": "巡查频次不足",
                                            "requirements": "充实巡查力量，补齐养护项目，30日内报送整改报告。"})
    out.append(s)

    s, spec = _story(plan, "meters", 4)  # 中: the rectification report waits to be verified
    s.act(on(3, 6), spec.unit, KEY, SELF, _self_evaluation("meters"))
    s.act(on(3, 25, 15), "perf", KEY, REVIEW, accept)
    s.act(at(20, 10), "perf", KEY, NOTICE, {"conclusion": "项目进度滞后，绩效等次为中。", "problems": "安装进度滞后",
                                            "requirements": "加快安装进度，完成数据平台接入后报送整改报告。"})
    s.act(at(3, 15), spec.unit, KEY, RECTIFY, {"measures": "增加安装班组，完成数据平台接入。",
                                               "results": "智能水表全部安装，数据平台接入率100%。", "completion": "已完成"})
    out.append(s)
    return out
