"""The inbox in a real browser: counts, live filtering (htmx), claim and bulk claim, the language switch,
and layouts that hold on a laptop and a tablet with long Chinese names."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.api.helpers import FLOWS, deploy_folder
from tests.browser.support import login, logout, open_menu, screenshot
from tests.support.api import api_as
from tests.web.conftest import apply

LONG_NAME = "县第一中学教学楼及附属设施（含学生宿舍、食堂、图书馆、体育馆）抗震加固与综合改造提升工程（二期）"


@pytest.fixture
def county(live_server):
    client = live_server.app.test_client()
    assert deploy_folder(api_as(client, "admin"), "review", FLOWS / "review").status_code == 201
    school, water = api_as(client, "school1"), api_as(client, "water1")
    apply(school, "县第一中学校舍维修改造工程", 480_000)
    apply(school, "县第一中学理化生实验室设备购置", 120_000)
    apply(school, LONG_NAME, 980_000)
    apply(water, "县水利工程站灌区渠道清淤", 260_000)


def count(page, tab: str):
    return page.locator(f'[data-count="{tab}"]')


def test_reviewer_filters_claims_and_bulk_claims(browser_page, county):
    page = browser_page
    login(page, "fin_edu")
    expect(count(page, "mine")).to_have_text("0")
    expect(count(page, "claimable")).to_have_text("3")

    page.get_by_role("link", name=re.compile("可认领")).click()
    rows = page.locator("table.tasks tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("table.tasks")).not_to_contain_text("水利")

    # Typing filters the list in place (htmx) and the address bar keeps the filter.
    page.get_by_label("搜索项目名称或编码").fill("实验室")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("理化生实验室设备购置")
    expect(page).to_have_url(re.compile(r"q=%E5%AE%9E%E9%AA%8C%E5%AE%A4"))
    page.get_by_label("搜索项目名称或编码").fill("")
    expect(rows).to_have_count(3)
    page.get_by_label("排序").select_option("amount")
    expect(rows.first).to_contain_text("抗震加固")

    # Bulk claim two, then claim the last one on its own.
    bulk = page.get_by_role("button", name=re.compile("认领所选"))
    expect(bulk).to_be_disabled()
    page.get_by_role("checkbox", name=re.compile("选择：")).nth(0).check()
    page.get_by_role("checkbox", name=re.compile("选择：")).nth(1).check()
    expect(bulk).to_contain_text("2")
    bulk.click()
    expect(page.get_by_text("已认领 2 项任务")).to_be_visible()
    expect(count(page, "mine")).to_have_text("2")
    expect(count(page, "claimable")).to_have_text("1")
    page.get_by_role("button", name=re.compile("^认领：")).first.click()
    expect(page.get_by_text("已认领：审核")).to_be_visible()
    expect(count(page, "mine")).to_have_text("3")

    page.get_by_role("link", name=re.compile("我的待办")).first.click()
    expect(rows).to_have_count(3)
    expect(page.locator("table.tasks")).to_contain_text(LONG_NAME)
    screenshot(page, "inbox")


def test_select_all_and_a_race_lost_to_a_colleague(browser_page, new_page, county, live_server):
    from sqlalchemy import select

    from server.db import db
    from server.models import User
    from server.services.demo import create_user

    with live_server.app.app_context():
        model = db.session.scalar(select(User).where(User.username == "fin_edu"))
        create_user("fin_edu2", model.organisation, model.roles, sectors=model.sectors, display_name="教科文股 钱敏")
        db.session.commit()
    me, colleague = browser_page, new_page()
    login(me, "fin_edu")
    login(colleague, "fin_edu2")
    me.goto("/inbox?view=claimable")
    colleague.goto("/inbox?view=claimable")
    colleague.get_by_role("button", name=re.compile("^认领：")).first.click()
    expect(colleague.get_by_text("已认领：审核")).to_be_visible()

    me.get_by_label("全选本页").check()
    expect(me.get_by_role("button", name=re.compile("认领所选"))).to_contain_text("3")
    me.get_by_role("button", name=re.compile("认领所选")).click()
    expect(me.get_by_text("已认领 2 项任务")).to_be_visible()
    expect(me.get_by_text("审核：已被他人认领")).to_be_visible()
    expect(count(me, "mine")).to_have_text("2")


def test_language_switch_turns_the_inbox_into_english_and_back(browser_page, county):
    page = browser_page
    login(page, "school1")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Open to claim"))).to_be_visible()
    expect(open_menu(page, "Projects").get_by_role("link", name="My projects")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    screenshot(page, "inbox-en")
    # The choice sticks across pages and logins.
    page.get_by_role("link", name="My projects").click()
    expect(page.get_by_role("heading", name="My projects")).to_be_visible()
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="我的项目")).to_be_visible()


def test_an_english_browser_gets_one_language_for_the_whole_visit(new_page, county):
    """Issue 12.15: the login page was Chinese and the inbox after it English; the site is Chinese until the
    user picks English, and then the login, inbox and every page after it are English."""
    page = new_page(locale="en-US")
    login(page, "school1")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="待办", exact=True)).to_be_visible()
    screenshot(page, "language-english-browser-inbox-zh")
    # Issue 12.5: an error is the site's own page, in its layout and the visit's language.
    assert page.goto("/no/such/page").status == 404
    expect(page.get_by_role("heading", name="找不到该页面")).to_be_visible()
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()
    expect(page.get_by_role("navigation", name="主导航")).to_be_visible()
    screenshot(page, "error-404-zh")
    page.goto("/inbox")
    logout(page)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill("school1")
    page.get_by_label("Password").fill("demo")
    page.locator("form").filter(has=page.get_by_label("Password")).get_by_role("button", name="Log in").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Inbox", exact=True)).to_be_visible()
    expect(page.get_by_text("Welcome")).to_be_visible()
    screenshot(page, "language-chosen-english-inbox")
    assert page.goto("/no/such/page").status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    screenshot(page, "error-404-en")


@pytest.mark.parametrize(("device", "width", "height"), [("laptop", 1366, 768), ("tablet", 768, 1024)])
def test_layout_holds_with_long_names(new_page, county, device, width, height):
    page = new_page(width=width, height=height)
    login(page, "fin_edu")
    page.goto("/inbox?view=claimable")
    expect(page.locator("table.tasks")).to_contain_text(LONG_NAME)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{device}: the page scrolls sideways by {overflow}px"
    screenshot(page, f"inbox-{device}")


def test_notice_is_marked_read_in_place(browser_page, live_server, county):
    from sqlalchemy import select

    from server.db import db
    from server.models import Notification, Organisation

    with live_server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.code == "jyj_yz"))
        db.session.add(Notification(organisation_id=org.id, role="unit_staff", kind="reminder",
                                    text="请于 1 月 10 日前填报绩效监控报告", created_at=live_server.clock.now()))
        db.session.commit()
    page = browser_page
    login(page, "school1")
    notice = page.locator(".notice")
    expect(notice).to_contain_text("请于 1 月 10 日前填报绩效监控报告")
    notice.get_by_role("button", name="标记已读").click()
    expect(notice).to_have_count(0)
    page.reload()
    expect(page.get_by_text("没有未读提醒")).to_be_visible()
