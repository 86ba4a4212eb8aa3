"""绩效目标编审 (workflows/goal_review) and 目标调整 (workflows/goal_adjust) in the demo year: goal approval
for the monitored projects, next year's goal tables in every stage of review, and adjustment requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from server.flows.ex_ante import demo as ex_ante
from server.services.demo_year.calendar import YearPlan, local, workdays_after
from server.services.demo_year.catalogue import GOALS
from server.services.demo_year.filings import ProjectSpec, goal_table, vague_goal_table
from server.services.demo_year.story import Form, Story

REVIEW, ADJUST = "goal_review", "goal_adjust"
FILL, DEPT, FINANCE = "填报绩效目标申报表", "主管部门审核绩效目标", "财政审核绩效目标"
FIX, CONFIRM = "按审核意见完善绩效目标", "确认绩效目标修改"
ADJUST_FILL, ADJUST_REVIEW = "填报绩效目标调整申请", "财政审核绩效目标调整"
FINANCE_USER = {"教育": "fin_edu", "水利": "fin_agri"}
DEPT_PASS = {"dept_decision": "pass", "dept_opinion": "绩效目标与项目内容相符，指标量化，同意报送财政。"}
EXCELLENT = {"grade": "优", "finance_opinion": "目标明确，指标细化量化，与预算相匹配。"}


def project_code(story: Story, _form: Form) -> dict[str, Any]:
    return {"project_code": story.code}


def start(story: Story, at: datetime, spec: ProjectSpec, key: str = REVIEW) -> None:
    story.start(at, spec.unit, key, project_code)


def fill(story: Story, at: datetime, spec: ProjectSpec, year: int, table: dict | None = None) -> None:
    story.act(at, spec.unit, REVIEW, FILL, table or goal_table(spec, year))


def dept(story: Story, at: datetime, spec: ProjectSpec) -> None:
    story.act(at, ex_ante.DEPT_HEAD[spec.sector], REVIEW, DEPT, DEPT_PASS)


def grade(story: Story, at: datetime, spec: ProjectSpec, data: dict[str, Any]) -> None:
    story.act(at, FINANCE_USER[spec.sector], REVIEW, FINANCE, data)


def approve(story: Story, day: date, spec: ProjectSpec, year: int) -> date:
    """Goals drafted from `day`, passed by the department, graded 优 by finance. Returns the approval day."""
    start(story, local(day, 9, 10), spec)
    fill(story, local(day, 11, 20), spec, year)
    dept(story, local(workdays_after(day, 2), 15, 30), spec)
    grade(story, local(workdays_after(day, 5), 10, 40), spec, EXCELLENT)
    return workdays_after(day, 5)


def fill_adjustment(story: Story, at: datetime, spec: ProjectSpec, reasons: str, pace: float = 0.85) -> None:
    """The unit fills the adjustment request a finance decision opened for it: the output target lowered to
    what the year can still deliver (the finance section decides), and the annual goal restating it — a goal
    text still promising the old figure would contradict its own table (the quality check says so)."""

    def table(_story: Story, prefilled: Form) -> dict[str, Any]:
        form = prefilled()
        rows = [dict(r) for r in form.get("indicators") or []]
        annual = str(form.get("annual_goal") or "")
        if rows:
            old, unit = rows[0]["value"], rows[0].get("unit") or ""
            rows[0]["value"] = str(int(float(old) * pace))
            annual = annual.replace(f"{old}{unit}", f"{rows[0]['value']}{unit}")
        return {key: form.get(key) for key in ("contact", "long_term_goal")} | {
            "annual_goal": annual, "indicators": rows, "adjust_reasons": reasons}

    story.act(at, spec.unit, ADJUST, ADJUST_FILL, table)


def stories(plan: YearPlan) -> list[Story]:
    """Next year's goal tables (continuing projects below the assessment threshold enter the library at once)."""
    year, at = plan.budget_year, plan.before
    out: list[Story] = []

    def story(key: str, applied: int, started: int) -> tuple[Story, ProjectSpec]:
        spec = GOALS[key]
        s = Story(spec.title(year))
        ex_ante.apply(s, at(applied, 9, 15), spec, year)
        start(s, at(started, 9, 45), spec)
        out.append(s)
        return s, spec

    s, spec = story("teachers", 30, 28)  # 优: approved
    fill(s, at(28, 14), spec, year)
    dept(s, at(25, 10), spec)
    grade(s, at(21, 15), spec, EXCELLENT)

    s, spec = story("recruit", 29, 27)  # 良: fixes agreed, approved
    fill(s, at(27, 15), spec, year)
    dept(s, at(24, 11), spec)
    grade(s, at(20, 10), spec, {"grade": "良", "finance_opinion": "目标基本合理。",
                                "fixes": "双师型教师占比指标请写明认定标准。"})
    s.act(at(18, 16), spec.unit, REVIEW, FIX, goal_table(spec, year))
    s.act(at(16, 10), FINANCE_USER[spec.sector], REVIEW, CONFIRM, {"fix_decision": "agree",
                                                                 "fix_opinion": "已按审核意见完善。"})

    s, spec = story("buses", 26, 24)  # 差: may not enter the budget
    fill(s, at(24, 16), spec, year)
    dept(s, at(22, 10), spec)
    grade(s, at(18, 14), spec, {"grade": "差", "finance_opinion": "绩效目标与校车运营补助内容脱节。",
                                "fixes": "补助对象、标准和安全运营目标均未体现。"})

    s, spec = story("library", 22, 20)  # 中: back to the unit to revise
    fill(s, at(20, 15), spec, year)
    dept(s, at(17, 10), spec)
    grade(s, at(12, 11), spec, {"grade": "中", "finance_opinion": "效益指标与藏书更新关联不强。",
                                "fixes": "请补充图书借阅量等反映使用效益的指标。"})

    s, spec = story("quality", 20, 18)  # 良: the unit is making the agreed fixes
    fill(s, at(18, 14), spec, year)
    dept(s, at(15, 10), spec)
    grade(s, at(7, 15), spec, {"grade": "良", "finance_opinion": "目标基本合理。",
                               "fixes": "水质检测样本数请按水厂和检测频次分别测算。"})

    s, spec = story("operation", 15, 12)  # with the finance section (fin_agri)
    fill(s, at(12, 15), spec, year)
    dept(s, at(6, 11), spec)

    s, spec = story("insurance", 14, 10)  # with the finance section (fin_edu)
    fill(s, at(10, 14), spec, year)
    dept(s, at(4, 16), spec)

    s, spec = story("afterschool", 10, 6)  # with the department (edu_head)
    fill(s, at(2, 10), spec, year)

    s, spec = story("stewardship", 9, 5)  # with the department (water_head)
    fill(s, at(1, 11), spec, year)

    s, spec = story("floods", 8, 3)  # a draft the quality check sent back to the unit with warnings
    fill(s, at(1, 15), spec, year, vague_goal_table(spec))
    return out
