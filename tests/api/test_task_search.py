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
