"""The indicator library (指标库): performance indicators the office keeps for goal tables to pick from.

共性 indicators (sector "") apply to every project; 个性 ones belong to one sector (归口领域, e.g. 教育). The
three levels follow the goal table (一级 产出/效益/满意度 → 二级 数量…服务对象满意度 → 三级 the indicator itself).
The typical range is what the office considers usual; goal-quality checks warn outside it, they never refuse.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base
from server.models.common import UTCDateTime, utcnow

COMMON = ""  # the sector of a 共性 indicator
# The goal table's levels (财预〔2020〕10号 共性指标框架), shared by the goal forms' checks and the library.
LEVELS: dict[str, tuple[str, ...]] = {
    "产出": ("数量", "质量", "时效", "成本"),
    "效益": ("经济效益", "社会效益", "生态效益", "可持续影响"),
    "满意度": ("服务对象满意度",),
}
OPERATORS = ("≥", ">", "=", "<", "≤", "定性")


class Indicator(Base):
    __tablename__ = "indicators"
    __table_args__ = (
        UniqueConstraint("sector", "level2", "name", name="uq_indicators_sector_level2_name"),
        Index("ix_indicators_active_sector", "active", "sector", "level1", "level2"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sector: Mapped[str] = mapped_column(String(32), default=COMMON)  # "" = 共性
    level1: Mapped[str] = mapped_column(String(16))  # 产出 / 效益 / 满意度
    level2: Mapped[str] = mapped_column(String(16))  # 数量 / 质量 / 时效 / 成本 / …效益 / 服务对象满意度
    name: Mapped[str] = mapped_column(String(100))  # 三级指标
    operator: Mapped[str] = mapped_column(String(4))  # ≥ > = < ≤ 定性: the direction a good value lies in
    unit: Mapped[str | None] = mapped_column(String(20))
    typical_min: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    typical_max: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    note: Mapped[str | None] = mapped_column(String(200))  # 指标解释 / 评分口径
    active: Mapped[bool] = mapped_column(default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
