"""The demo county's indicator library (指标库): a small 共性 set and 个性 sets for the demo sectors, with the
typical ranges counties publish in their 指标体系框架 (seeds 001, 003). 成本 indicators are offered only where
unit costs are measured (农业 亩均, 交通 每公里), so only those sectors' goal tables are asked for one."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from server.db import db
from server.models import Indicator

P = "%"
# (sector, level1, level2, name, operator, unit, low, high, note)
LIBRARY: tuple[tuple[str, str, str, str, str, str | None, int | None, int | None, str], ...] = (
    ("", "产出", "数量", "计划任务完成率", "≥", P, 90, 100, "实际完成的任务量 ÷ 计划任务量"),
    ("", "产出", "质量", "工程验收合格率", "=", P, 95, 100, "验收合格的工程 ÷ 完工工程"),
    ("", "产出", "质量", "设备验收合格率", "=", P, 95, 100, "验收合格的设备 ÷ 购置设备"),
    ("", "产出", "质量", "服务质量达标率", "≥", P, 90, 100, "考核达标的服务批次 ÷ 服务批次"),
    ("", "产出", "时效", "按期完成率", "≥", P, 90, 100, "按计划时限完成的任务 ÷ 全部任务"),
    ("", "效益", "社会效益", "受益人数", "≥", "人", None, None, "项目直接服务或惠及的人数"),
    ("", "效益", "可持续影响", "设施设计使用年限", "≥", "年", 8, 50, "按设计或行业规范"),
    ("", "效益", "可持续影响", "工程设计使用年限", "≥", "年", 10, 50, "按设计或行业规范"),
    ("", "满意度", "服务对象满意度", "服务对象满意度", "≥", P, 80, 100, "抽样问卷，样本不少于服务对象的 5%"),
    ("教育", "产出", "质量", "资助对象识别准确率", "=", P, 95, 100, "核查无误的资助对象 ÷ 资助对象"),
    ("教育", "产出", "质量", "校舍安全达标率", "=", P, 100, 100, "经鉴定达到安全标准的校舍面积占比"),
    ("教育", "效益", "可持续影响", "受助学生巩固率", "≥", P, 90, 100, "受助学生中继续在校就读的比例"),
    ("教育", "满意度", "服务对象满意度", "学生及家长满意度", "≥", P, 80, 100, "学期末问卷"),
    ("水利", "产出", "质量", "养护作业达标率", "≥", P, 90, 100, "验收达标的养护作业 ÷ 养护作业"),
    ("水利", "效益", "社会效益", "灌溉保证率", "≥", P, 50, 95, "按灌区设计标准"),
    ("水利", "效益", "可持续影响", "设施完好率", "≥", P, 90, 100, "汛后检查完好的设施占比"),
    ("水利", "满意度", "服务对象满意度", "受益群众满意度", "≥", P, 80, 100, "入户问卷"),
    ("农业", "产出", "数量", "高标准农田建设面积", "≥", "亩", None, None, "按批复建设任务"),
    ("农业", "产出", "成本", "亩均建设成本", "≤", "元/亩", 1000, 3000, "项目总投资 ÷ 建设面积"),
    ("农业", "满意度", "服务对象满意度", "农户满意度", "≥", P, 80, 100, "入户问卷"),
    ("交通", "产出", "质量", "路面优良率", "≥", P, 80, 100, "按公路技术状况评定"),
    ("交通", "产出", "成本", "每公里建设成本", "≤", "万元/公里", 50, 300, "项目总投资 ÷ 建设里程"),
)


def seed_indicator_library() -> None:
    """Adds the demo library once (the caller commits); an existing library is left as the office kept it."""
    if db.session.scalar(select(Indicator.id).limit(1)) is not None:
        return
    for sector, level1, level2, name, operator, unit, low, high, note in LIBRARY:
        db.session.add(Indicator(
            sector=sector, level1=level1, level2=level2, name=name, operator=operator, unit=unit,
            typical_min=Decimal(low) if low is not None else None,
            typical_max=Decimal(high) if high is not None else None, note=note, active=True))
