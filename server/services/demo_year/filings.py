"""What the demo units write: 申报书, 绩效目标申报表 and monitoring reports, built from a short project
description so every project reads like a real county project (specific amounts, indicators with units and
weights summing to 100, goals that say what the money achieves — none of seed 004's vague phrases)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CONTACTS = {
    "school1": "刘洋 0000-6213501",
    "xiaoxue1": "黄丽 0000-6213688",
    "zhizhong1": "马超 0000-6217702",
    "water1": "周敏 0000-6321156",
    "shuiku1": "何平 0000-6325019",
    "gongshui1": "罗文 0000-6328830",
}
SECTOR_OF = {"school1": "教育", "xiaoxue1": "教育", "zhizhong1": "教育",
             "water1": "水利", "shuiku1": "水利", "gongshui1": "水利"}
SATISFACTION = {"教育": "学生及家长满意度", "水利": "受益群众满意度"}


@dataclass(frozen=True)
class Kind:
    """What a kind of project promises besides its own output and benefit."""

    quality: str  # 质量: a rate that must be 100%
    timely: tuple[str, str]  # 时效: (indicator, qualitative target)
    lasting: tuple[str, str, str]  # 可持续影响: (indicator, value, unit)
    plan: str  # 实施方案, formatted with {year}
    item: str  # the budget line


KINDS: dict[str, Kind] = {
    "build": Kind("工程验收合格率", ("竣工交付时限", "按合同工期竣工并交付使用"), ("设施设计使用年限", "30", "年"),
                  "{year}年3月完成设计和施工招标，4月至8月组织施工，9月前竣工验收并交付使用。", "工程施工及监理"),
    "equip": Kind("设备验收合格率", ("安装调试时限", "到货后30日内安装调试并投入使用"), ("设备正常使用年限", "8", "年"),
                  "{year}年3月完成需求论证和政府采购，5月到货安装，6月组织验收并投入教学使用。", "设备购置及安装"),
    "subsidy": Kind("资助对象识别准确率", ("资金发放时限", "每学期开学后30日内发放到人"), ("受助学生巩固率", "98", "%"),
                    "{year}年春秋两季学期开学后完成对象认定、公示和审核，资金通过“一卡通”直接发放到学生及家庭。",
                    "补助资金"),
    "upkeep": Kind("养护作业达标率", ("养护时限", "汛前完成全面检查和维修养护"), ("设施完好率", "95", "%"),
                   "{year}年1月制定年度养护计划，3月至5月汛前集中维修养护，汛期加强巡查，10月开展汛后检查。",
                   "维修养护及巡查"),
    "water": Kind("工程验收合格率", ("主体完工时限", "汛期前主体工程完工"), ("工程设计使用年限", "20", "年"),
                  "{year}年1月完成初步设计审批和招标，2月至5月施工，汛前完成主体工程，10月前完成竣工验收。",
                  "工程建设及监理"),
    "service": Kind("服务质量达标率", ("服务时限", "按季度开展并年底前全部完成"), ("长效机制建立情况", "1", "项"),
                    "{year}年一季度制定实施方案并完成政府采购，二至四季度按季度组织实施，12月开展绩效自评。",
                    "服务采购"),
}


@dataclass(frozen=True)
class ProjectSpec:
    """One demo project: its unit's user, money, and what it produces and achieves."""

    name: str  # without the year, e.g. 县第一中学教学楼维修改造
    unit: str
    amount: int
    kind: str
    output: tuple[str, int, str]  # 数量: (indicator, value, unit)
    benefit: tuple[str, str, int, str]  # (二级指标, indicator, value, unit)
    why: str  # 立项必要性
    purpose: str  # 中长期目标: what the money is for
    continuing: bool = False
    category: str = "specific"  # 支出类别 (ProjectCategory)
    fund_source: str = "local"  # 资金来源 (FundSource)

    @property
    def sector(self) -> str:
        return SECTOR_OF[self.unit]

    def title(self, year: int) -> str:
        return f"{year}年{self.name}"


def application(spec: ProjectSpec, year: int, *, amount: int | None = None, note: str = "") -> dict[str, Any]:
    """The 申报书 for the project in budget year `year`."""
    money = amount or spec.amount
    fiscal = money if spec.sector == "教育" else money - money // 10 // 1000 * 1000  # 水利 often has 配套
    kind = KINDS[spec.kind]
    data: dict[str, Any] = {
        "project_name": spec.title(year),
        "fiscal_year": year,
        "project_type": "continuing" if spec.continuing else "new",
        "start_year": year - 2 if spec.continuing else year,
        "end_year": year + 1 if spec.continuing else year,
        "amount": money,
        "fiscal_funds": fiscal,
        "other_funds": money - fiscal,
        "necessity": spec.why + note,
        "implementation_plan": kind.plan.format(year=year),
        "budget_items": [{"item": kind.item, "basis": f"{spec.output[1]}{spec.output[2]} × 测算标准",
                          "amount": money}],
        "materials": ["申报书", "实施方案", "预算测算依据", "可行性论证材料"],
        "contact": CONTACTS[spec.unit],
        "category": spec.category,
        "fund_source": spec.fund_source,
    }
    goals = goal_table(spec, year)  # the draft goals the application carries (先有目标后入库)
    data.update(long_term_goal=goals["long_term_goal"], annual_goal=goals["annual_goal"],
                indicators=goals["indicators"])
    if spec.continuing:
        data["period_expired"] = False
    return data


def indicators(spec: ProjectSpec) -> list[dict[str, Any]]:
    kind = KINDS[spec.kind]
    out_name, out_value, out_unit = spec.output
    level2, ben_name, ben_value, ben_unit = spec.benefit
    last_name, last_value, last_unit = kind.lasting
    return [
        {"level1": "产出", "level2": "数量", "name": out_name, "operator": "≥", "value": str(out_value),
         "unit": out_unit, "basis": "计划标准", "weight": 30},
        {"level1": "产出", "level2": "质量", "name": kind.quality, "operator": "=", "value": "100", "unit": "%",
         "basis": "行业标准", "weight": 20},
        {"level1": "产出", "level2": "时效", "name": kind.timely[0], "operator": "定性", "value": kind.timely[1],
         "unit": "", "basis": "计划标准", "weight": 10},
        {"level1": "效益", "level2": level2, "name": ben_name, "operator": "≥", "value": str(ben_value),
         "unit": ben_unit, "basis": "历史标准", "weight": 20},
        {"level1": "效益", "level2": "可持续影响", "name": last_name, "operator": "≥", "value": last_value,
         "unit": last_unit, "basis": "行业标准", "weight": 10},
        {"level1": "满意度", "level2": "服务对象满意度", "name": SATISFACTION[spec.sector], "operator": "≥",
         "value": "90", "unit": "%", "basis": "历史标准", "weight": 10},
    ]


def goal_table(spec: ProjectSpec, year: int) -> dict[str, Any]:
    out_name, out_value, out_unit = spec.output
    _, ben_name, ben_value, ben_unit = spec.benefit
    return {
        "contact": CONTACTS[spec.unit],
        "long_term_goal": f"通过实施{spec.name}，{spec.purpose}。",
        "annual_goal": f"{year}年{out_name}不少于{out_value}{out_unit}，工程或服务质量全部达标，"
                       f"{ben_name}达到{ben_value}{ben_unit}，{SATISFACTION[spec.sector]}不低于90%。",
        "indicators": indicators(spec),
    }


def vague_goal_table(spec: ProjectSpec) -> dict[str, Any]:
    """A first draft with seed 004's defects: work as the goal, no benefit, no satisfaction indicator."""
    out_name, out_value, out_unit = spec.output
    rows = [{"level1": "产出", "level2": "数量", "name": out_name, "operator": "≥", "value": str(out_value),
             "unit": out_unit, "basis": "计划标准", "weight": 100}]
    return {"contact": CONTACTS[spec.unit], "long_term_goal": f"做好{spec.name}。", "annual_goal": "按计划完成",
            "indicators": rows}


def _amount(value: Decimal) -> str:
    exact = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format(exact.normalize(), "f") if exact == exact.to_integral() else format(exact, "f")


def report_rows(prefilled: list[dict[str, Any]], month: int, pace: float, cause: str = ""
                ) -> list[dict[str, Any]]:
    """The report form's indicator rows at `month`: each quantitative indicator at `pace` of the time-line
    (1.0 = on schedule), the qualitative one 达成 / 部分达成 / 未达成 to match; below schedule says why."""
    elapsed = Decimal(month) / 12
    behind = pace < 0.8
    rows = []
    for row in prefilled:
        if row.get("operator") == "定性":
            value = "达成" if pace >= 0.8 else "部分达成" if pace >= 0.6 else "未达成"
        else:
            value = _amount(Decimal(str(row["target"])) * elapsed * Decimal(str(pace)))
        filled = {**row, "current_value": value, "likelihood": "可能无法完成" if behind else "能够完成"}
        filled["cause"] = cause if behind else ""
        rows.append(filled)
    return rows


def spent_at(budget: Decimal, month: int, pace: float) -> float:
    """Cumulative spending at `month` that gives an execution ratio of `pace`."""
    return float((budget * Decimal(month) / 12 * Decimal(str(pace))).quantize(Decimal("0.01")))
