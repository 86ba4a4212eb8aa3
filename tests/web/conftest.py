"""Fixtures for the server-rendered pages: a browser-like client logged in through the login form, and
tasks made by running the real review flow (tests/flows/review) as the demo county's users."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.api.helpers import FLOWS, complete, deploy_folder, start, tasks
from tests.support.api import api_as
from tests.support.snapshot import copy_of, snapshot

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_of(page: str) -> str:
    found = CSRF_RE.search(page)
    assert found, "page has no CSRF meta tag"
    return found.group(1)


class Browser:
    """A cookie-keeping client that posts forms with the CSRF token of the last page it read."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = ""

    def get(self, path: str, **kwargs):
        resp = self.client.get(path, **kwargs)
        if found := CSRF_RE.search(resp.get_data(as_text=True)):
            self.token = found.group(1)
        return resp

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True, **kwargs):
        form = dict(data or {})
        if csrf:
            if not self.token:
                self.get("/inbox")
            form.setdefault("csrf_token", self.token)
        return self.client.post(path, data=form, **kwargs)

    def login(self, username: str, password: str = "demo"):
        self.get("/login")
        return self.post("/login", {"username": username, "password": password})


@pytest.fixture
def browser(app) -> Callable[[str | None], Browser]:
    """`browser("school1")` -> a client logged in through the login page; `browser(None)` stays anonymous."""

    def _make(username: str | None = None) -> Browser:
        b = Browser(app.test_client())
        if username:
            resp = b.login(username)
            assert resp.status_code == 302, resp.get_data(as_text=True)
            b.get("/inbox")
        return b

    return _make


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """tests/conftest.py's `db_url`, except that a test using `county` starts from a copy of the county's work,
    walked once per run and backend (tests/support/snapshot.py) instead of once per test."""
    if "county" not in request.fixturenames or request.node.get_closest_marker("own_database"):
        yield request.getfixturevalue(f"{request.param}_url")
        return
    taken = snapshot(request, request.param, "web-county", _walk_county)
    request.node.jx_county = taken.info
    with copy_of(taken, tmp_path) as url:
        yield url


def _deploy_review(admin) -> None:
    resp = deploy_folder(admin, "review", FLOWS / "review")
    assert resp.status_code == 201, resp.get_json()


@pytest.fixture
def review(request: pytest.FixtureRequest, login_as) -> None:
    if getattr(request.node, "jx_county", None) is None:  # a county snapshot has it deployed already
        _deploy_review(login_as("admin"))


def apply(user, name: str, amount: int = 50_000, *, submit: bool = True) -> dict:
    """Start the review flow; with submit, file the application so the task moves to finance (审核)."""
    inst = start(user, "review")
    task = next(t for t in tasks(user, "mine") + tasks(user, "claimable")
                if t["instance_id"] == inst["id"] and t["element_id"] == "Task_Apply")
    if submit:
        complete(user, task["id"], {"project_name": name, "amount": amount, "is_new": True})
    return inst


def add_user(app, username: str, like: str) -> None:
    """Another user in the same organisation, with the same roles and sectors as the demo user `like`."""
    from sqlalchemy import select

    from server.db import db
    from server.models import User
    from server.services.demo import create_user

    with app.app_context():
        model = db.session.scalar(select(User).where(User.username == like))
        create_user(username, model.organisation, model.roles, sectors=model.sectors, display_name=f"{username} 同事")
        db.session.commit()


@pytest.fixture
def county(request: pytest.FixtureRequest, app, review, login_as) -> dict[str, dict]:
    """Work in two sectors: 县第一中学 (教育) and 县水利工程站 (水利) each file applications; a filed one waits for
    the finance section of its sector (审核, due in 5 days), an unfiled one for its unit (申报)."""
    if (walked := getattr(request.node, "jx_county", None)) is not None:
        return walked  # the database is a copy of this very walk (see `db_url`)
    return _file_applications(login_as)


def _walk_county(app) -> dict[str, dict]:
    """`review` and `county` as one walk, for the snapshot `db_url` copies."""
    client = app.test_client()
    _deploy_review(api_as(client, "admin"))
    return _file_applications(lambda username: api_as(client, username))


def _file_applications(login_as) -> dict[str, dict]:
    school, water = login_as("school1"), login_as("water1")
    return {
        "edu_repair": apply(school, "县第一中学校舍维修改造工程", 480_000),
        "edu_lab": apply(school, "县第一中学理化生实验室设备购置", 120_000),
        "edu_draft": apply(school, "县第一中学操场翻新", submit=False),
        "water_canal": apply(water, "县水利工程站灌区渠道清淤", 260_000),
        "water_draft": apply(water, "县水利工程站泵站维修", submit=False),
    }


def open_task(app, instance: dict) -> int:
    """The id of the one open task of a started instance, read from the human task table."""
    from sqlalchemy import select

    from server.db import db
    from server.models import HumanTask, TaskStatus

    with app.app_context():
        ids = db.session.scalars(
            select(HumanTask.id).where(HumanTask.instance_id == instance["id"], HumanTask.status == TaskStatus.OPEN)
        ).all()
    assert len(ids) == 1, ids
    return ids[0]
