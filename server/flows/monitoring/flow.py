"""绩效运行监控·纠偏: monthly reports, colours, causes and the finance section's corrections."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from server.flows.definition import ContextBlock, DemoStage, FlowDefinition, UnitStart
from server.flows.monitoring import context, demo, models, operators
from server.flows.shared import models as shared_models
from server.flows.shared.eligibility import with_approved_goals
from server.models import Project


def eligible(year: int) -> Select[tuple[Project]]:
    """绩效运行监控 covers every project of the year whose goals were approved (DOMAIN §3)."""
    return with_approved_goals(year)


FLOW = FlowDefinition(
    key="monitoring",
    title="绩效运行监控·纠偏",
    workflows="monitoring",
    forms="monitoring",
    operators={
        "monitoring.open": operators.open_monitoring,
        "monitoring.next": operators.next_round,
        "monitoring.template": operators.template,
        "monitoring.check": operators.check,
        "monitoring.record": operators.record,
        "monitoring.explain": operators.explain,
        "monitoring.decide": operators.decide,
        "monitoring.notify": operators.notify_step,
    },
    models=(models, shared_models),
    labels={
        "colour": {"blue": _l("蓝色（超额）"), "green": _l("绿色（正常）"), "yellow": _l("黄色（轻度偏离）"),
                   "red": _l("红色（严重偏离）")},
        "correction": {"accept": _l("认可原因和措施"), "adjust_goals": _l("调整绩效目标"), "adjust_budget": _l("调整预算"),
                       "suspend_payment": _l("暂缓拨付"), "recover_balance": _l("收回结余统筹使用")},
    },
    context=(ContextBlock("flows/monitoring/context.html", context.load,
                          form_template="flows/monitoring/budget_change.html"),),
    batch_start=eligible,
    unit_start=UnitStart(_l("报送运行监控"), eligible),  # the year in progress
    demo=(DemoStage("运行监控·目标调整", ("ex_ante", "goal_review", "goal_adjust", demo.KEY), demo.stories),),
)
