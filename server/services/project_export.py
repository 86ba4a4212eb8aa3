"""The project page's tables as one .xlsx, a sheet per table in the page's order (goal versions, the approved
indicators, monitoring by month, corrections, the key-attention ledger, evaluations, rectifications, budget
adjustments, suspensions, attachments, flows). Built from the same story the page shows, so the scope is the
page's: out of scope is not found before anything is written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from server.clock import COUNTY_TZ
from server.services.project_story import LABELS, ProjectStory, story_label
from server.services.task_page import label
from server.services.xlsx_export import Column, Sheet, stream_sheets


def _word(group: str, code: Any) -> str:
    return story_label(group, code) if group in LABELS else label(group, code)


def _day(value: datetime | None) -> str | None:
    return value.astimezone(COUNTY_TZ).strftime("%Y-%m-%d") if value else None


def _money(title: str) -> Column:
    return Column(title, 16, yuan=True)


def project_xlsx(story: ProjectStory) -> Iterator[bytes]:
    g = story.approved
    evaluations = [e.evaluation for e in story.evaluations]
    sheets = [
        Sheet(_("绩效目标版本"), [Column(_("版本"), 8), Column(_("状态"), 12), Column(_("报审轮次"), 10),
                                  Column(_("审核等次"), 10), Column(_("批复日期"), 12), Column(_("调整理由"), 40)],
              [(v.version, _word("goal_version_status", v.status), v.round, v.grade, _day(v.approved_at),
                v.adjust_reasons) for v in story.goals]),
        Sheet(_("已批复绩效指标"), [Column(_("一级指标"), 10), Column(_("二级指标"), 14), Column(_("三级指标"), 30),
                                    Column(_("符号"), 6), Column(_("指标值"), 16), Column(_("计量单位"), 10),
                                    Column(_("设定依据"), 10), Column(_("权重"), 8)],
              [(r.level1, r.level2, r.name, r.operator, r.value, r.unit, r.basis, r.weight)
               for r in (g.indicators if g else [])]),
        Sheet(_("运行监控"), [Column(_("报告期"), 10), _money(_("预算（元）")), _money(_("累计支出（元）")),
                              Column(_("支出进度（%）"), 12), Column(_("时间进度（%）"), 12),
                              Column(_("预算执行率（%）"), 14), Column(_("执行"), 8), Column(_("目标进度（%）"), 12),
                              Column(_("目标"), 8), Column(_("综合"), 8)],
              [(f"{m.year}-{m.month:02d}", m.budget, m.spent, m.spent_share, m.time_share, m.execution_ratio,
                _word("colour_short", m.execution_colour), m.goal_share, _word("colour_short", m.goal_colour),
                _word("colour_short", m.colour)) for m in story.months]),
        Sheet(_("纠偏"), [Column(_("日期"), 12), Column(_("处理"), 16), _money(_("金额（元）")), Column(_("意见"), 50)],
              [(_day(c.created_at), _word("correction", c.kind), c.amount, c.opinion) for c in story.corrections]),
        Sheet(_("重点关注台账"), [Column(_("年度"), 8), Column(_("原因"), 50), Column(_("列入日期"), 12)],
              [(k.fiscal_year, k.reason, _day(k.created_at)) for k in story.ledger]),
        Sheet(_("绩效评价"), [Column(_("年度"), 8), Column(_("状态"), 12), _money(_("全年预算数（元）")),
                              _money(_("全年执行数（元）")), Column(_("自评得分"), 10), Column(_("自评等次"), 10),
                              Column(_("重点评价"), 10), Column(_("评价得分"), 10), Column(_("评价等次"), 10),
                              Column(_("评价结论"), 40)],
              [(e.fiscal_year, _word("evaluation_status", e.status), e.budget, e.spent, e.self_score, e.self_grade,
                _("是") if e.key_selected else _("否"), e.score, e.grade, e.conclusion) for e in evaluations]),
        Sheet(_("整改"), [Column(_("评价年度"), 10), Column(_("第几次"), 8), Column(_("报送期限"), 12),
                          Column(_("完成情况"), 10), Column(_("整改措施"), 40), Column(_("核查结论"), 12),
                          Column(_("核查意见"), 40)],
              [(e.fiscal_year, r.round, _day(r.due_at), r.completion, r.measures,
                _word("rectify_decision", r.decision) if r.decision else None, r.opinion)
               for e in evaluations for r in e.rectifications]),
        Sheet(_("预算调整"), [Column(_("日期"), 12), Column(_("年度"), 8), Column(_("类型"), 14),
                              _money(_("金额（元）")), Column(_("理由"), 40), Column(_("来源"), 16)],
              [(_day(x.created_at), x.fiscal_year, _word("adjustment", x.kind), x.amount, x.reason,
                _word("flow", x.source_flow)) for x in story.adjustments]),
        Sheet(_("暂缓拨付"), [Column(_("开始"), 12), Column(_("原因"), 40), Column(_("解除"), 12),
                              Column(_("解除理由"), 40)],
              [(_day(s.since), s.reason, _day(s.lifted_at), s.lift_reason) for s in story.suspensions]),
        Sheet(_("附件"), [Column(_("名称"), 36), Column(_("大小（字节）"), 14), Column(_("上传时间"), 12),
                          Column(_("公开"), 8)],
              [(a.name, a.size, _day(a.created_at), _("是") if a.public else _("否")) for a in story.files]),
        Sheet(_("相关流程"), [Column(_("流程编号"), 10), Column(_("流程"), 20), Column(_("状态"), 10),
                              Column(_("开始"), 12), Column(_("结束"), 12)],
              [(i.id, i.flow, _word("instance_status", i.status), _day(i.created_at), _day(i.completed_at))
               for i in story.instances]),
    ]
    return stream_sheets(sheets)
