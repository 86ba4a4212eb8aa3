"""The instance page: the diagram (the instance's own version) with done and current steps, the timeline of
audit events with the data submitted at each step as readable tables, the open tasks — and 404 outside scope."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from tests.api.helpers import complete, deploy_folder, start, tasks
from tests.flows_ex_ante.conftest import FLOW_DIR, KEY, SELF_SCORES, Users, application, deploy_variant, only


@pytest.fixture
def ex_ante(login_as) -> None:
    resp = deploy_folder(login_as("admin"), KEY, FLOW_DIR)
    assert resp.status_code == 201, resp.get_json()


@pytest.fixture
def filed(login_as, ex_ante) -> int:
    """school1 filed its application and self-assessment; 主管部门审核 waits for 县教育局."""
    school = login_as("school1")
    inst = start(school, KEY)
    complete(school, only(inst["open_tasks"], "Task_Apply")["id"], application())
    complete(school, only(tasks(school, "claimable"), "Task_SelfAssess")["id"], SELF_SCORES)
    return inst["id"]


def marked(page: str, name: str) -> list[str]:
    found = re.search(rf'data-{name}="([^"]*)"', page)
    assert found, name
    return json.loads(unescape(found.group(1)))


def test_instance_page_shows_done_and_current_steps_timeline_and_open_tasks(browser, filed):
    page = browser("school1").get(f"/instances/{filed}").get_data(as_text=True)
    done, current = marked(page, "done"), marked(page, "current")
    assert {"StartEvent_Apply", "Task_Apply", "Task_SelfAssess"} <= set(done)
    assert current == ["Task_DeptReview"] and "Task_DeptReview" not in done
    assert f'data-diagram-url="/instances/{filed}/diagram.bpmn"' in page
    assert "/vendor/bpmn-navigated-viewer.js" in page and "/static/js/diagram.js" in page

    open_block = page.split('id="open-title"')[1].split("</section>")[0]
    assert "主管部门审核" in open_block and "待认领" in open_block and "/tasks/" in open_block

    timeline = page.split('id="timeline-title"')[1]
    entries = re.findall(r'<p class="timeline-head"><time>([^<]+)</time>\s*<span class="long-text">([^<]+)</span>'
                         r'\s*<strong>([^<]+)</strong>', timeline)
    assert [(who, what) for _at, who, what in entries] == [
        ("县第一中学 刘洋", "发起流程"), ("县第一中学 刘洋", "提交"), ("县第一中学 刘洋", "提交")]
    assert entries[0][0] == "2026-01-05 09:00"  # county time, not UTC
    # The submitted application as a readable table: form titles, money in 元, enum titles, budget rows.
    assert "申报金额（元，年度资金总额）" in timeline and "800000.00 元" in timeline and "新增项目" in timeline
    assert "<th scope=\"col\">支出内容</th>" in timeline and "结构加固及维修" in timeline
    assert "立项必要性（20 分）" in timeline and "项目必要、方案可行，申请予以支持。" in timeline


def test_completed_instance_has_no_open_tasks_and_its_end_is_done(browser, login_as, ex_ante):
    school = login_as("school1")
    inst = start(school, KEY)
    data = application(project_type="continuing", period_expired=False, start_year=2025, amount=300000)
    complete(school, only(inst["open_tasks"], "Task_Apply")["id"], data)  # exempt: straight into the library
    page = browser("school1").get(f"/instances/{inst['id']}").get_data(as_text=True)
    assert "已办结" in page and "没有待办任务" in page
    assert marked(page, "current") == [] and any(e.startswith("EndEvent") for e in marked(page, "done"))


def test_diagram_is_the_instance_own_version_and_is_served_as_data(browser, login_as, filed):
    # A newer version renames a step; the running instance keeps drawing its own.
    deploy_variant(Users(login_as), {"ex_ante.bpmn": ('name="主管部门审核"', 'name="主管部门审核（新版）"')})
    resp = browser("school1").get(f"/instances/{filed}/diagram.bpmn")
    assert resp.status_code == 200
    xml = resp.get_data(as_text=True)
    assert xml.startswith("<?xml") and 'id="Task_DeptReview" name="主管部门审核"' in xml and "新版" not in xml
    assert 'name="实施单位"' in xml and 'name="unit_staff"' not in xml  # lanes by role name (issue 12.6)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in resp.headers["Content-Security-Policy"]
    assert resp.headers["Content-Disposition"].startswith("attachment")


def test_scope_other_organisations_get_404_for_page_and_diagram(browser, filed):
    for who in ("water1", "water_head", "fin_agri", "expert1"):
        b = browser(who)
        for path in (f"/instances/{filed}", f"/instances/{filed}/diagram.bpmn"):
            resp = b.get(path)
            assert resp.status_code == 404, (who, path)
            assert "县第一中学" not in resp.get_data(as_text=True) and "<bpmn" not in resp.get_data(as_text=True)
    # The unit's own department, the finance section of its sector and the county offices may look.
    for who in ("edu_head", "fin_edu", "perf"):
        assert browser(who).get(f"/instances/{filed}").status_code == 200, who
    anonymous = browser(None).get(f"/instances/{filed}/diagram.bpmn")
    assert anonymous.status_code in (302, 401) and "<bpmn" not in anonymous.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/instances/abc", "/instances/-3", "/instances/99999999999999999999",
                                  "/instances/99999999999999999999/diagram.bpmn", "/instances/123456",
                                  "/instances/1.5/diagram.bpmn"])
def test_unknown_or_malformed_instance_ids_are_404(browser, ex_ante, path):
    assert browser("perf").get(path).status_code == 404


def test_hostile_text_in_submitted_data_is_escaped_on_the_page(browser, login_as, ex_ante):
    school = login_as("school1")
    inst = start(school, KEY)
    name = '<img src=x onerror=alert(1)>县第一中学“教学楼”维修改造工程（一期）附属设施及配套管网改造项目'
    complete(school, only(inst["open_tasks"], "Task_Apply")["id"], application(project_name=name))
    page = browser("school1").get(f"/instances/{inst['id']}").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
