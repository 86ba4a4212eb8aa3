"""A long history is not counted on every page: past the cap the tab and the list say "N+", the pages end
there, and the API says its total is capped. (The caps are lowered here; bench/done_history.py shows the cost.)"""

from __future__ import annotations

from server.services import inbox
from tests.api.helpers import FLOWS, complete, deploy_folder, start, tasks


def test_done_list_past_the_cap_says_n_plus_and_search_has_its_own_cap(browser, login_as, monkeypatch):
    assert deploy_folder(login_as("admin"), "simple", FLOWS / "simple").status_code == 201
    school = login_as("school1")
    for _ in range(4):
        complete(school, start(school, "simple")["open_tasks"][0]["id"], {"x": 5})
    monkeypatch.setattr(inbox, "COUNT_CAP", 3)
    monkeypatch.setattr(inbox, "SEARCH_COUNT_CAP", 2)
    page = browser("school1").get("/inbox?view=done&per_page=20").get_data(as_text=True)
    assert 'data-count="done">3+<' in page and "共 3+ 项" in page
    searched = browser("school1").get("/inbox?view=done&q=填写").get_data(as_text=True)
    assert "共 2+ 项" in searched
    listed = school.get("/api/v1/tasks", query_string={"view": "done"}).get_json()
    assert listed["total"] == 3 and listed["total_capped"] is True and len(listed["items"]) == 4
    assert len(tasks(school, "done", q="填写")) == 4  # the page itself is not cut: only the counting stops
    monkeypatch.setattr(inbox, "COUNT_CAP", 1000)
    listed = school.get("/api/v1/tasks", query_string={"view": "done"}).get_json()
    assert listed["total"] == 4 and listed["total_capped"] is False


def test_a_one_or_two_character_search_looks_at_the_newest_rows_and_says_so(browser, login_as, monkeypatch):
    assert deploy_folder(login_as("admin"), "simple", FLOWS / "simple").status_code == 201
    school = login_as("school1")
    for _ in range(3):
        complete(school, start(school, "simple")["open_tasks"][0]["id"], {"x": 5})
    monkeypatch.setattr(inbox, "SHORT_SEARCH_WINDOW", 2)
    assert len(tasks(school, "done", q="填写")) == 2  # two characters: the newest two rows only
    assert len(tasks(school, "done", q="填写 A")) == 3  # three or more: the whole list
    page = browser("school1").get("/inbox?view=done&q=填写").get_data(as_text=True)
    assert "一两个字的搜索只查找最近 2 项" in page
