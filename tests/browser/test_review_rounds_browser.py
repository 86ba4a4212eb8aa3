"""Issue 12.8, 12.14 (notices), 12.7 and 12.13 in a browser on the demo county's year. 县教育局 claims a
事前评估 review: the inbox offers 放回待认领, never 退回, and on the task page 退回 is only the send-back decision;
sending it back says where it went and 县职业中学 gets a notice of the verdict. Revised, the review comes back
empty with round 1 readable beside the form. On a panel, 评价专家 吴刚 cannot read 郑丽's submitted score before
scoring himself; once he has submitted, the panel's scores are open to all."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.api.helpers import complete
from tests.browser.support import login, screenshot
from tests.browser.test_monitoring_browser import open_task
from tests.browser.test_warnings_browser import live_server  # noqa: F401  (the demo year behind a live server)
from tests.support.api import api_as
from tests.web import demo_year_db

year_db, year_url = demo_year_db.year_db, demo_year_db.year_url
PROJECT = "2027年县职业中学产教融合实训基地建设"  # its 主管部门审核 waits in 县教育局's pool
PANEL = "2027年县中型水库除险加固"  # 郑丽 has scored; 吴刚's score is still due
REVIEW, OPINION = "主管部门审核", "实训设备单价测算依据不足，请补充询价材料"
THEIRS = "大坝防渗方案可行，但临时工程费用偏高，建议核减。"  # 郑丽's opinion (server/flows/ex_ante/demo.py)
SENT_BACK = "“主管部门审核”已提交，已转 县职业中学"


def resubmit(app, username: str, task_name: str) -> None:
    """The unit files its step again as it stands (behind the page: not what this story is about)."""
    unit = api_as(app.test_client(), username)
    task = open_task(app, task_name, PROJECT)
    unit.post(f"/api/v1/tasks/{task.id}/claim")
    complete(unit, task.id, unit.get(f"/api/v1/tasks/{task.id}").get_json()["data"])


@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_reviews_release_send_back_and_repeat_cleanly_and_panels_score_blind(live_server, new_page):  # noqa: F811
    app = live_server.app
    head = new_page(width=1440)
    login(head, "edu_head")
    head.locator("#tab-claimable").click()
    head.locator("tr", has_text=PROJECT).get_by_role("button", name=f"认领：{REVIEW}").click()
    head.locator("#tab-mine").click()
    row = head.locator("tr", has_text=PROJECT)
    expect(row.get_by_role("button", name=f"放回待认领：{REVIEW}")).to_have_text("放回待认领")
    expect(row).not_to_contain_text("退回")
    screenshot(head, "issue12-inbox-release-wording")

    row.get_by_role("link", name=REVIEW, exact=True).click()
    expect(head.get_by_role("button", name="放回待认领（不再由我办理）")).to_be_visible()
    send_back = head.get_by_role("button", name=re.compile("退回"))
    expect(send_back).to_have_count(1)  # 退回 is the send-back decision, nothing else
    expect(send_back).to_have_attribute("value", "send_back")
    head.get_by_label("审核意见").fill(OPINION)
    screenshot(head, "issue12-review-round1")
    send_back.click()
    expect(head.get_by_text(re.compile(re.escape(SENT_BACK) + ".*填报项目入库申报书"))).to_be_visible()
    screenshot(head, "issue12-sent-back-handoff")

    unit = new_page(width=1440)
    login(unit, "zhizhong1")
    notice = unit.get_by_role("complementary", name="提醒").locator("li").filter(has_text=REVIEW).first
    expect(notice).to_contain_text(re.compile(r"主管部门审核 结果为“退回.*”（县教育局 陈华）"))
    screenshot(unit, "issue12-unit-notice-of-verdict")

    resubmit(app, "zhizhong1", "Task_Apply")
    resubmit(app, "zhizhong1", "Task_SelfAssess")
    head.goto(f"/tasks/{open_task(app, 'Task_DeptReview', PROJECT).id}")
    claim = head.get_by_role("button", name="认领", exact=True)
    if claim.count():  # the pool's task, or back with its earlier reviewer
        claim.click()
    expect(head.get_by_label("审核意见")).to_have_value("")  # round 2 starts empty
    expect(head.locator("#task-form")).not_to_contain_text(OPINION)
    expect(head.get_by_text(OPINION).first).to_be_visible()  # round 1 readable beside the form
    expect(head.locator("body")).to_contain_text(re.compile(r"主管部门审核 · 第 1 轮 · 退回"))
    screenshot(head, "issue12-review-round2-empty")

    # A panel: 吴刚 scores without seeing 郑丽's submitted score; afterwards the whole panel is open.
    expert = new_page(width=1440)
    login(expert, "expert1")
    expert.goto(f"/tasks/{open_task(app, 'Task_ExpertScore', PANEL).id}")
    expect(expert.locator("body")).not_to_contain_text(THEIRS)
    expect(expert.get_by_text("评分和意见在全部成员提交后公开")).to_be_visible()
    for label, score in (("立项必要性", "18"), ("投入经济性", "14"), ("绩效目标合理性", "16"),
                         ("实施方案可行性", "17"), ("筹资合规性", "18")):
        expert.get_by_label(f"{label}（20 分）").fill(score)
    expert.get_by_label("建议结论").select_option(label="调整后支持")
    expert.get_by_label("评审意见").fill("除险加固必要，建议核减监测设备费用")
    screenshot(expert, "issue12-panel-blind")
    expert.get_by_role("button", name="提交", exact=True).click()
    expect(expert.get_by_text(re.compile("“专家评审打分”已提交"))).to_be_visible()
    expert.goto(f"/instances/{open_task(app, 'Task_OfficeAssess', PANEL).instance_id}")
    theirs = expert.locator(".timeline li").filter(has_text="评价专家 郑丽").filter(has_text="提交")
    theirs.get_by_text("提交的数据").click()
    expect(theirs.locator("details")).to_have_attribute("open", "")
    expect(theirs.locator("details")).to_contain_text(THEIRS)
    expect(expert.locator("body")).to_contain_text("除险加固必要，建议核减监测设备费用")
    expect(expert.get_by_text("评分和意见在全部成员提交后公开")).to_have_count(0)
    screenshot(expert, "issue12-panel-open")
