"""The landing page a newcomer opens after the first README command, and the health check."""

from __future__ import annotations


def test_landing_page_is_chinese_and_points_to_the_api(client):
    resp = client.get("/")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "绩效 · 预算绩效管理" in page and "/api/openapi.json" in page


def test_health_check_touches_the_database(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}
