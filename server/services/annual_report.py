"""年度预算绩效管理工作开展情况 `/reports/annual/<year>`: the dashboard's figures as the prose and tables a county
writes by hand each year (the seeds' shape: 概况, 事前评估, 目标管理, 运行监控, 绩效评价, 结果应用, 存在问题, 下一步),
as a page and as a Word document. A paragraph is a list of parts, text or (number, project-library query), so the
page links each number to the list that reproduces it; the .docx carries the same words and tables."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from flask_babel import gettext as _

from server.flows.evaluation.dept_selection import Summary
from server.services.dashboard import GRADES, Dashboard
from server.services.dashboard_tables import Table, tables

Part = str | tuple[str, dict[str, Any]]


@dataclass
class Section:
    title: str
    paragraphs: list[list[Part]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def say(self, *parts: Part) -> None:
        self.paragraphs.append(list(parts))


@dataclass
class Report:
    title: str
    dashboard: Dashboard
    sections: list[Section]


def wan(value: Any) -> str:
    """元 as 万元 with two decimals, the unit county reports use."""
    return f"{(Decimal(value or 0) / 10_000):,.2f}"


def pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def build(d: Dashboard, county: str, dept: Summary | None = None) -> Report:
    t = tables(d)
    y, by, ey = d.year, d.budget_year, d.evaluated_year
    c, a, e, p = d.coverage, d.assessment, d.evaluation, d.application
    n = lambda value, args: (str(value), args)  # noqa: E731 - a number and the list that makes it

    overview = Section(_("一、总体情况"))
    overview.say(_("%(y)s年，%(county)s围绕“预算编制有目标、预算执行有监控、预算完成有评价、评价结果有反馈、反馈结果有应用”的"
                   "全过程预算绩效管理链条，完成%(by)s年度预算项目事前绩效评估和绩效目标编审，对%(y)s年度预算项目实施绩效运行"
                   "监控，对%(ey)s年度预算项目开展绩效评价并应用评价结果。", y=y, county=county, by=by, ey=ey))
    overview.say(_("全年纳入项目库的%(by)s年度项目", by=by), n(c.count["in_library"], {"year": by, "stage": "in_library"}),
                 _("个、核定金额%(m)s万元；设定绩效目标的", m=wan(c.money["in_library"])),
                 n(c.count["goals"], {"year": by, "stage": "in_library", "fact": "goals_set"}),
                 _("个；运行监控项目"), n(d.monitored, {"year": y, "fact": "monitored"}),
                 _("个；报送绩效自评的项目"), n(e.count["self_evaluated"], {"year": ey, "fact": "self_evaluated"}), _("个。"))

    ex_ante = Section(_("二、事前绩效评估"), tables=[t["assessment"]])
    ex_ante.say(_("坚持“先评估后入库”，对申请%(by)s年度预算的新增项目开展事前绩效评估，出具评估结论的项目", by=by),
                n(a.count["assessed"], {"year": by, "fact": "assessed"}),
                _("个，申报金额%(r)s万元，审减%(c)s万元，审减率%(rate)s。其中予以支持", r=wan(a.money["assessed"]),
                  c=wan(a.money["cut"]), rate=pct(d.cut_rate)),
                n(a.count["support"], {"year": by, "fact": "support"}), _("个，调整后支持"),
                n(a.count["adjust"], {"year": by, "fact": "adjust"}), _("个，不予支持"),
                n(a.count["reject"], {"year": by, "fact": "reject"}), _("个；另有"),
                n(a.count["assessing"], {"year": by, "fact": "assessing"}), _("个项目正在评估，"),
                n(a.count["exempt"], {"year": by, "fact": "exempt"}), _("个项目按规则免于评估。"))

    goals = Section(_("三、绩效目标管理"), tables=[t["goals"]])
    goals.say(_("按照“谁申请资金，谁编制绩效目标；谁安排资金，谁审核绩效目标”的要求，%(by)s年度入库项目", by=by),
              n(c.count["in_library"], {"year": by, "stage": "in_library"}), _("个中已批复绩效目标的"),
              n(c.count["goals"], {"year": by, "stage": "in_library", "fact": "goals_set"}),
              _("个，覆盖率%(rate)s，涉及资金%(m)s万元；审核中", rate=pct(d.goal_rate), m=wan(c.money["goals"])),
              n(d.goal_stages.count["reviewing"], {"year": by, "stage": "in_library", "goal": "reviewing"}),
              _("个，编制或修改中"), n(d.goal_stages.count["drafting"], {"year": by, "stage": "in_library", "goal": "drafting"}),
              _("个，待编制"), n(d.goal_stages.count["awaiting"], {"year": by, "stage": "in_library", "goal": "awaiting"}),
              _("个。"))

    monitoring = Section(_("四、绩效运行监控"), tables=[t["monitoring"], t["attention"]])
    monitoring.say(_("对%(y)s年度预算项目实行预算执行进度和绩效目标实现程度“双监控”，报送监控报告的项目", y=y),
                   n(d.monitored, {"year": y, "fact": "monitored"}),
                   _("个，全年出现红色、黄色预警%(w)s次，由单位说明偏离原因和纠偏措施，财政业务股室作出纠偏决定。"
                     "10月底支出仍未破零、列入重点关注台账的项目", w=d.warnings),
                   n(d.attention_count, {"year": y, "fact": "attention"}), _("个。"))

    evaluation = Section(_("五、绩效评价"), tables=[t["evaluation"]])
    grades = "、".join(f"{g}{e.count[f'self:{g}']}个" for g in GRADES)
    key_grades = "、".join(f"{g}{e.count[f'key:{g}']}个" for g in GRADES)
    evaluation.say(_("对%(ey)s年度预算项目开展绩效自评，报送自评的项目", ey=ey),
                   n(e.count["self_evaluated"], {"year": ey, "fact": "self_evaluated"}),
                   _("个，自评等次为%(g)s。财政选取", g=grades),
                   n(e.count["key_evaluated"], {"year": ey, "fact": "key_evaluated"}),
                   _("个项目委托第三方开展重点评价，已评定等次的为%(g)s。", g=key_grades))
    if dept is not None and dept.projects:  # seed 001: 共有 10个部门开展了部门评价工作，评价资金额 1.28亿元
        evaluation.say(_("积极推进部门评价，"), (str(dept.departments), {"href": f"/dept-evaluations?year={ey}"}),
                       _("个部门开展部门评价，评价项目%(n)s个，评价资金%(m)s万元。", n=dept.projects, m=wan(dept.money)))

    application = Section(_("六、评价结果应用"), tables=[t["application"], t["rectification"]])
    application.say(_("评价结果以书面通知反馈单位并按规则表应用于预算安排：调增预算"),
                    n(p.count["increase"], {"year": ey, "fact": "increase"}),
                    _("个项目、%(m)s万元，调减预算", m=wan(p.money["increase"])),
                    n(p.count["decrease"], {"year": ey, "fact": "decrease"}),
                    _("个项目、%(m)s万元，暂缓拨付", m=wan(-p.money["decrease"])),
                    n(p.count["suspended"], {"year": ey, "fact": "suspended"}),
                    _("个项目。整改中"), n(e.count["status:rectifying"], {"year": ey, "fact": "rectifying"}),
                    _("个，整改到位"), n(e.count["status:rectified"], {"year": ey, "fact": "rectified"}),
                    _("个，整改不到位"), n(e.count["status:unrectified"], {"year": ey, "fact": "unrectified"}), _("个。"))

    problems = Section(_("七、存在问题"), tables=[t["late"], t["overdue"]])
    waiting = c.count["in_library"] - c.count["goals"]
    if waiting:
        problems.say(_("一是部分项目绩效目标尚未批复，%(n)s个入库项目仍在编制、审核中或未通过审核（入库", n=waiting),
                     n(c.count["in_library"], {"year": by, "stage": "in_library"}), _("个，已批复"),
                     n(c.count["goals"], {"year": by, "stage": "in_library", "fact": "goals_set"}), _("个）。"))
    if d.warnings:
        problems.say(_("二是预算执行和目标实现存在偏离，全年预警%(w)s次，", w=d.warnings),
                     n(d.attention_count, {"year": y, "fact": "attention"}), _("个项目10月底仍未破零。"))
    if d.late_units or d.overdue_units:
        problems.say(_("三是部分单位办理不及时，当前有%(u)s个单位存在逾期未办事项，%(o)s个单位整改逾期。",
                       u=len(d.late_units), o=len(d.overdue_units)))
    if not problems.paragraphs:
        problems.say(_("本年度各环节均按期完成，未发现突出问题。"))

    next_steps = Section(_("八、下一步工作"))
    next_steps.say(_("一是督促尚未批复绩效目标的项目尽快完成编审，未设置绩效目标的一律不得安排资金；二是对预警和重点关注项目"
                     "跟踪纠偏，年底确实无法支付的资金及时收回统筹；三是对整改中的项目跟踪核查，确保整改到位，并将评价结果"
                     "应用于%(next)s年度预算安排。", next=by + 1))

    return Report(_("%(county)s%(y)s年度预算绩效管理工作开展情况", county=county, y=y), d,
                  [overview, ex_ante, goals, monitoring, evaluation, application, problems, next_steps])


def text_of(paragraph: list[Part]) -> str:
    return "".join(part if isinstance(part, str) else part[0] for part in paragraph)


def _font(run: Any, size: float, bold: bool = False) -> None:
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, "SimSun"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")


def docx_bytes(report: Report) -> bytes:
    """The report as a Word document: the title, each section's paragraphs and tables (money in 万元)."""
    doc = Document()
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(report.title), 16, bold=True)
    for section in report.sections:
        _font(doc.add_paragraph().add_run(section.title), 14, bold=True)
        for paragraph in section.paragraphs:
            para = doc.add_paragraph()
            para.paragraph_format.first_line_indent = Pt(24)
            _font(para.add_run(text_of(paragraph)), 12)
        for table in section.tables:
            _font(doc.add_paragraph().add_run(table.title), 12, bold=True)
            grid = doc.add_table(rows=1, cols=len(table.columns))
            grid.style = "Table Grid"
            for cell, column in zip(grid.rows[0].cells, table.columns, strict=True):
                cell.text = column.header.replace("（元）", "（万元）")
            for row in table.rows:
                cells = grid.add_row().cells
                for cell, value, column in zip(cells, row, table.columns, strict=True):
                    cell.text = "—" if value is None else wan(value) if column.yuan else str(value)
            if not table.rows:
                grid.add_row().cells[0].text = _("无")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
