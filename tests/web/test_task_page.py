"""The task page over the Flask test client, with the shipped 先评估后入库 flow on SQLite and PostgreSQL:
claim, a refused submit with field errors and the input kept, the corrected submit, decision buttons for
the reviewer, save-as-draft, CSRF, and what other organisations get (404)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from server.db import db
from server.models import AuditEvent, HumanTask, ProcessInstance, TaskStatus, User
from server.services import drafts
from server.services.drafts import MAX_DRAFT_BYTES
from server.services.errors import ValidationFailed
from tests.api.helpers import complete, deploy_folder, start, tasks
from tests.flows_ex_ante.conftest import FLOW_DIR, KEY, SELF_SCORES, application, only
from tests.web.conftest import add_user


@pytest.fixture
def ex_ante(login_as) -> None:
    resp = deploy_folder(login_as("admin"), KEY, FLOW_DIR)
    assert resp.status_code == 201, resp.get_json()


@pytest.fixture
def applying(login_as, ex_ante) -> dict:
    """school1 has started an application; its 填报项目入库申报书 task waits, unclaimed."""
    inst = start(login_as("school1"), KEY)
    return {"instance": inst["id"], "task": only(inst["open_tasks"], "Task_Apply")["id"]}


def form_fields(app_data: dict) -> dict[str, str]:
    """An application as the browser posts it: every value a string, rows as dotted names."""
    out: dict[str, str] = {}
    for key, value in app_data.items():
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    out.update({f"{key}.{i}.{k}": str(v) for k, v in item.items()})
                else:
                    out[f"{key}.{i}"] = str(item)
            out[f"{key}.__present"] = "1"
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = str(value)
    return out


def task_row(app, task_id: int) -> HumanTask:
    with app.app_context():
        row = db.session.get(HumanTask, task_id)
        db.session.expunge(row)
        return row


def field_html(page: str, dom_id: str) -> str:
    """The markup of one field's wrapper (from its control to the end of its notes)."""
    start_at = page.index(f'id="{dom_id}"')
    return page[start_at:start_at + 1500]


def test_unit_claims_is_refused_with_field_errors_and_input_kept_then_submits(app, browser, applying):
    school = browser("school1")
    page = school.get(f"/tasks/{applying['task']}").get_data(as_text=True)
    assert "此任务尚未认领" in page and '<fieldset class="form-body" disabled>' in page
    assert "保存草稿" not in page  # nothing to save until the task is claimed

    resp = school.post(f"/tasks/{applying['task']}/claim")
    assert resp.status_code == 303 and task_row(app, applying["task"]).assignee_id is not None
    page = school.get(f"/tasks/{applying['task']}").get_data(as_text=True)
    assert "已认领，可以开始办理" in page and '<fieldset class="form-body">' in page

    bad = form_fields(application())
    bad.update({"amount": "八十万", "project_name": "", "budget_items.0.amount": "700000",
                "necessity": "很必要<script>alert(1)</script>"})
    resp = school.post(f"/tasks/{applying['task']}", bad)
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "请修改以下" in page
    assert "应为数字" in field_html(page, "f-amount") and 'value="八十万"' in field_html(page, "f-amount")
    assert "此项为必填项" in field_html(page, "f-project_name")
    assert 'value="刘洋 0000-1234567"' in page  # the other fields are kept as typed
    assert "很必要&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in page and "<script>alert(1)" not in page
    assert 'name="budget_items.0.amount" value="700000.00"' in page
    assert task_row(app, applying["task"]).status == TaskStatus.OPEN

    # A sum rule the server checks after the types are right: 申报金额 must equal the budget rows.
    bad = form_fields(application())
    bad["budget_items.0.amount"] = "700000"
    resp = school.post(f"/tasks/{applying['task']}", bad)
    assert resp.status_code == 422
    assert "申报金额应等于预算测算明细合计（700000.00 元）" in field_html(resp.get_data(as_text=True), "f-amount")

    resp = school.post(f"/tasks/{applying['task']}", form_fields(application()))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/inbox")
    inbox_page = school.get("/inbox").get_data(as_text=True)
    assert "“填报项目入库申报书”已提交，已转 县第一中学（实施单位）：" in inbox_page  # where it went
    assert task_row(app, applying["task"]).status == TaskStatus.COMPLETED
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.task_id == applying["task"],
                                                           AuditEvent.action == "complete"))
        assert event.data["amount"] == 800000 and event.data["fiscal_year"] == 2027
        assert event.data["budget_items"][0]["amount"] == 800000


def test_reviewer_claims_and_sends_back_with_the_decision_buttons(app, browser, login_as, applying):
    school = login_as("school1")
    complete(school, applying["task"], application())
    complete(school, only(tasks(school, "claimable"), "Task_SelfAssess")["id"], SELF_SCORES)
    review_id = only(tasks(login_as("edu_head"), "claimable"), "Task_DeptReview")["id"]

    head = browser("edu_head")
    page = head.get(f"/tasks/{review_id}").get_data(as_text=True)
    assert "县第一中学教学楼维修改造" in page and "800,000.00 元" in page  # the project's context
    assert "单位自评" in page and "项目必要、方案可行，申请予以支持。" in page  # earlier opinions
    head.post(f"/tasks/{review_id}/claim")
    page = head.get(f"/tasks/{review_id}").get_data(as_text=True)
    assert re.search(r'<button type="submit" name="dept_decision" value="pass"\s+class="primary">审核通过，报送财政</button>', page)
    assert re.search(r'name="dept_decision" value="send_back"\s+class="danger">退回单位修改</button>', page)
    assert '<select id="f-dept_decision"' not in page

    # A decision without the required opinion: the opinion is named, the decision is not lost on the way.
    resp = head.post(f"/tasks/{review_id}", {"dept_decision": "send_back", "dept_opinion": ""})
    assert resp.status_code == 422 and "此项为必填项" in field_html(resp.get_data(as_text=True), "f-dept_opinion")
    resp = head.post(f"/tasks/{review_id}", {"dept_decision": "send_back", "dept_opinion": "预算测算依据不足，请补充"})
    assert resp.status_code == 302

    back = only(tasks(school, "mine"), "Task_Apply")  # back with whoever filed it
    unit = browser("school1")
    page = unit.get(f"/tasks/{back['id']}").get_data(as_text=True)
    history = page.split("办理记录")[1]
    assert "主管部门审核" in history and "退回单位修改" in history and "预算测算依据不足，请补充" in history
    assert 'name="amount" value="800000.00"' in page  # the form starts from what was filed


def test_draft_is_saved_restored_and_never_touches_the_flow(app, browser, applying):
    school = browser("school1")
    with app.app_context():
        before = db.session.get(ProcessInstance, applying["instance"])
        state, lock = before.state, before.lock_version

    # Saving an unclaimed task offered to the user claims it first.
    resp = school.post(f"/tasks/{applying['task']}/draft",
                       {"project_name": "县第一中学<b>操场</b>", "amount": "大约八十万", "budget_items.4.item": "跑道"})
    assert resp.status_code == 303
    row = task_row(app, applying["task"])
    assert row.assignee_id is not None and row.draft_saved_at is not None
    page = school.get(f"/tasks/{applying['task']}").get_data(as_text=True)
    assert "草稿已保存" in page and "已载入您于 2026-01-05 09:00 保存的草稿" in page
    assert 'value="县第一中学&lt;b&gt;操场&lt;/b&gt;"' in page and 'value="大约八十万"' in page
    assert 'name="budget_items.0.item" value="跑道"' in page
    with app.app_context():
        after = db.session.get(ProcessInstance, applying["instance"])
        assert (after.state, after.lock_version) == (state, lock)

    # A colleague of the same unit may read the task but not write into someone else's draft.
    add_user(app, "school1b", like="school1")
    other = browser("school1b")
    assert other.get(f"/tasks/{applying['task']}").status_code == 200
    resp = other.post(f"/tasks/{applying['task']}/draft", {"amount": "1"})
    assert resp.status_code == 303 and "只有任务的办理人可以保存草稿" in other.get(
        f"/tasks/{applying['task']}").get_data(as_text=True)
    assert "大约八十万" in task_row(app, applying["task"]).draft

    resp = school.post(f"/tasks/{applying['task']}", form_fields(application()))
    assert resp.status_code == 302
    row = task_row(app, applying["task"])
    assert row.status == TaskStatus.COMPLETED and row.draft is None and row.draft_saved_at is None


def test_discarding_a_draft_goes_back_to_the_flow_data(app, browser, applying):
    school = browser("school1")
    school.post(f"/tasks/{applying['task']}/draft", {"project_name": "草稿名称"})
    assert "草稿名称" in school.get(f"/tasks/{applying['task']}").get_data(as_text=True)
    resp = school.post(f"/tasks/{applying['task']}/draft/discard")
    assert resp.status_code == 303
    page = school.get(f"/tasks/{applying['task']}").get_data(as_text=True)
    assert "草稿已清除" in page and "草稿名称" not in page and task_row(app, applying["task"]).draft is None


def test_posts_without_the_csrf_token_are_refused(app, browser, applying):
    school = browser("school1")
    school.post(f"/tasks/{applying['task']}/claim")
    for path, data in ((f"/tasks/{applying['task']}", form_fields(application())),
                       (f"/tasks/{applying['task']}/draft", {"amount": "1"}),
                       (f"/tasks/{applying['task']}/unclaim", {})):
        assert school.post(path, data, csrf=False).status_code == 400, path
        assert school.post(path, {**data, "csrf_token": "forged"}, csrf=False).status_code == 400, path
    row = task_row(app, applying["task"])
    assert row.status == TaskStatus.OPEN and row.draft is None and row.assignee_id is not None


def test_another_organisation_gets_404_for_every_task_path(app, browser, applying):
    water = browser("water1")  # unit staff too, but of 县水利工程站
    tid = applying["task"]
    for path in (f"/tasks/{tid}",):
        resp = water.get(path)
        assert resp.status_code == 404 and "县第一中学" not in resp.get_data(as_text=True)
    for path in (f"/tasks/{tid}", f"/tasks/{tid}/draft", f"/tasks/{tid}/claim", f"/tasks/{tid}/unclaim",
                 f"/tasks/{tid}/draft/discard"):
        resp = water.post(path, form_fields(application()))
        assert resp.status_code == 404, path
        assert "县第一中学" not in resp.get_data(as_text=True)
    row = task_row(app, tid)
    assert row.assignee_id is None and row.draft is None and row.status == TaskStatus.OPEN
    # The reviewers of another department, and anonymous visitors, see nothing either.
    assert browser("water_head").get(f"/tasks/{tid}").status_code == 404
    anonymous = browser(None).get(f"/tasks/{tid}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


@pytest.mark.parametrize("path", ["/tasks/abc", "/tasks/-1", "/tasks/1.5", "/tasks/99999999999999999999",
                                  "/tasks/%3Cscript%3E"])
def test_non_numeric_or_unknown_task_ids_are_404(browser, path):
    assert browser("school1").get(path).status_code == 404


def test_hostile_posts_get_clear_answers_never_500(app, browser, applying):
    school = browser("school1")
    tid = applying["task"]
    school.post(f"/tasks/{tid}/claim")
    hostile = form_fields(application())
    hostile.update({"fiscal_year": ["2027", "2028"], "lane_owners.expert": "school1", "project_code": "X",
                    "budget_items.0.amount": "1e999999", "materials.0": "申" * 200})
    resp = school.post(f"/tasks/{tid}", hostile)
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "不能超过 100 个字符" in page and "数字过大" in page
    # Far more than the app accepts in one request: refused before any parsing.
    resp = school.post(f"/tasks/{tid}", {"necessity": "长" * (3 * 1024 * 1024)})
    assert resp.status_code == 413
    resp = school.post(f"/tasks/{tid}/draft", {f"materials.{i}": "材" * 2000 for i in range(150)})
    assert resp.status_code == 413 and task_row(app, tid).draft is None
    # The service's own bound, for callers other than this page: a clear refusal, nothing stored.
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == "school1"))
        with pytest.raises(ValidationFailed, match="草稿内容过多"):
            drafts.save_draft(tid, user, {"necessity": "长" * MAX_DRAFT_BYTES})
    assert task_row(app, tid).draft is None and task_row(app, tid).status == TaskStatus.OPEN


def test_someone_else_holding_the_task_gets_a_message_not_a_crash(app, browser, applying):
    add_user(app, "school1b", like="school1")
    holder, other = browser("school1"), browser("school1b")
    holder.post(f"/tasks/{applying['task']}/claim")
    page = other.get(f"/tasks/{applying['task']}").get_data(as_text=True)
    assert "您只能查看" in page and "提交</button>" not in page
    resp = other.post(f"/tasks/{applying['task']}", form_fields(application()))
    assert resp.status_code == 403 and "您无权办理此任务" in resp.get_data(as_text=True)
    resp = other.post(f"/tasks/{applying['task']}/claim")
    assert "任务已被他人认领" in unescape(other.get(f"/tasks/{applying['task']}").get_data(as_text=True))
    assert task_row(app, applying["task"]).status == TaskStatus.OPEN


def test_a_done_task_shows_what_was_submitted(app, browser, login_as, applying):
    complete(login_as("school1"), applying["task"], application())
    page = browser("school1").get(f"/tasks/{applying['task']}").get_data(as_text=True)
    assert "已办结" in page and "<form method=\"post\" action=\"/tasks/" not in page
    submitted = page.split('class="data-rows"')[1]
    assert "申报金额（元，年度资金总额）" in submitted and "800000.00 元" in submitted
    assert "新增项目" in submitted and "结构加固及维修" in submitted and "申报书、实施方案" in submitted
