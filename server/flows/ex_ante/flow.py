"""先评估后入库: application, ex-ante assessment, library admission."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from server.flows.definition import ContextBlock, DemoStage, FlowDefinition, UnitStart
from server.flows.ex_ante import assessment, context, demo, draft_goals, library, models

FLOW = FlowDefinition(
    key="ex_ante",
    title="先评估后入库",
    workflows="ex_ante",
    forms="ex_ante",
    operators={
        "library.apply": library.apply_project,
        "library.admit": library.admit_to_library,
        "library.reject": library.reject_project,
        "assessment.open": assessment.open_assessment,
        "assessment.record": assessment.record_opinion,
        "assessment.panel": assessment.choose_panel,
        "assessment.record_experts": assessment.record_expert_scores,
        "assessment.conclude": assessment.conclude,
    },
    models=(models,),
    labels={
        "assessment_status": {"exempt": _l("免于事前评估"), "in_progress": _l("评估中"), "returned": _l("已退回修改"),
                              "concluded": _l("已出具结论")},
        "conclusion": {"support": _l("予以支持"), "adjust": _l("调整后支持"), "reject": _l("不予支持")},
        "stage": {"self": _l("单位自评"), "dept": _l("主管部门审核"), "expert": _l("专家评审"), "office": _l("财政评估")},
        "decision": {"submit": _l("提交"), "pass": _l("审核通过"), "send_back": _l("退回修改"), "score": _l("评分"),
                     "support": _l("予以支持"), "adjust": _l("调整后支持"), "reject": _l("不予支持")},
    },
    context=(ContextBlock("flows/ex_ante/context.html", context.load),
             ContextBlock("flows/ex_ante/draft_goals.html", draft_goals.load)),
    unit_start=UnitStart(_l("新建项目申报")),  # no project yet: the application form is the start form
    demo=(DemoStage("先评估后入库", (demo.KEY,), demo.stories),),
)
