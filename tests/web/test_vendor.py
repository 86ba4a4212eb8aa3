"""Front-end libraries are served from node_modules, and only the files on the allow-list."""

from __future__ import annotations

import pytest

from server.web.vendor import ALLOWED


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_allowed_files_are_served_from_node_modules(client, name):
    resp = client.get(f"/vendor/{name}")
    assert resp.status_code == 200, "run scripts/setup.sh (npm ci) first"
    assert len(resp.data) > 1000 and "max-age" in resp.headers["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    ["/vendor/package.json", "/vendor/..%2Fpackage.json", "/vendor/../../pyproject.toml", "/vendor/htmx.js",
     "/vendor/%2e%2e%2fhtmx.org%2fpackage.json", "/vendor/bpmn-js"],
)
def test_anything_else_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_pages_load_htmx_from_the_vendor_route(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<script src="/vendor/htmx.min.js"' in page
