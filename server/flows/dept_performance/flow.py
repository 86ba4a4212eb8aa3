"""部门整体绩效: a department's year goals, their review, its self-evaluation, the finance evaluation and the
result applied to the department's budget (issue 16.3): the mid-year monitoring colours each indicator and the
department as project monitoring does, and a warning the rule table names goes to the finance section's follow-up
(及时纠偏). Not yet: 部门评价 of projects."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from server.flows.definition import DemoStage, FlowDefinition
from server.flows.dept_performance import demo, models, operators

FLOW = FlowDefinition(
    key="dept_performance",
    title="部门整体绩效",
    workflows="dept_performance",
    forms="dept_performance",
    operators={
        "dept.open": operators.open_goals,
        "dept.draft": operators.save_goals,
        "dept.review": operators.review_goals,
        "dept.schedule": operators.schedule,
        "dept.monitor_template": operators.monitor_template,
        "dept.monitor": operators.monitor,
        "dept.follow_up": operators.follow_up,
        "dept.correct": operators.correct,
        "dept.adjust": operators.adjust,
        "dept.template": operators.template,
        "dept.self": operators.self_evaluate,
        "dept.result": operators.apply_result,
    },
    models=(models,),
    labels={
        "dept_goal_status": {"draft": _l("部门编制中"), "submitted": _l("财政审核中"), "approved": _l("已批复")},
        "dept_evaluation_status": {"waiting": _l("等待预算年度结束"), "self": _l("部门自评中"),
                                   "office": _l("财政评价中"), "completed": _l("已定等次，结果已应用")},
        "dept_follow_up": {"accept": _l("认可（继续执行）"), "correct": _l("要求纠偏"), "adjust_goals": _l("调整目标")},
    },
    # Started by the department itself through the API (the 发起 page offers first-form starts to units only).
    unit_start=None,
    demo=(DemoStage("部门整体绩效", (demo.KEY,), demo.stories),),
)
