"""The inbox as a reviewer uses it: counts, filters, search, sorting, pages, claim, release and bulk claim."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.web.conftest import add_user, apply, open_task
from tests.web.test_inbox_scope import counts

LIST = {"HX-Request": "true", "HX-Target": "inbox-list"}


def titles(page: str) -> list[str]:
    """Project names of the listed rows, in order."""
    return re.findall(r'<td data-label="项目">\s*([^<\n]+?)\s*(?:<div|</td>)', page)


def test_claim_moves_a_task_to_my_tasks_and_release_puts_it_back(app, browser, county):
    task = open_task(app, county["edu_lab"])
    b = browser("fin_edu")
    resp = b.post(f"/inbox/tasks/{task}/claim", {"next": "/inbox?view=claimable"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/inbox?view=claimable"
    page = b.get("/inbox?view=claimable").get_data(as_text=True)
    assert "已认领：审核" in page and counts(page) == {"mine": 1, "claimable": 1, "done": 0}
    mine = b.get("/inbox?view=mine").get_data(as_text=True)
    assert titles(mine) == ["县第一中学理化生实验室设备购置"] and f'href="/tasks/{task}"' in mine
    # Issue 12.8: releasing is not 退回 (in government usage: sent back to the submitter).
    assert ">放回待认领</button>" in mine and "退回" not in mine
    task_page = b.get(f"/tasks/{task}").get_data(as_text=True)
    assert "放回待认领（不再由我办理）" in task_page and "退回任务池" not in task_page

    assert b.post(f"/inbox/tasks/{task}/unclaim").status_code == 303
    page = b.get("/inbox").get_data(as_text=True)
    assert "已放回待认领：审核" in page and counts(page) == {"mine": 0, "claimable": 2, "done": 0}


def test_claiming_a_task_someone_just_took_says_so(app, browser, county):
    add_user(app, "fin_edu2", like="fin_edu")
    task = open_task(app, county["edu_lab"])
    first, second = browser("fin_edu"), browser("fin_edu2")
    assert first.post(f"/inbox/tasks/{task}/claim").status_code == 303
    resp = second.post(f"/inbox/tasks/{task}/claim", {"next": "/inbox?view=claimable"})
    assert resp.status_code == 303
    page = second.get("/inbox?view=claimable").get_data(as_text=True)
    assert "任务已被他人认领" in page and counts(page)["mine"] == 0


def test_bulk_claim_reports_each_task_and_keeps_what_others_hold(app, browser, county, login_as):
    add_user(app, "fin_edu2", like="fin_edu")
    third = apply(login_as("school1"), "县第一中学食堂改造", 90_000)
    repair, lab, canteen = (open_task(app, county["edu_repair"]), open_task(app, county["edu_lab"]),
                            open_task(app, third))
    colleague, me = browser("fin_edu2"), browser("fin_edu")
    me.get("/inbox?view=claimable")  # the list is on screen ...
    assert colleague.post(f"/inbox/tasks/{lab}/claim").status_code == 303  # ... when a colleague takes one
    assert me.post(f"/inbox/tasks/{canteen}/claim").status_code == 303

    resp = me.post("/inbox/claim", {"task_ids": [str(repair), str(lab), str(canteen), "999999", "abc"],
                                    "next": "/inbox?view=claimable"})
    assert resp.status_code == 303
    page = me.get("/inbox?view=mine").get_data(as_text=True)
    assert "已认领 1 项任务" in page
    assert "审核：已被他人认领" in page and "审核：已在我的待办中" in page
    assert "任务 #999999：任务不存在或无权认领" in page and "有 1 个任务编号无效，已忽略" in page
    assert sorted(titles(page)) == ["县第一中学校舍维修改造工程", "县第一中学食堂改造"]
    assert titles(colleague.get("/inbox").get_data(as_text=True)) == ["县第一中学理化生实验室设备购置"]


def test_bulk_claim_with_nothing_selected_asks_for_a_selection(browser, county):
    b = browser("fin_edu")
    assert b.post("/inbox/claim", {"next": "/inbox?view=claimable"}).status_code == 303
    assert "请先勾选要认领的任务" in b.get("/inbox?view=claimable").get_data(as_text=True)


def test_search_filter_and_sort(app, browser, county, login_as):
    apply(login_as("school1"), "县第一中学100%达标_工程", 5_000)
    b = browser("fin_edu")
    page = b.get("/inbox?view=claimable&sort=amount").get_data(as_text=True)
    assert titles(page) == ["县第一中学校舍维修改造工程", "县第一中学理化生实验室设备购置", "县第一中学100%达标_工程"]
    page = b.get("/inbox?view=claimable&sort=project", headers=LIST).get_data(as_text=True)
    assert titles(page)[0] == "县第一中学100%达标_工程"

    page = b.get("/inbox", query_string={"view": "claimable", "q": "实验室"}, headers=LIST).get_data(as_text=True)
    assert titles(page) == ["县第一中学理化生实验室设备购置"] and "共 1 项" in page
    # % and _ are searched for as characters, not as wildcards.
    page = b.get("/inbox", query_string={"view": "claimable", "q": "100%达标_"}).get_data(as_text=True)
    assert titles(page) == ["县第一中学100%达标_工程"]
    assert titles(b.get("/inbox", query_string={"view": "claimable", "q": "%"}).get_data(as_text=True)) == [
        "县第一中学100%达标_工程"]
    assert "共 0 项" in b.get("/inbox?view=claimable&flow=ex_ante").get_data(as_text=True)
    assert "共 3 项" in b.get("/inbox?view=claimable&flow=review").get_data(as_text=True)


def test_search_ignores_case_and_counts_what_it_finds(browser, county, login_as):
    """Letters match whatever their case (ILIKE); text without case (digits, Chinese) takes the cheaper LIKE and
    finds the same; the full page's total (counted with the tab counts) and the fragment's agree."""
    apply(login_as("school1"), "Smart Campus 智慧校园 2026", 8_000)
    b = browser("fin_edu")
    for q in ("smart campus", "SMART", "Campus 智慧", "智慧校园", "2026"):
        for headers in ({}, LIST):
            page = b.get("/inbox", query_string={"view": "claimable", "q": q}, headers=headers).get_data(as_text=True)
            assert titles(page) == ["Smart Campus 智慧校园 2026"] and "共 1 项" in page, (q, headers)
    assert "共 0 项" in b.get("/inbox", query_string={"view": "claimable", "q": "智慧校园 2027"}).get_data(as_text=True)


def test_overdue_and_due_soon_marks_and_filters(app, browser, county, clock, login_as):
    b = browser("fin_edu")
    repair = open_task(app, county["edu_repair"])
    b.post(f"/inbox/tasks/{repair}/claim")
    page = b.get("/inbox?view=mine").get_data(as_text=True)
    assert "badge-overdue" not in page and "badge-soon" not in page and "2026-01-10" in page

    clock.advance(timedelta(days=3))  # due in two days
    later = apply(login_as("school1"), "县第一中学围墙加固", 30_000)  # due in five
    page = b.get("/inbox?view=mine").get_data(as_text=True)
    assert "1 项即将到期" in page and 'class="is-due-soon"' in page
    assert titles(b.get("/inbox?view=claimable&due=soon").get_data(as_text=True)) == [
        "县第一中学理化生实验室设备购置"]

    clock.advance(timedelta(days=3))  # the first two are overdue now, the later one is due soon
    page = b.get("/inbox?view=mine").get_data(as_text=True)
    assert "1 项逾期" in page and 'class="is-overdue"' in page
    claimable = b.get("/inbox?view=claimable").get_data(as_text=True)
    assert "1 项逾期" in claimable
    assert titles(b.get("/inbox?view=claimable&due=overdue").get_data(as_text=True)) == [
        "县第一中学理化生实验室设备购置"]
    assert titles(b.get("/inbox?view=claimable&due=soon").get_data(as_text=True)) == ["县第一中学围墙加固"]
    # Due-date range in county days: the later task is due 2026-01-13 (filed on the 8th, five days).
    assert titles(b.get("/inbox?view=claimable&due_from=2026-01-13&due_to=2026-01-13").get_data(as_text=True)) == [
        "县第一中学围墙加固"]
    assert titles(b.get("/inbox?view=claimable&due_to=2026-01-10").get_data(as_text=True)) == [
        "县第一中学理化生实验室设备购置"]
    assert open_task(app, later)


def test_pages_of_a_long_list(browser, county, login_as):
    school = login_as("school1")
    for i in range(3):
        apply(school, f"县第一中学分批项目{i}", 1_000 + i)
    b = browser("fin_edu")
    seen = []
    for page_no in (1, 2, 3, 4, 5):
        page = b.get(f"/inbox?view=claimable&per_page=1&sort=oldest&page={page_no}").get_data(as_text=True)
        assert f"第 {page_no} / 5 页" in page
        seen += titles(page)
    assert len(set(seen)) == 5
    last = b.get("/inbox?view=claimable&per_page=1&sort=oldest&page=5").get_data(as_text=True)
    assert 'rel="prev"' in last and 'rel="next"' not in last
    # A page past the end shows the last page rather than an empty list.
    beyond = b.get("/inbox?view=claimable&per_page=1&sort=oldest&page=99").get_data(as_text=True)
    assert titles(beyond) == titles(last)


def test_done_tab_lists_what_i_completed(browser, county):
    page = browser("school1").get("/inbox?view=done").get_data(as_text=True)
    assert page.count('class="task-title"') == 2 and "共 2 项" in page
    assert "办结时间" in page and "2026-01-05 09:00" in page and "认领" not in page.split("<tbody>")[1]


def test_root_sends_a_logged_in_user_to_the_inbox(browser):
    resp = browser("school1").get("/")
    assert resp.status_code == 302 and resp.headers["Location"] == "/inbox"
