"""Many users starting and completing at once: every answer is a success or a clean 409, never a 500."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter

import pytest

from tests.api.helpers import FLOWS, deploy_folder

THREADS = 8
ROUNDS = 10


def _work(user, codes: Counter, lock: threading.Lock) -> None:
    for _ in range(ROUNDS):
        resp = user.post("/api/v1/process-instances", json={"process_key": "simple"})
        seen = [resp.status_code]
        if resp.status_code == 201:
            task_id = resp.get_json()["open_tasks"][0]["id"]
            seen.append(user.post(f"/api/v1/tasks/{task_id}/claim").status_code)
            seen.append(user.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"x": 1}}).status_code)
        seen.append(user.get("/api/v1/tasks", query_string={"view": "done"}).status_code)
        with lock:
            codes.update(seen)


@pytest.mark.own_database  # threads on separate connections
def test_concurrent_users_never_see_a_server_error(login_as, fresh_login):
    assert deploy_folder(login_as("admin"), "simple", FLOWS / "simple").status_code == 201
    users = [fresh_login("school1") for _ in range(THREADS)]  # a client and token each
    codes: Counter[int] = Counter()
    lock = threading.Lock()
    threads = [threading.Thread(target=_work, args=(u, codes, lock)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(codes) <= {200, 201, 409}, codes
    assert codes[201] > THREADS * ROUNDS // 2  # contention is the exception, not the rule



def test_a_database_locked_by_someone_else_answers_409_not_500(sqlite_url, instance_path):
    """SQLite's single writer: a backup or maintenance job holding the lock past the busy timeout."""
    from server.services.demo import seed_demo
    from tests.conftest import dispose, make_app
    from tests.support.api import api_as

    app = make_app(sqlite_url)
    with app.app_context():
        seed_demo()
    client = app.test_client()
    school = api_as(client, "school1")
    assert deploy_folder(api_as(client, "admin"), "simple", FLOWS / "simple").status_code == 201
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        resp = school.post("/api/v1/process-instances", json={"process_key": "simple"})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert resp.status_code == 409 and resp.get_json()["error"] == "conflict"
    assert school.post("/api/v1/process-instances", json={"process_key": "simple"}).status_code == 201
    dispose(app)
