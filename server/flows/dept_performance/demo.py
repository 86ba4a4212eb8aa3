"""部门整体绩效 in the demo year: 县教育局 sets its goals for the budget year being prepared, is sent back once
(a goal that only says “按计划完成”) and approved 良; the evaluation then waits for that year to end."""

from __future__ import annotations

import copy
from typing import Any

from server.services.demo_year.calendar import YearPlan
from server.services.demo_year.story import Story

KEY = "dept_performance"
FILL, REVIEW = "填报部门整体绩效目标", "财政审核部门整体绩效目标"
INDICATORS: list[dict[str, Any]] = [
    {"level1": "产出", "level2": "数量", "name": "义务教育学校标准化建设完成数", "operator": "≥", "value": "12",
     "unit": "所", "basis": "计划标准", "weight": 30},
    {"level1": "产出", "level2": "质量", "name": "义务教育巩固率", "operator": "≥", "value": "98", "unit": "%",
     "basis": "历史标准", "weight": 20},
    {"level1": "产出", "level2": "时效", "name": "秋季学期学生资助发放", "operator": "定性", "value": "11月底前足额发放到位",
     "unit": "", "basis": "计划标准", "weight": 10},
    {"level1": "效益", "level2": "社会效益", "name": "适龄儿童入学率", "operator": "=", "value": "100", "unit": "%",
     "basis": "行业标准", "weight": 20},
    {"level1": "满意度", "level2": "服务对象满意度", "name": "学生家长满意度", "operator": "≥", "value": "90", "unit": "%",
     "basis": "历史标准", "weight": 20},
]


def goal_table(year: int, annual_goal: str | None = None) -> dict[str, Any]:
    return {
        "functions": "贯彻执行教育方针政策，统筹管理全县学前教育、义务教育和普通高中教育，负责教育经费和学生资助管理。",
        "work_plan": f"{year}年完成12所义务教育学校标准化建设，落实学生资助政策，巩固义务教育普及成果。",
        "annual_goal": annual_goal or (f"{year}年完成12所学校标准化建设，义务教育巩固率不低于98%，适龄儿童全部入学，"
                                       "家长满意度不低于90%。"),
        "indicators": copy.deepcopy(INDICATORS),
    }


def stories(plan: YearPlan) -> list[Story]:
    year, at = plan.budget_year, plan.before
    story = Story(f"县教育局 {year} 年度部门整体绩效目标")
    story.start(at(30, 9, 0), "edu_head", KEY, {"fiscal_year": year})
    story.act(at(29, 10, 30), "edu_head", KEY, FILL, goal_table(year, "按计划完成"))
    story.act(at(27, 15, 0), "fin_edu", KEY, REVIEW,
              {"goal_grade": "中", "review_opinion": "年度目标只写了“按计划完成”，请写明全年要达到的产出和效果。"})
    story.act(at(25, 11, 0), "edu_head", KEY, FILL, goal_table(year))
    story.act(at(22, 10, 0), "fin_edu", KEY, REVIEW, {"goal_grade": "良", "review_opinion": "目标与职责、计划相符，指标量化，予以批复。"})
    return [story]
