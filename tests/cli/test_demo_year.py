"""The demo county's fiscal year (`jixiao init --demo`, `jixiao simulate --year`), on SQLite and PostgreSQL.

The year is seeded once per database by `init --demo` on an empty database (migrations, demo county, shipped
flows, the year: the slow part, so it runs once per backend for the whole run, in tests/web/demo_year_db.py,
and this module reads its output and a copy of its database) with the app's clock at 2026-11-23 09:30 in the
county (the day the real server would start), then read as the demo users see it over the API. Tests that move the clock on work on a copy of the seeded database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from server.clock import COUNTY_TZ, ManualClock
from server.db import db
from server.flows.evaluation.models import Evaluation, KeyEvaluationDraw, Rectification
from server.flows.ex_ante.models import Assessment
from server.flows.goal_review.models import GoalVersion
from server.flows.monitoring.models import Correction, KeyAttention, MonitoringReport
from server.flows.shared.models import BudgetAdjustment, PaymentSuspension
from server.models import (
    AuditEvent,
    HumanTask,
    InstanceStatus,
    Notification,
    Organisation,
    ProcessInstance,
    ProcessModel,
    Project,
    TaskStatus,
    User,
)
from server.services.demo_year import demo_year_for
from server.services.demo_year.calendar import plan_for
from server.services.timers import wake_due_instances
from tests.conftest import dispose, instance_env, make_app
from tests.support import postgres, sqlite
from tests.support.api import api_as
from tests.web import demo_year_db

year_db = demo_year_db.year_db
NOW = demo_year_db.NOW  # Monday 09:30 in the county
TABLES = (Project, ProcessInstance, HumanTask, AuditEvent, MonitoringReport, Notification, Correction, GoalVersion,
          Assessment, User, Organisation, ProcessModel)
DESIGN_USERS = {"admin", "perf", "fin_edu", "fin_agri", "edu_head", "school1", "water_head", "water1",
                "expert1", "expert2"}


@dataclass
class Seeded:
    app: Flask
    url: str
    backend: str
    output: str

    def clone(self, tmp_path: Path) -> str:
        """A copy of the seeded database for a test that changes it."""
        dispose(self.app)
        if self.backend == "sqlite":
            return sqlite.clone(Path(self.url.removeprefix("sqlite:///")), tmp_path / "copy.sqlite3")
        name = postgres.new_name("jx_t")
        postgres.create_database(name, template=self.url.rsplit("/", 1)[1])
        return postgres.sqlalchemy_url(name)


def invoke(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture(scope="module")
def seeded(year_db: demo_year_db.YearDb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """What `init --demo` made of an empty database, on a copy of the session's demo year (tests/web/
    demo_year_db.py ran that very command once per backend: seeding it again here would repeat the slowest
    setup of the suite), with the command's output."""
    base = tmp_path_factory.mktemp(f"demo-year-{year_db.backend}")
    if year_db.backend == "sqlite":
        url, name = sqlite.clone(Path(year_db.location), base / "jixiao.sqlite3"), None
    else:
        name = postgres.new_name("jx_t")
        postgres.create_database(name, template=year_db.location)
        url = postgres.sqlalchemy_url(name)
    try:
        with instance_env(base / "instance"):
            app = make_app(url, clock=ManualClock(NOW))
            yield Seeded(app, url, year_db.backend, year_db.output)
            dispose(app)
    finally:
        if name:
            postgres.drop_database(name)


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in TABLES}


def inbox(app: Flask, username: str) -> list[str]:
    """Titles of the user's open work: claimable and held."""
    caller = api_as(app.test_client(), username)
    titles = []
    for view in ("claimable", "mine"):
        resp = caller.get("/api/v1/tasks", query_string={"view": view, "per_page": 100})
        assert resp.status_code == 200, resp.get_json()
        titles += [t["title"] for t in resp.get_json()["items"]]
    return titles


# ---------------------------------------------------------------- what a newcomer sees


def test_init_demo_migrates_an_empty_database_and_seeds_the_county(seeded):
    assert "数据库已迁移到最新版本" in seeded.output
    assert "演示县的组织和用户已就绪" in seeded.output
    with seeded.app.app_context():
        names = set(db.session.scalars(select(User.username)))
        assert db.session.scalar(select(func.count(Project.id))) >= 30
    # DESIGN.md's demo users, plus the units the demo fiscal year adds.
    assert names >= DESIGN_USERS and len(names) > len(DESIGN_USERS)
    resp = seeded.app.test_client().post("/api/v1/session", json={"username": "perf", "password": "demo"})
    assert resp.status_code in (200, 201)


def test_init_demo_seeds_the_year_in_progress(seeded):
    assert "正在以加速时间生成演示县 2026 年度" in seeded.output
    assert "✓ 演示县 2026 年度已生成：35 个项目" in seeded.output
    assert "演示时间截至 2026-11-23 09:30" in seeded.output


@pytest.mark.parametrize(("username", "expected"), [
    ("school1", {"单位事前绩效自评", "填报绩效目标申报表"}),
    ("xiaoxue1", {"填报项目入库申报书"}),
    ("zhizhong1", {"说明偏离原因和纠偏措施"}),
    ("water1", {"填报绩效目标申报表", "报送整改报告"}),
    ("gongshui1", {"填报绩效监控报告", "按审核意见完善绩效目标"}),
    ("edu_head", {"主管部门审核", "主管部门审核绩效目标"}),
    ("water_head", {"主管部门审核", "主管部门审核绩效目标"}),
    ("fin_edu", {"财政审核绩效目标", "财政纠偏决定", "财政审核绩效目标调整"}),
    ("fin_agri", {"财政审核绩效目标", "财政纠偏决定", "财政审核绩效目标调整"}),
    ("perf", {"财政事前绩效评估", "督办主管部门审核", "审核自评结果并确定重点评价", "核查整改情况"}),
    ("expert1", {"专家评审打分", "第三方重点评价评分"}),
    ("expert2", {"第三方重点评价评分"}),
])
def test_every_demo_user_finds_real_work_in_the_inbox(seeded, username, expected):
    titles = inbox(seeded.app, username)
    assert titles, f"{username} has an empty inbox"
    steps = {title.split("（", 1)[0] for title in titles}  # a monitoring step names its period: …（2026年10月）
    assert expected <= steps, titles


def test_nobody_sees_another_units_work(seeded):
    """The extra units' work stays in their own inboxes (scope is the organisation, not the demo's doing)."""
    with seeded.app.app_context():
        own = db.session.scalar(select(func.count(HumanTask.id)).join(
            Organisation, Organisation.id == HumanTask.organisation_id).where(
            HumanTask.status == TaskStatus.OPEN, HumanTask.role == "unit_staff", Organisation.name == "县第一中学"))
    titles = inbox(seeded.app, "school1")  # claimable, and sent back to school1 as the last handler
    assert len(titles) == own >= 2
    assert "专家评审打分" not in titles


def test_the_project_library_shows_every_stage(seeded):
    perf = api_as(seeded.app.test_client(), "perf")
    listed = perf.get("/api/v1/projects", query_string={"per_page": 100}).get_json()
    assert listed["total"] == 35
    assert {p["status"] for p in listed["items"]} == {"applied", "assessing", "in_library", "rejected"}
    assert {p["organisation"] for p in listed["items"]} == {
        "县第一中学", "县实验小学", "县职业中学", "县水利工程站", "县水库管理所", "县农村供水站"}
    # A unit sees only its own projects; a department its units'.
    school = api_as(seeded.app.test_client(), "school1").get("/api/v1/projects", query_string={"per_page": 100})
    assert {p["organisation"] for p in school.get_json()["items"]} == {"县第一中学"}
    water = api_as(seeded.app.test_client(), "water_head").get("/api/v1/projects", query_string={"per_page": 100})
    assert {p["organisation"] for p in water.get_json()["items"]} == {"县水利工程站", "县水库管理所", "县农村供水站"}

    with seeded.app.app_context():
        goal_statuses = set(db.session.scalars(select(Project.goal_status).where(Project.goal_status.is_not(None))))
        assert goal_statuses == {"awaiting", "drafting", "reviewing", "approved", "refused", "adjusting"}
        assert set(db.session.scalars(select(Assessment.conclusion).where(Assessment.conclusion.is_not(None)))) == {
            "support", "adjust", "reject"}
        assert {"优", "良", "中", "差"} <= set(db.session.scalars(select(GoalVersion.grade)))
        labs = db.session.scalar(select(Project).where(Project.name == "2027年县第一中学实验室标准化建设"))
        assert (labs.status, labs.requested_amount, labs.amount) == ("in_library", 1500000, 1280000)
        years = dict(db.session.execute(select(Project.fiscal_year, func.count()).group_by(Project.fiscal_year)).all())
        assert years == {2025: 5, 2026: 10, 2027: 20}


def test_monitoring_has_run_month_by_month_to_now(seeded):
    with seeded.app.app_context():
        months = dict(db.session.execute(
            select(MonitoringReport.month, func.count()).where(MonitoringReport.fiscal_year == 2026)
            .group_by(MonitoringReport.month)).all())
        # Every project from January except the mid-year one (from July); the overdue one stops at September.
        assert months[1] == 9 and months[7] == 10 and months[9] == 10 and months[10] == 9
        assert 11 not in months  # November's reporting period is not over yet
        colours = set(db.session.scalars(select(MonitoringReport.colour)))
        assert colours == {"green", "yellow", "red"}
        kinds = set(db.session.scalars(select(Correction.kind)))
        assert kinds == {"accept", "adjust_goals", "adjust_budget", "suspend_payment", "recover_balance"}
        notices = set(db.session.execute(select(Notification.role, Notification.kind)).tuples())
        assert {("unit_staff", "reminder"), ("performance_office", "escalation"), ("unit_staff", "calendar"),
                ("finance_section", "calendar"), ("unit_staff", "correction")} <= notices
        ledger = db.session.execute(select(Project.name, KeyAttention.reason).join(
            Project, Project.id == KeyAttention.project_id)).tuples().all()
        assert ledger == [("2026年县实验小学操场改造", "10月底支出仍未破零")]
        starters = dict(db.session.execute(
            select(User.username, func.count()).join(ProcessInstance, ProcessInstance.started_by_id == User.id)
            .where(ProcessInstance.process_key == "monitoring").group_by(User.username)).all())
        assert starters == {"perf": 9, "xiaoxue1": 1}  # January's batch start, and the mid-year project's own
        escalated = db.session.scalar(select(Notification.text).where(Notification.kind == "escalation"))
        assert "2026年农村饮水安全巩固提升" in escalated and "10月绩效监控报告经提醒仍未报送" in escalated


def test_the_office_sees_the_escalation_in_its_notices(seeded):
    with seeded.app.app_context():
        from server.services.notifications import unread

        user = db.session.scalar(select(User).where(User.username == "perf"))
        texts = [n.text for n in unread(user)]
        unit = db.session.scalar(select(User).where(User.username == "gongshui1"))
        unit_texts = [n.text for n in unread(unit)]
    assert any("请督办" in t for t in texts)
    assert any("已逾期，请尽快报送" in t for t in unit_texts)


def test_the_year_is_dated_like_a_real_one_and_nothing_failed(seeded):
    with seeded.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.status == InstanceStatus.ERROR)) == 0
        first, last = db.session.execute(select(func.min(AuditEvent.at), func.max(AuditEvent.at)).where(
            AuditEvent.action != "deploy")).one()
        # From last year's projects applying in autumn 2024 to the seeded "now".
        assert date(2024, 10, 1) <= first.astimezone(COUNTY_TZ).date() and last <= NOW
        assert db.session.scalar(select(func.max(HumanTask.created_at))) <= NOW
        # Nobody works at weekends in the county.
        days = {a.astimezone(COUNTY_TZ).weekday() for a in db.session.scalars(
            select(AuditEvent.at).where(AuditEvent.action.in_(("start", "complete"))))}
        assert days <= {0, 1, 2, 3, 4}
        reported = [r.astimezone(COUNTY_TZ) for r in db.session.scalars(select(MonitoringReport.created_at))]
        assert {r.month for r in reported} == set(range(2, 12))  # each month's report is filed early the next


def test_last_years_projects_are_evaluated_rectified_and_applied(seeded):
    with seeded.app.app_context():
        found = {name: (status, grade, self_round) for name, status, grade, self_round in db.session.execute(
            select(Project.name, Evaluation.status, Evaluation.grade, Evaluation.self_round)
            .join(Project, Project.id == Evaluation.project_id)).tuples()}
        assert found == {
            "2025年县第一中学课桌椅更新": ("key", "优", 1),  # with the firm drawn by lot
            "2025年县水库管理所闸门自动化改造": ("reviewing", "优", 2),  # sent back once, resubmitted
            "2025年县实验小学校园绿化提升": ("completed", "良", 1),
            "2025年县水利工程站堤防巡查养护": ("rectifying", "中", 1),
            "2025年农村供水站水表智能化改造": ("rectifying", "中", 1),
        }
        assert db.session.scalar(select(func.count(KeyEvaluationDraw.id))) == 1
        # 县教育局 chose the school's greening for 部门评价 and graded it 良 itself (9 + 42 + 25 + 8)
        dept = db.session.execute(select(Project.name, Evaluation.dept_score, Evaluation.dept_grade).join(
            Project, Project.id == Evaluation.project_id).where(Evaluation.dept_selected.is_(True))).tuples().all()
        assert dept == [("2025年县实验小学校园绿化提升", 84, "良")]
        applied = db.session.execute(select(Project.name, BudgetAdjustment.fiscal_year, BudgetAdjustment.kind).join(
            Project, Project.id == BudgetAdjustment.project_id).where(BudgetAdjustment.source_flow == "evaluation")
        ).tuples().all()
        assert applied == [("2025年县实验小学校园绿化提升", 2026, "increase")]  # 良: next year +5%
        held = set(db.session.scalars(select(Project.name).join(
            PaymentSuspension, PaymentSuspension.project_id == Project.id).where(PaymentSuspension.lifted_at.is_(None), PaymentSuspension.source_flow == "evaluation")))
        assert held == {"2025年县水利工程站堤防巡查养护", "2025年农村供水站水表智能化改造"}  # 中: while rectifying
        assert db.session.scalar(select(func.count(Rectification.id))) == 1


def test_every_goal_table_of_the_year_agrees_with_its_own_indicators(seeded):
    """Issue 12: the adjusted goals once kept "不少于30间" in the annual goal beside a "≥ 25 间" indicator. Every
    goal version the demo writes restates its output target in the annual goal, and the quality check finds
    no contradiction between the goal's figures and the indicators."""
    from server.flows.goal_review import quality

    with seeded.app.app_context():
        goals = db.session.scalars(select(GoalVersion).order_by(GoalVersion.id)).all()
        adjusted = [g for g in goals if g.based_on_id is not None]
        assert adjusted, "the demo year adjusts goals"
        for goal in goals:
            rows = [{"name": i.name, "operator": i.operator, "value": i.value, "unit": i.unit} for i in goal.indicators]
            found = [w["message"] for w in quality.warnings(goal.long_term_goal, goal.annual_goal, rows)
                     if "不一致" in w["message"]]
            assert found == [], (goal.id, goal.annual_goal, found)
        for goal in adjusted:
            output = goal.indicators[0]
            assert f"{output.value}{output.unit}" in (goal.annual_goal or ""), (goal.annual_goal, output.value)


# ---------------------------------------------------------------- doing it again, and hostile input


def test_seeding_again_adds_nothing(seeded):
    before = counts(seeded.app)
    again = invoke(seeded.app, "init", "--demo")
    assert again.exit_code == 0, again.output
    assert "已部署" not in again.output  # shipped flows were already current
    assert "演示县 2026 年度的项目已存在，未重复生成" in again.output
    assert "正在以加速时间生成" not in again.output
    simulate = invoke(seeded.app, "simulate", "--year", "2026")
    assert simulate.exit_code == 0, simulate.output
    assert "未重复生成" in simulate.output
    assert counts(seeded.app) == before


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--year", "2027"), 1, "只能模拟 2000 至 2026 年度"),
    (("--year", "1999"), 2, "1999"),
    (("--year", "二〇二六"), 2, "二〇二六"),
    (("--year", "2026; DROP TABLE projects"), 2, "is not a valid integer"),
    ((), 2, "--year"),
])
def test_simulate_refuses_what_it_cannot_do_and_changes_nothing(seeded, args, code, message):
    before = counts(seeded.app)
    result = invoke(seeded.app, "simulate", *args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert counts(seeded.app) == before


def test_simulate_needs_the_flows_deployed(instance_path, sqlite_url):
    app = make_app(sqlite_url, clock=ManualClock(NOW))
    try:
        result = invoke(app, "simulate", "--year", "2026")
        assert result.exit_code == 1
        assert "尚未部署" in result.output and "jixiao init" in result.output
        with app.app_context():
            assert db.session.scalar(select(func.count(Project.id))) == 0
    finally:
        dispose(app)


# ---------------------------------------------------------------- the real server afterwards


def test_the_server_carries_on_from_the_seeded_now(seeded, tmp_path):
    """Seeding ends at the server's "now": starting right away fires nothing; weeks later each flow does
    what falls due once (November's reports open, overdue ones remind), and nothing fails."""
    url = seeded.clone(tmp_path)
    clock = ManualClock(NOW + timedelta(minutes=5))
    with instance_env(tmp_path / "instance"):
        app = make_app(url, clock=clock)
    try:
        with app.app_context():
            assert wake_due_instances() == 0
            clock.set(datetime(2026, 12, 14, 1, 0, tzinfo=UTC))
            active = db.session.scalar(select(func.count(ProcessInstance.id)).where(
                ProcessInstance.next_timer_at.is_not(None)))
            woken = wake_due_instances()
            assert 0 < woken <= active
            assert wake_due_instances() == 0  # nothing left due: no storm of repeated firings
            assert db.session.scalar(select(func.count()).select_from(ProcessInstance).where(
                ProcessInstance.status == InstanceStatus.ERROR)) == 0
            open_reports = db.session.execute(
                select(HumanTask.instance_id, func.count()).where(
                    HumanTask.task_name == "Task_Report", HumanTask.status == TaskStatus.OPEN)
                .group_by(HumanTask.instance_id)).all()
            assert len(open_reports) >= 5 and all(n == 1 for _, n in open_reports)
    finally:
        dispose(app)
        if seeded.backend == "postgres":
            postgres.drop_database(url.rsplit("/", 1)[1])


# ---------------------------------------------------------------- which year is shown


@pytest.mark.parametrize(("now", "year", "end"), [
    (datetime(2026, 11, 23, 1, 30, tzinfo=UTC), 2026, datetime(2026, 11, 23, 1, 30, tzinfo=UTC)),
    (datetime(2026, 3, 25, 1, 0, tzinfo=UTC), 2026, datetime(2026, 3, 25, 1, 0, tzinfo=UTC)),
    # Before February's report can be overdue, last year is shown, up to just after its December reports.
    (datetime(2026, 1, 5, 1, 0, tzinfo=UTC), 2025, datetime(2026, 1, 5, 1, 0, tzinfo=UTC)),
    (datetime(2026, 3, 1, 1, 0, tzinfo=UTC), 2025, datetime(2026, 1, 25, 16, 0, tzinfo=UTC)),
])
def test_the_year_shown_follows_the_clock(now, year, end):
    assert demo_year_for(now) == year
    assert plan_for(year, now).end == end


# ---------------------------------------------------------------- every form refuses bad input on its page


def _violations(schema: dict, posted: dict[str, str]) -> dict[str, str]:
    """A hostile edit of what the page would post: required fields blanked, numbers given as words."""
    props = schema.get("properties", {})
    changes = {name: "" for name in schema.get("required", []) if name in posted}
    for name, spec in props.items():
        if name in posted and spec.get("type") in ("number", "integer") and name not in changes:
            changes[name] = "一百"
    return changes


def test_every_form_with_work_waiting_shows_its_errors_on_the_page_and_keeps_the_input(seeded, tmp_path):
    """Issue 12.1, over every form the demo year leaves open work in (generated, not one test per form): the
    user who holds the step posts the page's own form with its checks broken; the page answers 422 with a
    message by each broken field, the other input kept, and the step stays open with nothing recorded."""
    from server.models import Role
    from server.services.scope import may_act_on_task
    from server.services.tasks import task_form
    from tests.support.html_form import form_fields
    from tests.web.conftest import Browser

    url = seeded.clone(tmp_path)
    with instance_env(tmp_path / "instance"):
        app = make_app(url, clock=ManualClock(NOW))
    try:
        with app.app_context():
            picks: dict[str, tuple[int, str, dict]] = {}
            users = db.session.scalars(select(User).where(User.active.is_(True))).all()
            for task in db.session.scalars(select(HumanTask).where(HumanTask.status == TaskStatus.OPEN)
                                           .order_by(HumanTask.id)):
                key = f"{task.instance.process_key}/{task.form_schema}"
                if not task.form_schema or key in picks:
                    continue
                actor = next((u for u in users if (task.assignee_id == u.id if task.assignee_id else
                              may_act_on_task(u, task) and Role.ADMIN not in u.roles)), None)
                schema, _ui = task_form(task)
                if actor is not None and schema:
                    picks[key] = (task.id, actor.username, schema)
        assert len(picks) >= 8, sorted(picks)  # the demo year leaves work waiting at most steps
        checked = []
        for key, (task_id, username, schema) in sorted(picks.items()):
            who = Browser(app.test_client())
            assert who.login(username).status_code == 302
            who.post(f"/tasks/{task_id}/claim")
            page = who.get(f"/tasks/{task_id}").get_data(as_text=True)
            posted = dict(form_fields(page, "task-form"))
            broken = _violations(schema, posted)
            if not broken:
                continue
            with app.app_context():
                lock = db.session.get(HumanTask, task_id).instance.lock_version
            resp = who.post(f"/tasks/{task_id}", {**posted, **broken})
            answer = resp.get_data(as_text=True)
            assert resp.status_code == 422, (key, resp.status_code)
            assert 'class="error-summary"' in answer, key
            for name in broken:
                assert f'id="e-f-{name}"' in answer, (key, name)  # the message sits by its field
            kept = dict(form_fields(answer, "task-form"))
            for name, value in posted.items():
                if name not in broken and name != "csrf_token" and value.strip():
                    assert kept.get(name, "").strip() != "", (key, name)  # the rest of the input is kept
            with app.app_context():
                task = db.session.get(HumanTask, task_id)
                assert task.status == TaskStatus.OPEN and task.instance.lock_version == lock, key
            checked.append(key)
        assert len(checked) >= 12, (checked, sorted(picks))
    finally:
        dispose(app)
        if seeded.backend == "postgres":  # the copy is this test's alone
            postgres.drop_database(url.rsplit("/", 1)[1])
# ---------------------------------------------------------------- the project page on a played year


def test_every_project_page_of_the_played_year_tells_its_story(seeded):
    """Issue 11.3 on real data: every project's page and approval sheets render for the office; the ledger
    project shows its months and the ledger entry, a project graded 中 its rectification and held payments."""
    import json
    import re

    from tests.web.conftest import Browser

    with seeded.app.app_context():
        ids = dict(db.session.execute(select(Project.name, Project.id)).tuples().all())
        reports = dict(db.session.execute(select(MonitoringReport.project_id, func.count())
                                          .group_by(MonitoringReport.project_id)).tuples().all())
    office = Browser(seeded.app.test_client())
    assert office.login("perf").status_code == 302
    for name, project_id in ids.items():
        for path in ("", "/print/reviews"):
            resp = office.get(f"/projects/{project_id}{path}")
            assert resp.status_code == 200, (name, path)
    ledger = office.get(f"/projects/{ids['2026年县实验小学操场改造']}").get_data(as_text=True)
    assert "10月底支出仍未破零" in ledger
    chart = json.loads(re.search(r'id="monitoring-data">(.*?)</script>', ledger, re.S).group(1))
    assert len(chart["points"]) == reports[ids["2026年县实验小学操场改造"]] == 4  # a mid-year project: July to October
    graded = office.get(f"/projects/{ids['2025年县水利工程站堤防巡查养护']}").get_data(as_text=True)
    assert 'data-figure="grade"><strong>中</strong>' in graded and "整改中" in graded and "暂缓拨付中" in graded

    sheets = office.get(f"/projects/{ids['2025年县第一中学课桌椅更新']}/print/reviews").get_data(as_text=True)
    # The office's review of the self-evaluation, signed and dated (from the audit trail) in its own row.
    assert re.search(r"自评审核</th>(?:(?!</tr>).)*绩效管理股(?:(?!</tr>).)*日期：\d{4}-\d{2}-\d{2}", sheets, re.S)

    school = Browser(seeded.app.test_client())
    assert school.login("school1").status_code == 302
    assert school.get(f"/projects/{ids['2025年县水利工程站堤防巡查养护']}").status_code == 404
