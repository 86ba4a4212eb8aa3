"""The top navigation (server/web/nav.py): a few menus, each role seeing only the links it may open.

On the demo county's year (every flow deployed, real data) each demo user's menus are crawled: every link shown
answers 200, and every link some other user is shown but this one is not answers 403 (a visitor: the login page).
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.web import demo_year_db

year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url, demo_year_db.app  # on the demo year

DEMO_USERS = ("admin", "perf", "fin_edu", "fin_agri", "edu_head", "school1", "water_head", "water1", "expert1")
ITEM_RE = re.compile(r'<li class="nav-item[^"]*"[^>]*>(.*?)</li>\s*(?=<li class="nav-item|</ul>\s*$)', re.S)


def menus(page: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(menu label, [(link label, href)]) in order; a single link stands as a menu of its own label."""
    found = re.search(r'<ul class="nav-menus">(.*?</ul>)\s*(?:<div class="nav-tools">)', page, re.S)
    if not found:
        return []
    out = []
    for item in re.split(r'<li class="nav-item', found.group(1))[1:]:
        links = [(unescape(label).strip(), unescape(href)) for href, label
                 in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', item)]
        summary = re.search(r"<summary[^>]*>([^<]+)</summary>", item)
        out.append((summary.group(1).strip() if summary else links[0][0], links))
    return out


def nav_html(page: str) -> str:
    return page.split('<ul class="nav-menus">')[1].split('<div class="nav-tools">')[0]


def outline(page: str) -> dict[str, list[str]]:
    return {menu: [label for label, _href in links] for menu, links in menus(page)}


def hrefs(page: str) -> set[str]:
    return {href for _menu, links in menus(page) for _label, href in links}


@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_each_role_sees_its_menus(browser):
    assert outline(browser("school1").get("/inbox").get_data(as_text=True)) == {
        "待办": ["我的待办", "已办", "发起"], "项目管理": ["我的项目", "指标库"], "预算安排": ["预算安排"],
        "公开网站": ["公开网站"]}
    assert outline(browser("edu_head").get("/inbox").get_data(as_text=True)) == {
        "待办": ["我的待办", "审核队列", "已办"], "项目管理": ["本部门项目", "指标库"], "预算安排": ["预算安排"],
        "监控与评价": ["部门评价", "部门整体绩效"], "统计报表": ["驾驶舱", "年度工作报告"], "公开网站": ["公开网站"]}
    assert outline(browser("fin_edu").get("/inbox").get_data(as_text=True)) == {
        "待办": ["我的待办", "审核队列", "已办"], "项目管理": ["归口项目", "指标库"], "预算安排": ["预算安排"],
        "监控与评价": ["预警看板", "部门评价", "部门整体绩效"], "统计报表": ["驾驶舱", "年度工作报告"], "公开网站": ["公开网站"]}
    assert outline(browser("perf").get("/inbox").get_data(as_text=True)) == {
        "待办": ["我的待办", "审核队列", "已办", "发起"], "项目管理": ["项目库", "指标库"], "预算安排": ["预算安排"],
        "监控与评价": ["预警看板", "部门评价", "部门整体绩效"], "统计报表": ["驾驶舱", "年度工作报告"],
        "信息公开": ["公开管理", "公开网站"]}
    assert outline(browser("expert1").get("/inbox").get_data(as_text=True)) == {
        "待办": ["我的待办", "审核队列", "已办"], "指标库": ["指标库"], "公开网站": ["公开网站"]}
    admin = outline(browser("admin").get("/inbox").get_data(as_text=True))
    assert list(admin) == ["待办", "项目管理", "预算安排", "监控与评价", "统计报表", "公开网站", "系统管理"]
    assert admin["监控与评价"] == ["预警看板", "部门评价"]
    assert admin["系统管理"] == ["管理首页", "流程模型", "实例修复", "用户", "机构", "审计日志"]
    # A visitor: the public site only (the login page carries the layout).
    assert outline(browser(None).get("/login").get_data(as_text=True)) == {"公开网站": ["公开网站"]}


@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_every_link_shown_opens_and_no_link_that_would_refuse_is_shown(browser):
    shown = {user: hrefs(browser(user).get("/inbox").get_data(as_text=True)) for user in DEMO_USERS}
    shown[None] = hrefs(browser(None).get("/login").get_data(as_text=True))
    every = set().union(*shown.values())
    assert len(every) >= 18  # the crawl reaches every menu's pages
    for user, links in shown.items():
        client = browser(user)
        for link in sorted(links):
            assert client.get(link).status_code == 200, (user, link)
        for link in sorted(every - links):
            if user and link.startswith("/inbox?"):
                continue  # a view of one's own inbox, hidden where the role is offered nothing to claim
            answer = client.get(link)
            assert answer.status_code == (302 if user is None else 403), (user, link, answer.status_code)
            if user is None:
                assert answer.headers["Location"].startswith("/login")


@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_the_current_page_is_marked_in_its_menu(browser):
    perf = browser("perf")
    page = perf.get("/warnings").get_data(as_text=True)
    assert re.search(r'<li class="nav-item nav-menu is-current" data-nav-menu>\s*<details>\s*'
                     r'<summary class="nav-top">监控与评价</summary>', page)
    assert '<a href="/warnings" aria-current="page">预警看板</a>' in page
    assert nav_html(page).count('aria-current="page"') == 1
    done = nav_html(perf.get("/inbox?view=done").get_data(as_text=True))
    assert '<a href="/inbox?view=done" aria-current="page">已办</a>' in done and done.count('aria-current="page"') == 1
    # In English the menus are translated too.
    perf.post("/language", {"lang": "en", "next": "/inbox"})
    english = outline(perf.get("/inbox").get_data(as_text=True))
    assert "待办" not in english and all(re.fullmatch(r"[ -~]+", label) for label in english)
