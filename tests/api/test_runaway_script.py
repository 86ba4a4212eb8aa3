"""A runaway script on one instance, run by one user, while another user completes a task on another instance:
the other completion goes through as usual, and the runaway ends with the script time budget's error
(SQLite and PostgreSQL, each test on a database of its own through the `app` fixture)."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy.engine import make_url

from tests.api.helpers import FLOWS, complete, deploy_folder, start
from tests.api.script_flows import deploy_script

# Each tries to outlive the budget by catching it. The reproduction (mro reaches BaseException) spun
# forever, holding SQLite's write lock; it is now refused when it walks the hierarchy.
SURVIVOR = "while True:\n    try:\n        while True:\n            pass\n    except Exception:\n        pass"
MRO_ESCAPE = "B = ValueError.mro()[2]\ntry:\n    while True:\n        pass\nexcept B:\n    while True:\n        pass"


def _in_thread(fn) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def run() -> None:
        resp = fn()
        out["status"], out["body"] = resp.status_code, resp.get_json()

    thread = threading.Thread(target=run, daemon=True)  # daemon: a regression must fail the test, not hang it
    thread.start()
    return thread, out


@pytest.mark.parametrize(("script", "error"), [(SURVIVOR, "超过"), (MRO_ESCAPE, "mro")], ids=["catch", "mro"])
@pytest.mark.parametrize("at", ["start", "complete"])
@pytest.mark.own_database  # the runaway and the other user run on two threads, two connections
def test_a_runaway_script_leaves_another_users_completion_working(app, login_as, at, script, error):
    admin = login_as("admin")
    assert deploy_folder(admin, "simple", FLOWS / "simple").status_code == 201
    deploy_script(admin, "runaway", script, at=at)
    attacker, other = login_as("school1"), login_as("water1")
    other_task = start(other, "simple")["open_tasks"][0]["id"]

    if at == "start":
        thread, out = _in_thread(lambda: attacker.post("/api/v1/process-instances", json={"process_key": "runaway"}))
    else:
        runaway_task = start(attacker, "runaway")["open_tasks"][0]["id"]
        thread, out = _in_thread(lambda: attacker.post(f"/api/v1/tasks/{runaway_task}/complete",
                                                       json={"data": {"x": 1}}))
    try:
        # Meanwhile another unit completes its own task, the normal way.
        done = complete(other, other_task, {"x": 20})
    finally:
        thread.join(timeout=60)
    assert not thread.is_alive(), "the runaway script outlived its budget"
    assert out["status"] == 422, out
    assert error in out["body"]["message"] and "run" in out["body"]["message"]  # 脚本运行超过 2 秒, element run
    # The other user's flow went on to its next task; the server still answers both of them.
    assert [t["element_id"] for t in done["instance"]["open_tasks"]] == ["task_b"]
    assert attacker.get("/api/v1/me").status_code == 200 and other.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_runaway_script_at_start_never_holds_the_sqlite_write_lock(app, login_as):
    # The instance row is inserted only after the scripts (or when an operator needs it): while the script
    # spins, any other writer gets the lock at once.
    deploy_script(login_as("admin"), "runaway", SURVIVOR, at="start")
    attacker = login_as("school1")
    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    thread, out = _in_thread(lambda: attacker.post("/api/v1/process-instances", json={"process_key": "runaway"}))
    attempts, locked = 0, []
    while thread.is_alive():
        conn = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        except sqlite3.OperationalError as err:
            locked.append(str(err))
        finally:
            conn.close()
        attempts += 1
        time.sleep(0.05)
    thread.join()
    assert out["status"] == 422 and "超过" in out["body"]["message"]
    assert attempts > 0 and locked == []
