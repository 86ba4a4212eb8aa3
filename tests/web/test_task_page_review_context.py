"""Issue 12.3: every reviewer sees what they are asked to judge on the task page — computed scores, grades,
colours, rule outcomes — above the form in the main column, not only in the flow's data.

Generated over the demo county's year (SQLite and PostgreSQL): for every judging step (any role but the unit's
own) the year leaves open, one task per form, the person who may act on it opens the page, and every figure the
domain tables hold for the thing under review is on the page's main column. The figures are read from the tables
here, flow by flow (FIGURES); a judging step of a flow without an entry fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select

from server.db import db
from server.flows.evaluation.models import Evaluation
from server.flows.ex_ante.models import Assessment
from server.flows.goal_review.models import GoalVersion
from server.flows.monitoring.models import MonitoringReport
from server.models import HumanTask, Role, TaskStatus, User
from server.services.prefill import AUTHORS
from server.services.scope import may_act_on_task, offered_to
from server.services.task_page import find_project, label
from server.web.formatting import money, percent, plain_number
from tests.web import demo_year_db
from tests.web.conftest import Browser

year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url, demo_year_db.app  # on the demo year

# The review forms the issue names: each must be among the steps checked.
REVIEW_FORMS = {"evaluation/review.json", "evaluation/verify.json", "ex_ante/dept_review.json",
                "ex_ante/office_assess.json", "goal_review/dept_review.json", "goal_review/finance_review.json",
                "goal_adjust/adjust_review.json", "monitoring/decide.json"}


def _evaluation(task: HumanTask) -> list[str]:
    e = db.session.scalar(select(Evaluation).where(Evaluation.instance_id == task.instance_id)
                          .order_by(Evaluation.id.desc()).limit(1))
    assert e is not None
    shown: list[str] = []
    if e.self_score is not None:
        shown += [f"自评得分</dt><dd class=\"figure\">{plain_number(e.self_score)} 分", f">{e.self_grade}<",
                  f"预算执行率</dt><dd class=\"figure\">{percent(e.execution_rate)}"]
        shown += [f">{plain_number(s.score)}</td>" for s in e.indicators]
        shown += [f">{s.actual_value}" for s in e.indicators]
    if e.key_score is not None:
        shown.append(f"{plain_number(e.key_score)} 分")
    for r in e.rectifications:
        shown += [f"完成情况：{r.completion}", "逾期报送" if r.overdue else "按期报送", r.measures[:20]]
    return shown


def _assessment(task: HumanTask) -> list[str]:
    project = find_project(task.instance, task)
    a = db.session.scalar(select(Assessment).where(Assessment.project_id == project.id))
    assert a is not None
    level = "重大项目" if a.major else "一般项目" if a.required else "免于事前评估"
    shown = [level] + [f"{plain_number(a.self_score)} 分"] * (a.self_score is not None)
    for o in a.opinions:
        if o.total is not None:
            shown += [f"<strong>{plain_number(o.total)}</strong>"]
            shown += [f">{plain_number(getattr(o, d))}</td>" for d in ("necessity", "economy", "goals",
                                                                       "feasibility", "compliance")]
    return shown


def _goal(task: HumanTask) -> list[str]:
    from server.services.tasks import task_view

    project = find_project(task.instance, task)
    goal = db.session.scalar(select(GoalVersion).where(GoalVersion.project_id == project.id)
                             .order_by((GoalVersion.instance_id == task.instance_id).desc(),
                                       GoalVersion.version.desc()).limit(1))
    assert goal is not None
    flow_warnings = task_view(task).data.get("quality_warnings")  # the page prefers the flow's, as the form does
    warnings = [w["message"] for w in (flow_warnings if isinstance(flow_warnings, list) and flow_warnings
                                       else goal.warnings or [])]
    outcome = f"质量检查：发现 {len(warnings)} 项问题" if warnings else "质量检查：未发现问题"
    rows = [f"{r.operator} {r.value} {r.unit or ''}".strip() for r in goal.indicators]
    return [outcome, *warnings, *rows, *(f'<td class="num">{plain_number(r.weight)}</td>' for r in goal.indicators)]


def _monitoring(task: HumanTask) -> list[str]:
    project = find_project(task.instance, task)
    last = db.session.scalar(select(MonitoringReport).where(MonitoringReport.project_id == project.id)
                             .order_by(MonitoringReport.fiscal_year.desc(), MonitoringReport.month.desc()).limit(1))
    assert last is not None

    def colour(code) -> str:
        return f'<span class="colour colour-{code}">{label("colour", code)}</span>'

    shown = [f"{last.fiscal_year} 年 {last.month} 月报告的预警结果", colour(last.colour),
             f"{percent(last.execution_ratio)} {colour(last.execution_colour)}", colour(last.goal_colour)]
    return shown + [colour(i.colour) for i in last.indicators] + [f">{i.current_value}</td>" for i in last.indicators]


def _arrangement(task: HumanTask) -> list[str]:
    from server.flows.budget_arrangement.models import BudgetArrangement

    lines = db.session.scalars(select(BudgetArrangement).where(BudgetArrangement.instance_id == task.instance_id)
                               ).all()
    assert lines
    return ([f'data-project="{line.project.code}"' if line.project else f'data-department="{line.organisation_id}"'
             for line in lines]
            + [f"<strong>{money(line.amount)}</strong>" for line in lines]
            + [f"共 {sum(1 for line in lines if line.project)} 个项目"])


FIGURES: dict[str, Callable[[HumanTask], list[str]]] = {
    "evaluation": _evaluation, "ex_ante": _assessment, "goal_review": _goal, "goal_adjust": _goal,
    "monitoring": _monitoring, "budget_arrangement": _arrangement,
}


def _main_column(html: str) -> str:
    start = html.index('<section class="task-main"')
    return html[start:html.index('<aside class="task-context"', start)]


def _judging_steps(app) -> dict[str, tuple[int, str, list[str]]]:
    """One open judging task per form: (task id, who may act on it, the figures it must show)."""
    picks: dict[str, tuple[int, str, list[str]]] = {}
    with app.app_context():
        users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)).all()
        for task in db.session.scalars(select(HumanTask).where(HumanTask.status == TaskStatus.OPEN)
                                       .order_by(HumanTask.id)):
            key = f"{task.instance.process_key}/{task.form_schema}"
            if task.role in AUTHORS or not task.form_schema or key in picks:
                continue
            actor = next((u for u in users if Role.ADMIN not in u.roles and (
                task.assignee_id == u.id if task.assignee_id else offered_to(u, task) or may_act_on_task(u, task))),
                None)
            assert actor is not None, key
            assert task.instance.process_key in FIGURES, f"no figures named for the judging step {key}"
            picks[key] = (task.id, actor.username, FIGURES[task.instance.process_key](task))
    return picks


def test_every_judging_step_shows_the_figures_it_judges_above_the_form(app):
    picks = _judging_steps(app)
    assert set(picks) >= REVIEW_FORMS, sorted(REVIEW_FORMS - set(picks))
    for key, (task_id, username, figures) in sorted(picks.items()):
        who = Browser(app.test_client())
        assert who.login(username).status_code == 302
        resp = who.get(f"/tasks/{task_id}")
        assert resp.status_code == 200, (key, resp.status_code)
        main = _main_column(resp.get_data(as_text=True))
        assert 'class="context-block under-review"' in main, key
        assert figures, key
        missing = [f for f in figures if f not in main]
        assert not missing, (key, missing)
        # What is judged stands once, above the form: the side column does not repeat the block.
        block = re.search(r'data-block="(\w+)"', main).group(1)
        side = resp.get_data(as_text=True).split('<aside class="task-context"', 1)[1]
        assert f'data-block="{block}"' not in side, key


def test_the_unit_filling_its_own_work_keeps_the_context_beside_the_form(app):
    with app.app_context():
        task = db.session.scalars(select(HumanTask).where(
            HumanTask.status == TaskStatus.OPEN, HumanTask.role.in_(AUTHORS),
            HumanTask.form_schema == "goal_table.json")).first()
        assert task is not None
        owner = db.session.get(User, task.assignee_id).username if task.assignee_id else None
        if owner is None:
            owner = next(u.username for u in db.session.scalars(select(User)) if offered_to(u, task))
    who = Browser(app.test_client())
    assert who.login(owner).status_code == 302
    html = who.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "under-review" not in _main_column(html)
