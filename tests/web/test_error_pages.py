"""Issue 12.5: every HTTP error a page meets is the site's own page, in the layout and the visit's language,
never Werkzeug's English ("Forbidden", "Not Found"); the API keeps answering JSON."""

from __future__ import annotations

import pytest
from flask import abort

WERKZEUG = ("Forbidden", "Not Found", "Method Not Allowed", "Request Entity Too Large", "Too Many Requests",
            "Internal Server Error", "You don't have the permission", "The requested URL")


@pytest.fixture
def failing_routes(app):
    """Two statuses no shipped page produces on purpose: a 429 and an unexpected exception (a 500)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the exception becomes the 500 page
    app.add_url_rule("/_test/busy", "test_busy", lambda: abort(429))

    def _crash():
        raise RuntimeError("boom")

    app.add_url_rule("/_test/crash", "test_crash", _crash)


def _answers(b) -> dict[int, object]:
    return {
        403: b.get("/projects"),  # experts have no project list
        404: b.get("/no/such/page"),
        405: b.get("/logout"),
        413: b.post("/inbox/claim", {"x": "汉" * 1_000_000}),
        429: b.get("/_test/busy"),
        500: b.get("/_test/crash"),
    }


def test_error_pages_speak_chinese_in_the_site_layout(browser, failing_routes):
    b = browser("expert1")
    for status, resp in _answers(b).items():
        page = resp.get_data(as_text=True)
        assert resp.status_code == status, (status, page[:300])
        assert resp.content_type.startswith("text/html"), status
        assert '<html lang="zh-CN">' in page and 'class="topbar"' in page, status  # the layout, with its nav
        assert "返回首页" in page and f"错误代码：{status}" in page, status
        assert not any(text in page for text in WERKZEUG), (status, page)
        assert "boom" not in page  # no internals
    assert "无权访问" in b.get("/projects").get_data(as_text=True)
    assert "找不到该页面" in b.get("/nope").get_data(as_text=True)
    assert b.get("/logout").headers["Allow"]  # 405 still says what is allowed


def test_error_pages_follow_the_chosen_language(browser, failing_routes):
    b = browser("expert1")
    b.post("/language", {"lang": "en", "next": "/inbox"})
    for status, resp in _answers(b).items():
        page = resp.get_data(as_text=True)
        assert resp.status_code == status and '<html lang="en">' in page, status
        assert "Back to the start page" in page and "出错了" not in page and "返回首页" not in page, status
    assert "Not allowed" in b.get("/projects").get_data(as_text=True)


def test_api_errors_stay_json(login_as):
    expert = login_as("expert1")
    resp = expert.get("/api/v1/no-such-thing")
    assert resp.status_code == 404 and resp.get_json()["error"] == "not_found"
    assert resp.get_json()["message"] == "资源不存在"
    resp = expert.delete("/api/v1/inbox")
    assert resp.status_code in (404, 405) and resp.is_json
