"""运行监控·重点绩效监控: the office's (or a third-party firm's) tracking of selected projects, its findings and
the unit's rectification (seeds 000, 003). Its own package so the monthly monitoring flow stays as it is."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from server.flows.definition import ContextBlock, DemoStage, FlowDefinition
from server.flows.key_monitoring import context, demo, models, operators
from server.flows.shared.eligibility import with_approved_goals
from server.models import Project


def eligible(year: int) -> Select[tuple[Project]]:
    """The office selects among the year's projects with approved goals (the ones 运行监控 covers)."""
    return with_approved_goals(year)


FLOW = FlowDefinition(
    key="key_monitoring",
    title="运行监控·重点绩效监控",
    workflows="key_monitoring",
    forms="key_monitoring",
    operators={
        "key_monitoring.open": operators.open_monitoring,
        "key_monitoring.assign": operators.assign,
        "key_monitoring.track": operators.track,
        "key_monitoring.request": operators.request,
        "key_monitoring.rectify": operators.rectify,
        "key_monitoring.verify": operators.verify,
        "key_monitoring.escalate": operators.escalate,
    },
    models=(models,),
    labels={
        "key_monitoring_status": {"assigning": _l("确定监控主体中"), "tracking": _l("跟踪监控中"),
                                  "requesting": _l("有跟踪发现，待下达整改要求"), "rectifying": _l("单位整改中"),
                                  "no_issue": _l("未发现问题，已办结"), "rectified": _l("整改到位，已销号")},
        "key_monitoring_check": {"verified": _l("整改到位，予以销号"), "send_back": _l("整改不到位，退回继续整改")},
    },
    context=(ContextBlock("flows/key_monitoring/context.html", context.load),),
    batch_start=eligible,
    demo=(DemoStage("重点绩效监控", ("ex_ante", "goal_review", demo.KEY), demo.stories),),
)
