"""重点绩效监控 in the demo year: in September the office selects 农村饮水安全巩固提升 (the largest water project)
and entrusts the third-party firm; its expert records two findings; in October the office asks 县供水站 to
rectify by 30 November — so the unit has the rectification in its inbox and the project page shows the findings."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from server.db import db
from server.models import Project
from server.services.demo_year.calendar import YearPlan, local, workday_on_or_after
from server.services.demo_year.catalogue import MONITORED
from server.services.demo_year.story import DemoYearError, Form, Story

KEY = "key_monitoring"
FINDINGS = [
    {"issue": "管网改造工程款支付滞后于合同节点，支出进度低于时间进度", "evidence": "施工合同及国库支付记录（第2、3期工程款未付）",
     "severity": "较重"},
    {"issue": "已改造管网的漏损率未开展测定，“漏损率下降”指标无数据支撑", "evidence": "现场核查及供水台账", "severity": "一般"},
]


class KeyStory(Story):
    """A story about a project another stage applied for: its code is found by the project's name and year."""

    def __init__(self, name: str, project_name: str, year: int) -> None:
        super().__init__(name)
        self.project_name, self.year = project_name, year

    @property
    def code(self) -> str:
        found = db.session.scalar(select(Project.code).where(Project.name == self.project_name,
                                                             Project.fiscal_year == self.year).limit(1))
        if found is None:
            raise DemoYearError(_("%(story)s：项目尚未申报", story=self.name))
        return found


def stories(plan: YearPlan) -> list[Story]:
    def on(month: int, day: int, hour: int = 10):
        return local(workday_on_or_after(date(plan.year, month, day)), hour)

    story = KeyStory(f"{plan.year}年度重点绩效监控", MONITORED["drinking"].title(plan.year), plan.year)

    def selected(s: Story, _form: Form) -> dict[str, Any]:
        return {"fiscal_year": plan.year, "codes": [s.code]}

    story.batch_start(on(9, 7, 9), "perf", KEY, selected)
    story.act(on(9, 8), "perf", KEY, "确定监控主体",
              {"monitor": "dsf", "monitor_reason": "资金量大、涉及民生，上半年支出进度偏慢"})
    story.act(on(9, 28), "expert1", KEY, "第三方跟踪监控并记录发现",
              {"tracking_summary": "查阅合同、支付凭证和供水台账，现场核查 3 个村组的管网改造。", "findings": FINDINGS})
    story.act(on(10, 9), "perf", KEY, "下达整改要求",
              {"requirements": "按合同节点支付工程款；11 月底前完成已改造管网漏损率测定并报送数据。",
               "rectify_due_date": f"{plan.year}-11-30"})
    return [story]
