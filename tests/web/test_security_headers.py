"""Cookies and framing (issue 9, finding 8): SameSite cookies, Secure over HTTPS, no framing, no sniffing, a
strict Content-Security-Policy, and proxies trusted only when configured."""

from __future__ import annotations

import re

import pytest

from server.security import CONTENT_SECURITY_POLICY
from tests.conftest import dispose, make_app
from tests.web.conftest import Browser


def csp(resp) -> dict[str, str]:
    policy = resp.headers["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in (p.strip() for p in policy.split(";")) if d}


def set_cookies(resp) -> list[str]:
    return resp.headers.getlist("Set-Cookie")


def attributes(cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}


def login(client, *, base_url: str = "http://localhost", **kwargs):
    page = client.get("/login", base_url=base_url, **kwargs).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    # Over HTTPS Flask-WTF also wants a same-origin Referer, which Referrer-Policy: same-origin still sends.
    headers = {"Referer": f"{base_url}/login", **kwargs.pop("headers", {})}
    return client.post("/login", data={"username": "school1", "password": "demo", "csrf_token": token},
                       base_url=base_url, headers=headers, **kwargs)


@pytest.mark.parametrize("path", ["/login", "/", "/healthz", "/api/openapi.json", "/no-such-page", "/api/v1/me"])
def test_every_answer_forbids_framing_and_sniffing_and_carries_the_csp(client, path):
    resp = client.get(path)
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert resp.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_csp_allows_no_inline_script_no_eval_and_no_framing(client):
    policy = csp(client.get("/login"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "unsafe" not in client.get("/login").headers["Content-Security-Policy"]


def test_the_pages_hold_no_inline_script_or_style(app, browser, client):
    b = browser("school1")
    for page in (b.get("/inbox"), b.get("/projects"), client.get("/login")):
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        # Every <script> has a src; no style element or attribute, no inline event handler.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html, re.IGNORECASE)
        assert '"allowEval":false' in html and '"includeIndicatorStyles":false' in html


def test_cookies_are_samesite_lax_and_httponly_but_not_secure_over_plain_http(app):
    resp = login(app.test_client())
    assert resp.status_code == 302
    cookies = set_cookies(resp)
    assert cookies
    for cookie in cookies:
        assert "samesite=lax" in cookie.lower() and "httponly" in attributes(cookie)
        assert "secure" not in attributes(cookie)  # the demo on http://127.0.0.1 must keep working


def test_over_https_every_cookie_is_secure(app):
    client = app.test_client()
    resp = login(client, base_url="https://localhost")
    assert resp.status_code == 302
    page = client.get("/inbox", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    lang = client.post("/language", data={"lang": "en", "csrf_token": token}, base_url="https://localhost",
                       headers={"Referer": "https://localhost/inbox"})
    assert lang.status_code == 302 and any(c.startswith("jixiao_lang=") for c in set_cookies(lang))
    api = app.test_client().post("/api/v1/session", json={"username": "water1", "password": "demo"},
                                 base_url="https://localhost")
    cookies = set_cookies(resp) + set_cookies(api) + set_cookies(lang)
    assert len(cookies) >= 2
    for cookie in cookies:
        assert {"secure", "httponly", "samesite"} <= attributes(cookie), cookie


def test_forwarded_https_is_ignored_unless_proxy_hops_are_configured(app):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    resp = login(app.test_client(), headers=forwarded)
    assert all("secure" not in attributes(c) for c in set_cookies(resp))


@pytest.fixture
def proxied_app(db_url, instance_path, monkeypatch):
    from server.db import db
    from server.services.demo import seed_demo

    monkeypatch.setenv("JIXIAO_PROXY_HOPS", "1")
    app = make_app(db_url)
    with app.app_context():
        seed_demo()
        db.session.remove()
    yield app
    dispose(app)


def test_behind_a_configured_proxy_forwarded_https_makes_cookies_secure(proxied_app):
    assert proxied_app.config["PROXY_HOPS"] == 1
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "Referer": "https://localhost/login"}
    resp = login(proxied_app.test_client(), headers=forwarded)
    assert resp.status_code == 302
    assert set_cookies(resp) and all("secure" in attributes(c) for c in set_cookies(resp))
    # The login guard counts the client's address, not the proxy's.
    b = Browser(proxied_app.test_client())
    b.get("/login", headers=forwarded)
    for _ in range(3):
        b.post("/login", {"username": "nobody", "password": "x"}, headers=forwarded)
    with proxied_app.app_context():
        from sqlalchemy import select

        from server.db import db
        from server.models import LoginAttempt

        addrs = set(db.session.scalars(select(LoginAttempt.remote_addr)).all())
    assert addrs == {"203.0.113.9"}
