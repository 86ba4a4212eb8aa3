"""部门整体绩效 in the demo year: 县教育局's previous year played whole (goals approved 优, monitored at the end
of July with school construction lagging — red — so 教科文股 asks for corrective measures, reads them and accepts;
self-evaluated, evaluated 良 by the office: next year's 公用经费 +5%), and its goals for the budget year
being prepared, sent back once (a goal that only says “按计划完成”) and approved 良, waiting for that year."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from server.services.demo_year.calendar import YearPlan, local, workday_on_or_after
from server.services.demo_year.story import Form, Story

KEY = "dept_performance"
FILL, REVIEW = "填报部门整体绩效目标", "财政审核部门整体绩效目标"
MONITOR, SELF, OFFICE = "部门整体绩效运行监控", "部门整体绩效自评", "财政评价部门整体支出绩效"
FOLLOW_UP, CORRECT = "部门整体绩效监控纠偏", "报送部门整体绩效纠偏措施"
MONITORED = {"义务教育学校标准化建设完成数": "4", "义务教育巩固率": "97.6", "秋季学期学生资助发放": "达成",
             "适龄儿童入学率": "100", "学生家长满意度": "91"}
DEVIATIONS = {"义务教育学校标准化建设完成数": "3 所学校用地手续延误，开工推迟两个月；已协调自然资源局加快办理，9 月全面开工",
              "义务教育巩固率": "部分学生随父母外出务工转学，已逐一核实劝返"}
ACTUAL = {"义务教育学校标准化建设完成数": "12", "义务教育巩固率": "97.8", "秋季学期学生资助发放": "达成",
          "适龄儿童入学率": "100", "学生家长满意度": "92"}
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


def _monitor(_story: Story, prefilled: Form) -> dict[str, Any]:
    rows = [dict(r) for r in prefilled().get("monitor_rows") or []]
    for r in rows:
        r["current_value"] = MONITORED.get(r["name"], r["target"])
        r["deviation"] = DEVIATIONS.get(r["name"], "")
    return {"monitor_rows": rows, "monitor_summary": "标准化建设因用地手续滞后（7 月底完成 4 所）；巩固率略低于目标，已采取劝返措施。"}


def _self(_story: Story, prefilled: Form) -> dict[str, Any]:
    rows = [dict(r) for r in prefilled().get("self_rows") or []]
    for r in rows:
        r["actual_value"] = ACTUAL.get(r["name"], r["target"])
        if r["operator"] == "定性":
            r["degree"] = 95
        r["deviation_reason"] = "部分学生随父母外出务工转学" if r["name"] == "义务教育巩固率" else ""
    return {"self_rows": rows, "self_summary": "全年目标基本完成；义务教育巩固率 97.8%，略低于 98% 的目标，已建立控辍保学台账。"}


def previous_year(plan: YearPlan) -> Story:
    """The year before the demo year, from goals to the budget effect."""
    year = plan.year - 1

    def on(y: int, month: int, day: int, hour: int = 9, minute: int = 0):
        return local(workday_on_or_after(date(y, month, day)), hour, minute)

    story = Story(f"县教育局 {year} 年度部门整体绩效")
    story.start(on(year - 1, 11, 10), "edu_head", KEY, {"fiscal_year": year})
    story.act(on(year - 1, 11, 11, 10), "edu_head", KEY, FILL, goal_table(year))
    story.act(on(year - 1, 11, 18, 15), "fin_edu", KEY, REVIEW, {"goal_grade": "优", "review_opinion": "目标与职责、计划相符，指标细化量化，予以批复。"})
    story.act(on(year, 8, 5, 10), "edu_head", KEY, MONITOR, _monitor)  # red: 4 of 12 schools after 7 months
    story.act(on(year, 8, 7, 15), "fin_edu", KEY, FOLLOW_UP, {
        "follow_up_decision": "correct", "follow_up_opinion": "标准化建设进度严重滞后，请提出确保年底完成 12 所的具体措施。",
        "correction_due_date": date(year, 8, 21).isoformat()})
    story.act(on(year, 8, 14, 10), "edu_head", KEY, CORRECT, {
        "correction_measures": "与施工单位签订赶工协议，10 月底前再完工 5 所、11 月底前全部完工并验收；每月向教科文股报送进度。"})
    story.act(on(year, 8, 18, 15), "fin_edu", KEY, FOLLOW_UP, {
        "follow_up_decision": "accept", "follow_up_opinion": "纠偏措施具体可行，继续执行，年底自评时核实。"})
    story.act(on(year + 1, 1, 12, 10), "edu_head", KEY, SELF, _self)
    story.act(on(year + 1, 2, 16, 15), "perf", KEY, OFFICE, {"office_score": 86.5, "public_funds": 1180000,
                                                             "office_opinion": "部门整体绩效目标基本完成，控辍保学仍需加强。"})
    return story


def stories(plan: YearPlan) -> list[Story]:
    year, at = plan.budget_year, plan.before
    story = Story(f"县教育局 {year} 年度部门整体绩效目标")
    story.start(at(30, 9, 0), "edu_head", KEY, {"fiscal_year": year})
    story.act(at(29, 10, 30), "edu_head", KEY, FILL, goal_table(year, "按计划完成"))
    story.act(at(27, 15, 0), "fin_edu", KEY, REVIEW,
              {"goal_grade": "中", "review_opinion": "年度目标只写了“按计划完成”，请写明全年要达到的产出和效果。"})
    story.act(at(25, 11, 0), "edu_head", KEY, FILL, goal_table(year))
    story.act(at(22, 10, 0), "fin_edu", KEY, REVIEW, {"goal_grade": "良", "review_opinion": "目标与职责、计划相符，指标量化，予以批复。"})
    return [previous_year(plan), story]
