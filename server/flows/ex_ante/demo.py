"""先评估后入库 (workflows/ex_ante) in the demo year: the steps of an application, a supported admission for
the other stages' projects, and next year's applications left in every stage of the assessment."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from server.services.demo_year.calendar import YearPlan, local, workdays_after
from server.services.demo_year.catalogue import APPLYING
from server.services.demo_year.filings import ProjectSpec, application
from server.services.demo_year.story import Story

KEY = "ex_ante"
FILL, SELF, DEPT = "填报项目入库申报书", "单位事前绩效自评", "主管部门审核"
PICK, SCORE, OFFICE = "选定评审专家", "专家评审打分", "财政事前绩效评估"
DEPT_HEAD = {"教育": "edu_head", "水利": "water_head"}
PANEL = ["expert1", "expert2"]

SELF_SCORES = {"self_necessity": 19, "self_economy": 16, "self_goals": 17, "self_feasibility": 18,
               "self_compliance": 20, "self_opinion": "项目立项依据充分，实施方案可行，预算测算合理，申请予以支持。"}
OFFICE_SCORES = {"office_necessity": 18, "office_economy": 15, "office_goals": 16, "office_feasibility": 17,
                 "office_compliance": 19}
DEPT_PASS = {"dept_decision": "pass", "dept_opinion": "项目符合本部门发展规划，资料齐全，同意报送财政。"}


def apply(story: Story, at: datetime, spec: ProjectSpec, year: int, **kw) -> None:
    story.start(at, spec.unit, KEY)
    story.act(at + timedelta(minutes=25), spec.unit, KEY, FILL, application(spec, year, **kw))


def self_assess(story: Story, at: datetime, spec: ProjectSpec, *, optional: bool = False) -> None:
    story.act(at, spec.unit, KEY, SELF, SELF_SCORES, optional=optional)


def dept_review(story: Story, at: datetime, spec: ProjectSpec, data: dict | None = None, *,
                optional: bool = False) -> None:
    story.act(at, DEPT_HEAD[spec.sector], KEY, DEPT, data or DEPT_PASS, optional=optional)


def expert_score(story: Story, at: datetime, who: str, score: int, recommendation: str, opinion: str, *,
                 optional: bool = False) -> None:
    review = {"necessity": score, "economy": score - 3, "goals": score - 2, "feasibility": score - 1,
              "compliance": min(score + 1, 20), "recommendation": recommendation, "opinion": opinion}
    story.act(at, who, KEY, SCORE, {"expert_review": review}, optional=optional)


def office(story: Story, at: datetime, conclusion: str, opinion: str, *, optional: bool = False,
           **extra) -> None:
    data = {**OFFICE_SCORES, "conclusion": conclusion, "office_opinion": opinion, **extra}
    story.act(at, "perf", KEY, OFFICE, data, optional=optional)


def admit(story: Story, day: date, spec: ProjectSpec, year: int) -> date:
    """Apply on `day` and walk whatever assessment the rule tables ask for to 予以支持. Returns the day the
    project is in the library. Steps the rules skip (an exempt project, no panel for an ordinary one) are
    simply not offered, so they are optional here."""
    apply(story, local(day, 9, 30), spec, year)
    self_assess(story, local(workdays_after(day, 1), 10), spec, optional=True)
    dept_review(story, local(workdays_after(day, 2), 15), spec, optional=True)
    story.act(local(workdays_after(day, 3), 10), "perf", KEY, PICK, {"experts": PANEL}, optional=True)
    for i, who in enumerate(PANEL):
        expert_score(story, local(workdays_after(day, 5 + i), 14), who, 18, "support", "立项必要，方案可行。",
                     optional=True)
    office(story, local(workdays_after(day, 8), 16), "support", "予以支持，纳入项目库。", optional=True)
    return workdays_after(day, 8)


def stories(plan: YearPlan) -> list[Story]:
    """Next year's applications, counted back from the anchor in working days."""
    year, at = plan.budget_year, plan.before
    spec = APPLYING
    out: list[Story] = []

    def story(key: str, applied: int) -> Story:
        s = Story(spec[key].title(year))
        apply(s, at(applied, 9, 40), spec[key], year)
        out.append(s)
        return s

    story("dorm", 2)  # waiting for the unit's self-assessment

    s = story("base", 3)  # waiting for the department (edu_head)
    self_assess(s, at(1, 10, 30), spec["base"])
    s = story("pipes", 3)  # waiting for the department (water_head)
    self_assess(s, at(2, 11), spec["pipes"])
    s = story("cameras", 9)  # the department sat on it: escalated to the performance office (督办)
    self_assess(s, at(8, 10), spec["cameras"])

    s = story("pumps", 9)  # waiting for the performance office
    self_assess(s, at(8, 15), spec["pumps"])
    dept_review(s, at(6, 10), spec["pumps"])

    s = story("reservoir", 12)  # major: with the expert panel, one expert still scoring
    self_assess(s, at(11, 10), spec["reservoir"])
    dept_review(s, at(9, 16), spec["reservoir"])
    s.act(at(6, 10), "perf", KEY, PICK, {"experts": PANEL})
    expert_score(s, at(2, 15), "expert2", 17, "adjust", "大坝防渗方案可行，但临时工程费用偏高，建议核减。")

    s = story("labs", 25)  # major: panel, then 调整后支持 with a cut
    self_assess(s, at(24, 10), spec["labs"])
    dept_review(s, at(22, 15), spec["labs"])
    s.act(at(20, 10), "perf", KEY, PICK, {"experts": PANEL})
    expert_score(s, at(15, 14), "expert1", 18, "adjust", "实验设备单价高于市场询价，建议核减。")
    expert_score(s, at(13, 11), "expert2", 17, "support", "建设内容符合省定标准。")
    office(s, at(10, 16), "adjust", "调整后支持", reasons="部分实验设备单价高于市场询价，按询价结果核减。",
           approved_amount=1280000)

    s = story("ev", 20)  # 予以支持
    self_assess(s, at(19, 10), spec["ev"])
    dept_review(s, at(17, 15), spec["ev"])
    office(s, at(12, 11), "support", "予以支持，纳入项目库。")

    s = story("ponds", 18)  # 不予支持
    self_assess(s, at(17, 10), spec["ponds"])
    dept_review(s, at(15, 15), spec["ponds"])
    office(s, at(9, 11), "reject", "不予支持", reasons="需求不迫切，清淤范围与去年项目重叠，项目不成熟。")

    s = story("hall", 12)  # the department sent it back: the unit is revising its application
    self_assess(s, at(11, 10), spec["hall"])
    dept_review(s, at(9, 16), spec["hall"], {"dept_decision": "send_back",
                                             "dept_opinion": "选址与校园规划不符，预算测算依据不足，请补充后重报。"})
    return out
