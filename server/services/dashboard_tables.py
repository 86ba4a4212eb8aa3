"""The dashboard's figures as tables, once, for the page, the .xlsx exports and the annual report's .docx: each
row's cells with, where a cell counts projects, the project-library query that lists them (so a number on any of
the three is one click from the list that makes it). Money in 元."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from server.services.dashboard import COLOURS, GRADES, MONTHS, Dashboard
from server.services.project_library import COLOUR_WORDS
from server.services.xlsx_export import Column, stream_xlsx

GOAL_STAGES = ("awaiting", "drafting", "reviewing", "approved", "adjusting", "refused")


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    links: list[dict[int, dict[str, Any]]] = field(default_factory=list)  # per row: column -> /projects args

    def add(self, cells: list[Any], links: dict[int, dict[str, Any]] | None = None) -> None:
        self.rows.append(cells)
        self.links.append(links or {})


def _money(title: str) -> Column:
    return Column(title, 18, yuan=True)


def tables(d: Dashboard) -> dict[str, Table]:
    from server.services.task_page import label

    y, by, ey = d.year, d.budget_year, d.evaluated_year
    out: dict[str, Table] = {}

    t = out["goals"] = Table("goals", _("绩效目标编审（%(y)s年度预算项目）", y=by),
                             [Column(_("目标状态"), 20), Column(_("项目数"), 10), _money(_("核定金额（元）"))])
    for stage in GOAL_STAGES:
        t.add([label("goal_status", stage), d.goal_stages.count[stage], d.goal_stages.money[stage]],
              {1: {"year": by, "stage": "in_library", "goal": stage}})
    t.add([_("已入库合计"), d.coverage.count["in_library"], d.coverage.money["in_library"]],
          {1: {"year": by, "stage": "in_library"}})

    t = out["assessment"] = Table("assessment", _("事前绩效评估（%(y)s年度预算项目）", y=by),
                                  [Column(_("评估情况"), 20), Column(_("项目数"), 10), _money(_("申报金额（元）")),
                                   _money(_("核定金额（元）"))])
    a = d.assessment
    for fact, words in (("support", _("予以支持")), ("adjust", _("调整后支持")), ("reject", _("不予支持"))):
        t.add([words, a.count[fact], None, a.money[fact]], {1: {"year": by, "fact": fact}})
    t.add([_("已出具结论合计"), a.count["assessed"], a.money["assessed"], a.money["assessed"] - a.money["cut"]],
          {1: {"year": by, "fact": "assessed"}})
    t.add([_("评估中"), a.count["assessing"], a.money["assessing"], None], {1: {"year": by, "fact": "assessing"}})
    t.add([_("免于评估"), a.count["exempt"], a.money["exempt"], None], {1: {"year": by, "fact": "exempt"}})

    t = out["monitoring"] = Table("monitoring", _("运行监控预警（%(y)s年度，按领域和月份）", y=y),
                                  [Column(_("领域"), 12), Column(_("月份"), 8)]
                                  + [Column(str(COLOUR_WORDS[c]), 8) for c in COLOURS])
    for sector in sorted(d.sector_months):
        for month in MONTHS:
            counts = d.sector_months[sector][month]
            if not sum(counts.values()):
                continue
            t.add([sector or "—", month, *(counts[c] for c in COLOURS)],
                  {2 + i: {"year": y, "sector": sector or None, "month": f"{y}-{month:02d}", "colour": c}
                   for i, c in enumerate(COLOURS) if counts[c]})

    t = out["attention"] = Table("attention", _("重点关注台账（%(y)s年度）", y=y),
                                 [Column(_("项目编码"), 18), Column(_("项目名称"), 36), Column(_("单位"), 24),
                                  Column(_("领域"), 10), _money(_("预算（元）")), Column(_("列入原因"), 28)])
    if d.attention_count > len(d.attention):
        t.title += _("（列出前%(n)s个，共%(total)s个）", n=len(d.attention), total=d.attention_count)
    for r in d.attention:
        t.add([r.code, r.name, r.organisation, r.sector, r.budget, r.reason], {1: {"project": r.id}})

    t = out["evaluation"] = Table("evaluation", _("绩效评价等次（%(y)s年度项目）", y=ey),
                                  [Column(_("等次"), 10), Column(_("单位自评"), 10), Column(_("财政重点评价"), 12)])
    e = d.evaluation
    for g in GRADES:
        t.add([g, e.count[f"self:{g}"], e.count[f"key:{g}"]],
              {1: {"year": ey, "fact": "self_evaluated", "grade": g}, 2: {"year": ey, "fact": "key_evaluated", "grade": g}})
    t.add([_("合计"), e.count["self_evaluated"], e.count["key_evaluated"]],
          {1: {"year": ey, "fact": "self_evaluated"}, 2: {"year": ey, "fact": "key_evaluated"}})

    t = out["rectification"] = Table("rectification", _("评价结果整改（%(y)s年度项目）", y=ey),
                                     [Column(_("整改情况"), 16), Column(_("项目数"), 10)])
    for fact, words in (("rectifying", _("整改中")), ("rect_overdue", _("其中逾期未报")), ("rectified", _("整改到位")),
                        ("unrectified", _("整改不到位"))):
        n = e.count["rect_overdue"] if fact == "rect_overdue" else e.count[f"status:{fact}"]
        t.add([words, n], {1: {"year": ey, "fact": fact}})

    t = out["overdue"] = Table("overdue", _("整改逾期单位"), [Column(_("单位"), 24), Column(_("逾期项目数"), 12)])
    for r in d.overdue_units:
        t.add([r.name, r.n], {1: {"year": ey, "organisation": r.id, "fact": "rect_overdue"}})

    t = out["application"] = Table("application", _("评价结果应用（%(y)s年度项目）", y=ey),
                                   [Column(_("应用方式"), 16), Column(_("项目数"), 10), _money(_("金额（元）"))])
    p = d.application
    t.add([_("调增预算"), p.count["increase"], p.money["increase"]], {1: {"year": ey, "fact": "increase"}})
    t.add([_("调减预算"), p.count["decrease"], p.money["decrease"]], {1: {"year": ey, "fact": "decrease"}})
    t.add([_("暂缓拨付"), p.count["suspended"], None], {1: {"year": ey, "fact": "suspended"}})

    t = out["late"] = Table("late", _("当前逾期未办的单位"), [Column(_("单位"), 24), Column(_("逾期项目数"), 12),
                                                               Column(_("最早到期"), 18)])
    for r in d.late_units:
        t.add([r.name, r.n, r.due.astimezone(_tz()).strftime("%Y-%m-%d %H:%M") if r.due else ""],
              {1: {"organisation": r.id, "fact": "late"}})
    return out


def _tz():
    from server.clock import COUNTY_TZ

    return COUNTY_TZ


def export(table: Table) -> Iterator[bytes]:
    total = [c for c in table.columns]
    return stream_xlsx(table.title, total, (list(r) for r in table.rows))


def money_sum(values: list[Any]) -> Decimal:
    return sum((Decimal(v) for v in values if v is not None), Decimal(0))
