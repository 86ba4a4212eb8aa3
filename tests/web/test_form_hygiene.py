"""Issue 9, findings 10-12 on the web pages: what the browser sends is checked like the API's input.

- "nan", "inf", "1e999" typed into a number field, or NaN/Infinity/"\\u0000" written in a JSON field, come back
  as a message next to that field, the input kept and the task still open (services.forms refuses non-finite
  numbers, NUL and lone surrogates whatever parsed them);
- a raw NUL in any posted field or query (login, project search, the task form) is a 400 page in Chinese, never
  a PostgreSQL 500.
"""

from __future__ import annotations

import html
import json

import pytest

from tests.api.bpmn_text import one_step_flow
from tests.api.helpers import start, upload

FORM = json.dumps({
    "type": "object",
    "required": ["amount"],
    "properties": {
        "amount": {"type": "number", "title": "金额"},
        "note": {"type": "string", "title": "意见"},
        "extra": {"type": "object", "title": "附加数据"},  # no properties: a JSON text box
    },
})


@pytest.fixture
def task_id(login_as) -> int:
    admin, school = login_as("admin"), login_as("school1")
    resp = upload(admin, "hygiene", {"x.bpmn": one_step_flow("y = 1", process_id="hygiene"), "f.json": FORM})
    assert resp.status_code == 201, resp.get_json()
    return start(school, "hygiene")["open_tasks"][0]["id"]


def field_error(page: str, dom_id: str) -> str:
    marker = f'<p class="field-error" id="e-{dom_id}">'
    assert marker in page, page[-3000:]
    return html.unescape(page.split(marker, 1)[1].split("</p>", 1)[0])


def still_open(b, task_id: int) -> None:
    resp = b.get(f"/tasks/{task_id}")
    assert resp.status_code == 200 and 'name="amount"' in resp.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["nan", "NaN", "inf", "-Infinity", "1e999"])
def test_non_finite_number_typed_in_a_number_field_is_a_field_message(browser, task_id, typed):
    b = browser("school1")
    b.get(f"/tasks/{task_id}")
    resp = b.post(f"/tasks/{task_id}", {"amount": typed, "note": "同意"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert field_error(page, "f-amount") in ("应为数字", "数字过大")
    assert f'value="{typed}"' in page  # what was typed is kept so it can be corrected
    still_open(b, task_id)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ('{"a": NaN}', "应为有限的数字"),
        ('{"a": [1, Infinity]}', "应为有限的数字"),
        ('{"a": "x\\u0000y"}', "空字符"),
        ('{"a": "\\ud800"}', "代理项"),
    ],
)
def test_a_json_field_holding_what_no_database_can_store_is_a_field_message(browser, task_id, typed, message):
    b = browser("school1")
    b.get(f"/tasks/{task_id}")
    resp = b.post(f"/tasks/{task_id}", {"amount": "1", "extra": typed})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422, page[-2000:]
    assert message in page, page[page.find("<main"):][:3000]
    still_open(b, task_id)


def test_nul_in_a_posted_task_field_is_a_400_page_and_nothing_is_saved(browser, task_id):
    b = browser("school1")
    b.get(f"/tasks/{task_id}")
    for path in (f"/tasks/{task_id}", f"/tasks/{task_id}/draft"):
        resp = b.post(path, {"amount": "1", "note": "同意\x00"})
        page = resp.get_data(as_text=True)
        assert resp.status_code == 400
        assert "出错了" in page and "form.note" in page and "空字符" in page
    still_open(b, task_id)
    assert "同意" not in b.get(f"/tasks/{task_id}").get_data(as_text=True)  # no draft was kept


@pytest.mark.parametrize("field", ["username", "password"])
def test_nul_on_the_login_form_is_a_400_page(app, browser, field):
    b = browser(None)
    b.get("/login")
    resp = b.post("/login", {"username": "school1", "password": "demo", field: "school1\x00"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "出错了" in page and f"form.{field}" in page
    assert "psycopg" not in page and "SELECT" not in page
    assert b.login("school1").status_code == 302  # the door refused one request, nothing more


@pytest.mark.parametrize("path", ["/projects", "/instances/1", "/tasks/1"])
def test_nul_in_a_page_query_is_a_400_page(browser, path):
    b = browser("school1")
    resp = b.get(path, query_string={"q": "县\x00"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "出错了" in page and "query.q" in page
    assert b.get("/projects", query_string={"q": "县"}).status_code == 200


def test_the_inbox_keeps_its_own_filter_message(browser):
    """The inbox checks its filters itself (it still shows the list and says which filter was ignored)."""
    b = browser("school1")
    resp = b.get("/inbox", query_string={"q": "a\x00b"})
    assert resp.status_code == 422 and "包含无效的控制字符" in resp.get_data(as_text=True)
