"""The API's task list is the inbox's query: a search matches literally and filters like the inbox does."""

from __future__ import annotations

from tests.api.helpers import FLOWS, complete, deploy_folder, start, tasks


def _reviews(login_as, names: list[str]) -> None:
    assert deploy_folder(login_as("admin"), "review", FLOWS / "review").status_code == 201
    school = login_as("school1")
    for name in names:
        instance = start(school, "review", {"experts": ["expert1"]})
        complete(school, instance["open_tasks"][0]["id"], {"project_name": name, "amount": 1000, "is_new": False})


def test_search_characters_are_literal_not_wildcards(login_as):
    _reviews(login_as, ["校舍维修_一期", "校舍维修二期", "实验室100%改造"])
    fin = login_as("fin_edu")
    names = lambda q: sorted(t["project_name"] for t in tasks(fin, "claimable", q=q))  # noqa: E731
    assert names("") == ["实验室100%改造", "校舍维修_一期", "校舍维修二期"]
    assert names("_") == ["校舍维修_一期"]  # not "any one character"
    assert names("%") == ["实验室100%改造"]  # not "anything"
    assert names("维修_") == ["校舍维修_一期"]
    assert names("\\") == []


def test_api_and_inbox_page_list_the_same_tasks_in_the_same_order(login_as):
    _reviews(login_as, ["甲项目", "乙项目", "丙项目"])
    fin = login_as("fin_edu")
    listed = [t["project_name"] for t in tasks(fin, "claimable", q="项目")]
    assert listed == ["丙项目", "乙项目", "甲项目"]  # newest first, as the inbox sorts by default
    assert [t["project_name"] for t in tasks(fin, "claimable", q="项目", page=2, per_page=2)] == ["甲项目"]
    assert tasks(fin, "claimable", q="项目", page=3, per_page=2) == []  # past the end: empty, not the last page


def test_keyset_paging_walks_the_done_list_without_gaps_or_repeats(login_as):
    assert deploy_folder(login_as("admin"), "simple", FLOWS / "simple").status_code == 201
    school = login_as("school1")
    done = [complete(school, start(school, "simple")["open_tasks"][0]["id"], {"x": 5}) for _ in range(5)]
    assert len(done) == 5
    by_number = [t["id"] for t in tasks(school, "done", per_page=100)]
    walked, after = [], ""
    while True:
        body = school.get("/api/v1/tasks", query_string={"view": "done", "per_page": 2, "after": after}).get_json()
        walked += [t["id"] for t in body["items"]]
        if not body["next_after"]:
            break
        after = body["next_after"]
    assert walked == by_number and len(walked) == len(set(walked)) >= 5
    for bad in ("x", "bm9wZQ", "MjAyNi0wMS0wNX4w", "%00", "a" * 201):
        resp = school.get("/api/v1/tasks", query_string={"view": "done", "after": bad})
        assert resp.status_code == 422 and "after" in resp.get_json()["fields"], (bad, resp.get_json())
