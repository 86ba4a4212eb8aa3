"""发起 (/start) through the pages, as a browser posts them: what each user is offered, a new project filed from
the start page (start and first step in one transaction), the other starts, and hostile input — unknown flows,
another unit's project, an ineligible one, no CSRF token, garbage, a double submit — never a 500, nothing half-saved.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from server.db import db
from server.models import HumanTask, ProcessInstance, Project, TaskStatus
from tests.flows_ex_ante.conftest import application
from tests.start import county
from tests.web.test_task_page import field_html, form_fields


@pytest.fixture
def shipped(app):
    county.setup(app)


def count(app, model, **where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def token_of(page: str, key: str) -> str:
    found = re.search(rf'action="/start/{key}"[^>]*>.*?name="start_token" value="([^"]+)"', page, re.S)
    assert found, f"no start form for {key}"
    return found.group(1)


def test_the_start_page_offers_each_user_their_own_starts(app, browser, shipped):
    page = browser("school1").get("/start").get_data(as_text=True)
    assert 'href="/start"' in page and ">发起</a>" in page  # the navigation links it
    assert "新建项目申报" in page and 'href="/start/ex_ante"' in page
    assert '<option value="S-AWAIT"' in page and "W-APPR" not in page  # only the unit's own projects
    assert "本单位暂无符合条件的项目" not in page

    water = browser("water1").get("/start").get_data(as_text=True)
    assert '<option value="W-APPR"' in water and "S-APPR" not in water
    assert "本单位暂无符合条件的项目" in water  # goal_review: nothing awaiting goals at the water station

    perf = browser("perf").get("/start").get_data(as_text=True)
    assert "按年度批量发起" in perf and 'action="/start/batch/monitoring"' in perf and "新建项目申报" not in perf

    admin = browser("admin")
    assert ">发起</a>" in admin.get("/inbox").get_data(as_text=True)
    assert "按年度批量发起" in admin.get("/start").get_data(as_text=True)  # administrators may run a batch too

    fin = browser("fin_edu")
    assert ">发起</a>" not in fin.get("/inbox").get_data(as_text=True)
    assert fin.get("/start").status_code == 403
    assert fin.get("/start/ex_ante").status_code == 403
    assert fin.get("/start/batch/monitoring?fiscal_year=2026").status_code == 403


def test_a_unit_files_a_new_project_in_one_step_and_is_told_where_it_went(app, browser, shipped):
    school = browser("school1")
    page = school.get("/start/ex_ante").get_data(as_text=True)
    assert "填报项目入库申报书" in page or "项目入库申报书" in page
    token = re.search(r'name="start_token" value="([^"]+)"', page).group(1)

    bad = {**form_fields(application()), "amount": "八十万", "project_name": "", "start_token": token}
    resp = school.post("/start/ex_ante", bad)
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "应为数字" in field_html(page, "f-amount") and 'value="八十万"' in field_html(page, "f-amount")
    assert "此项为必填项" in field_html(page, "f-project_name")
    assert 'value="刘洋 0000-1234567"' in page  # the rest kept as typed
    assert count(app, ProcessInstance, process_key="ex_ante") == 0 and count(app, Project) == len(county.PROJECTS)

    token = re.search(r'name="start_token" value="([^"]+)"', page).group(1)
    good = {**form_fields(application()), "start_token": token}
    resp = school.post("/start/ex_ante", good)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    target = resp.headers["Location"]
    assert count(app, ProcessInstance, process_key="ex_ante") == 1
    assert count(app, Project) == len(county.PROJECTS) + 1
    with app.app_context():
        open_tasks = db.session.scalars(select(HumanTask).where(HumanTask.status == TaskStatus.OPEN,
                                                                HumanTask.process_key == "ex_ante")).all()
        assert [t.task_name for t in open_tasks] == ["Task_SelfAssess"]  # the application is filed
        assert target.endswith(f"/tasks/{open_tasks[0].id}")
    shown = school.get(target).get_data(as_text=True)
    assert "已发起" in shown and "请继续办理“单位事前绩效自评”" in shown
    assert "此任务尚未认领" not in shown and '<fieldset class="form-body">' in shown  # held by the starter

    again = school.post("/start/ex_ante", good)  # the same form posted twice
    assert again.status_code == 303 and again.headers["Location"] == target
    assert "此表单已经提交过，未重复发起" in school.get(target).get_data(as_text=True)
    assert count(app, ProcessInstance, process_key="ex_ante") == 1


def test_a_unit_starts_goals_for_its_project_and_lands_on_the_goal_table(app, browser, shipped):
    school = browser("school1")
    page = school.get("/start/goal_review?project_code=S-AWAIT").get_data(as_text=True)
    assert re.search(r'<option value="S-AWAIT"[^>]*selected', page)
    token = re.search(r'name="start_token" value="([^"]+)"', page).group(1)
    resp = school.post("/start/goal_review", {"project_code": "S-AWAIT", "start_token": token})
    assert resp.status_code == 303
    shown = school.get(resp.headers["Location"]).get_data(as_text=True)
    assert "绩效目标申报表" in shown and "已发起“绩效目标编审”" in shown
    assert "此任务尚未认领" not in shown and '<fieldset class="form-body">' in shown
    assert '<option value="S-AWAIT"' not in school.get("/start").get_data(as_text=True)


def test_monitoring_started_by_the_unit_waits_for_its_first_month(app, browser, shipped):
    school = browser("school1")
    token = token_of(school.get("/start").get_data(as_text=True), "monitoring")
    resp = school.post("/start/monitoring", {"project_code": "S-APPR", "start_token": token})
    assert resp.status_code == 303 and "/instances/" in resp.headers["Location"]
    shown = school.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已发起“绩效运行监控·纠偏”，流程进入等待（到期后自动继续）。" in shown


@pytest.mark.parametrize("code, reason", [
    ("W-APPR", "another unit's project"),
    ("S-AWAIT", "not eligible for monitoring (goals not approved)"),
    ("申" * 5000, "oversized"),
    ("S-APPR\x00", "a NUL byte"),
    ("", "nothing chosen"),
])
def test_a_project_not_offered_is_refused_with_a_field_error(app, browser, shipped, code, reason):
    school = browser("school1")
    token = token_of(school.get("/start").get_data(as_text=True), "monitoring")
    resp = school.post("/start/monitoring", {"project_code": code, "start_token": token})
    assert resp.status_code in (400, 422), reason
    if resp.status_code == 422:
        assert "f-project_code" in resp.get_data(as_text=True)
    assert count(app, ProcessInstance, process_key="monitoring") == 0


def test_unknown_flows_missing_tokens_and_csrf_are_refused(app, browser, shipped):
    school = browser("school1")
    assert school.get("/start/nothing").status_code == 404
    assert school.post("/start/nothing", {"project_code": "S-APPR"}).status_code == 404
    assert school.get("/start/batch/monitoring?fiscal_year=2026").status_code == 403  # the office's only
    resp = school.post("/start/ex_ante", form_fields(application()))  # no start token: an old or forged form
    assert resp.status_code == 400 and "表单已过期" in resp.get_data(as_text=True)
    token = token_of(school.get("/start").get_data(as_text=True), "monitoring")
    resp = school.post("/start/monitoring", {"project_code": "S-APPR", "start_token": token}, csrf=False)
    assert resp.status_code == 400
    assert count(app, ProcessInstance) == 0


def test_the_office_previews_and_runs_a_year_without_javascript(app, browser, shipped):
    perf = browser("perf")
    page = perf.get("/start/batch/monitoring?fiscal_year=2026").get_data(as_text=True)
    assert "将发起 2 个项目，跳过 2 个。" in page
    assert 'name="codes" value="S-APPR"' in page and 'name="codes" value="W-APPR"' in page
    assert "绩效目标未批复（待编制绩效目标）" in page and "未入库（事前评估中）" in page
    for bad in ("", "abc", "20266", "1999", "２０２６"):
        assert perf.get(f"/start/batch/monitoring?fiscal_year={bad}").status_code == 422
    assert perf.get("/start/batch/goal_review?fiscal_year=2026").status_code == 404

    resp = perf.post("/start/batch/monitoring", {"fiscal_year": "2026", "codes": ["W-APPR", "S-AWAIT"]})
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "已发起 1 个，跳过 1 个。" in page and "S-AWAIT" in page and "不符合条件或已发起" in page
    with app.app_context():
        iid = db.session.scalar(select(ProcessInstance.id).where(ProcessInstance.business_key == "W-APPR"))
    assert f'href="/instances/{iid}"' in page
    assert perf.post("/start/batch/monitoring", {"fiscal_year": "2026"}).status_code == 422  # nothing chosen
    assert perf.post("/start/batch/monitoring", {"fiscal_year": "2026", "codes": ["W-APPR"]},
                     csrf=False).status_code == 400


def test_the_progress_bar_posts_chunks_and_gets_json(app, browser, shipped):
    perf = browser("perf")
    perf.get("/start/batch/monitoring?fiscal_year=2026")
    headers = {"X-CSRFToken": perf.token}
    url = "/start/batch/monitoring/chunk"
    resp = perf.client.post(url, json={"fiscal_year": 2026, "codes": ["S-APPR", "NOPE"]}, headers=headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert [r["project_code"] for r in body["started"]] == ["S-APPR"]
    assert body["started"][0]["url"].startswith("/instances/")
    assert body["skipped"] == [{"project_code": "NOPE", "name": "", "reason": "不符合条件或已发起"}]
    for bad in ({"fiscal_year": 2026, "codes": "S-APPR"}, {"fiscal_year": True, "codes": ["S-APPR"]},
                {"fiscal_year": 2026, "codes": [1, 2]}, {"fiscal_year": 2026, "codes": ["x"] * 51}, [1, 2]):
        resp = perf.client.post(url, json=bad, headers=headers)
        assert resp.status_code == 422 and resp.get_json()["error"] == "validation_failed", bad
    assert perf.client.post(url, json={"fiscal_year": 2026, "codes": ["W-APPR"]}).status_code == 400  # no CSRF
    school = browser("school1")
    resp = school.client.post(url, json={"fiscal_year": 2026, "codes": ["W-APPR"]},
                              headers={"X-CSRFToken": school.token})
    assert resp.status_code == 403 and resp.get_json()["error"] == "forbidden"
    assert count(app, ProcessInstance, process_key="monitoring") == 1


def test_the_project_actions_partial_offers_what_each_user_may_start(app, shipped):
    from flask import render_template_string
    from flask_login import login_user

    from server.models import User

    def actions(username: str, code: str) -> str:
        with app.test_request_context():
            user = db.session.scalar(select(User).where(User.username == username))
            login_user(user)
            project = db.session.scalar(select(Project).where(Project.code == code))
            return render_template_string('{% include "start/_project_actions.html" %}', project=project)

    school = actions("school1", "S-APPR")
    assert 'href="/start/goal_adjust?project_code=S-APPR"' in school and "申请调整绩效目标" in school
    assert 'href="/start/monitoring?project_code=S-APPR"' in school and "报送运行监控" in school
    assert actions("school1", "S-APPLIED").strip() == ""  # nothing to start for it yet
    assert actions("water1", "S-APPR").strip() == ""  # another unit's project
    office = actions("perf", "W-APPR")
    assert 'href="/start/batch/monitoring?fiscal_year=2026"' in office and "批量发起绩效运行监控" in office
    assert "/start/batch/evaluation?fiscal_year=2026" in office
    assert actions("perf", "S-AWAIT").strip() == "" and actions("fin_edu", "W-APPR").strip() == ""


def test_garbage_in_the_application_is_a_field_error_and_starts_nothing(app, browser, shipped):
    school = browser("school1")
    page = school.get("/start/ex_ante").get_data(as_text=True)
    token = re.search(r'name="start_token" value="([^"]+)"', page).group(1)
    junk = {**form_fields(application()), "start_token": token, "amount": "1e999999", "materials.0": "申" * 200,
            "budget_items.5000.item": "多出来的行", "fiscal_year": "-1", "project_type": "<script>", "extra": "x"}
    resp = school.post("/start/ex_ante", junk)
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "f-amount" in page and "<script>" not in page.split("</header>", 1)[1].split("<script src")[0]
    assert count(app, ProcessInstance) == 0 and count(app, Project) == len(county.PROJECTS)


def test_a_flow_failing_at_the_first_step_keeps_the_input_and_leaves_nothing(app, browser, shipped, monkeypatch):
    from server.services import start_options
    from server.services.tasks import StepFailed

    def failing(task_id, actor, data):
        raise StepFailed(0, RuntimeError("psycopg: SELECT * FROM secrets"))

    monkeypatch.setattr(start_options, "complete_in_transaction", failing)
    school = browser("school1")
    token = re.search(r'name="start_token" value="([^"]+)"', school.get("/start/ex_ante").get_data(as_text=True))
    resp = school.post("/start/ex_ante", {**form_fields(application()), "start_token": token.group(1)})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "流程执行出错，本次提交未保存" in page and "错误编号 E-" in page and "SELECT" not in page
    assert 'value="刘洋 0000-1234567"' in page
    assert count(app, ProcessInstance) == 0 and count(app, Project) == len(county.PROJECTS)
