"""Every /admin page and every /api/v1/admin endpoint, read from the app's URL map, answers 403 to each
non-admin demo user (pages through the login form with a valid CSRF token; API with a bearer token), and
the admin reaches the pages. The admin navigation link shows for the admin only."""

from __future__ import annotations

import re

import pytest

from server.services.demo import DEMO_USERS

NON_ADMINS = [u.username for u in DEMO_USERS if u.username != "admin"]
ARGS = {"int": "1", "default": "x", "path": "x.bpmn"}


def concrete(rule) -> str:
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", lambda m: ARGS.get(m.group(1) or "default", "x"), rule.rule)


def admin_rules(app, prefix: str) -> list[tuple[str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.rule == prefix or rule.rule.startswith(prefix + "/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                out.append((method, concrete(rule)))
    return out


def test_every_admin_page_and_endpoint_refuses_each_non_admin(app, browser, login_as):
    pages, api = admin_rules(app, "/admin"), admin_rules(app, "/api/v1/admin")
    assert len(pages) >= 15 and len(api) >= 14, (pages, api)
    for username in NON_ADMINS:
        visitor, caller = browser(username), login_as(username)
        for method, url in pages:
            resp = visitor.get(url) if method == "GET" else visitor.post(url, {"reason": "x", "username": "x"})
            assert resp.status_code == 403, (username, method, url, resp.status_code)
        for method, url in api:
            resp = caller.open(method, url, json={"reason": "x", "username": "x"} if method == "POST" else None)
            assert resp.status_code == 403, (username, method, url, resp.status_code)
            assert resp.get_json()["error"] == "forbidden"
        assert "系统管理" not in visitor.get("/inbox").get_data(as_text=True)


def test_the_admin_reaches_every_page_from_the_landing_page(browser):
    admin = browser("admin")
    home = admin.get("/inbox").get_data(as_text=True)
    assert '<summary class="nav-top">系统管理</summary>' in home and 'href="/admin">管理首页</a>' in home
    landing = admin.get("/admin")
    assert landing.status_code == 200
    html = landing.get_data(as_text=True)
    for url, title in (("/admin/models", "流程模型"), ("/admin/instances", "实例修复"), ("/admin/users", "用户"),
                       ("/admin/organisations", "机构")):
        assert f'href="{url}">{title}</a>' in html
        assert admin.get(url).status_code == 200, url


@pytest.mark.parametrize("url", ["/admin", "/admin/users"])
def test_anonymous_visitors_are_sent_to_login(client, url):
    resp = client.get(url)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert client.get("/api/v1/admin/users").status_code == 401
