"""One login guard for both doors (the web form and POST /api/v1/session), and password hashing that a flood
of logins cannot use to starve the server (issue 9, finding 6)."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager

import pytest

from server.services.login_guard import ADDR_LIMIT, USER_LIMIT, WINDOW
from tests.web.conftest import Browser

WINDOW_SECONDS = int(WINDOW.total_seconds())


@pytest.fixture
def browser(app):
    return lambda _user=None: Browser(app.test_client())


def api_login(client, username: str, password: str, addr: str = "127.0.0.1"):
    return client.post("/api/v1/session", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


@contextmanager
def every_hash_slot_taken(app, wait: float = 0.05):
    """Hold all of the app's hashing slots, as a flood of slow password checks would."""
    app.config["LOGIN_HASH_WAIT_SECONDS"] = wait
    slots = app.extensions["jixiao.login_hash_slots"]
    for _ in range(app.config["LOGIN_HASH_SLOTS"]):
        assert slots.acquire(timeout=5)
    try:
        yield
    finally:
        for _ in range(app.config["LOGIN_HASH_SLOTS"]):
            slots.release()


def test_forty_wrong_passwords_then_the_right_one_is_refused(client, clock):
    answers = [api_login(client, "school1", f"guess{i}").status_code for i in range(40)]
    assert answers[:USER_LIMIT] == [401] * USER_LIMIT
    assert set(answers[USER_LIMIT:]) == {429}

    resp = api_login(client, "school1", "demo")
    body = resp.get_json()
    assert resp.status_code == 429 and body["error"] == "too_many_attempts"
    assert "登录失败次数过多" in body["message"] and "token" not in body
    assert 0 < int(resp.headers["Retry-After"]) <= WINDOW_SECONDS
    # From another address too: the lock is the account's.
    assert api_login(client, "school1", "demo", addr="10.1.1.1").status_code == 429
    # Other accounts log in as usual.
    assert api_login(client, "water1", "demo", addr="10.1.1.2").status_code == 201

    clock.advance(WINDOW)
    assert api_login(client, "school1", "demo").status_code == 201


def test_an_account_locked_on_the_web_form_is_locked_on_the_api(browser, client):
    web = browser(None)
    web.get("/login")
    for _ in range(USER_LIMIT):
        assert web.post("/login", {"username": "school1", "password": "guess"}).status_code == 401
    assert web.post("/login", {"username": "school1", "password": "demo"}).status_code == 429

    resp = api_login(client, "School1", "demo", addr="10.2.2.2")
    assert resp.status_code == 429 and resp.get_json()["error"] == "too_many_attempts"


def test_an_account_locked_on_the_api_is_locked_on_the_web_form(browser, client):
    for _ in range(USER_LIMIT):
        assert api_login(client, "perf", "guess").status_code == 401
    web = browser(None)
    web.get("/login")
    resp = web.post("/login", {"username": "perf", "password": "demo"}, environ_base={"REMOTE_ADDR": "10.3.3.3"})
    assert resp.status_code == 429 and "登录失败次数过多" in resp.get_data(as_text=True)
    assert int(resp.headers["Retry-After"]) > 0


def test_one_address_guessing_many_accounts_is_stopped_on_the_api(client):
    for i in range(ADDR_LIMIT):
        assert api_login(client, f"nobody{i}", "x", addr="10.4.4.4").status_code == 401
    assert api_login(client, "water1", "demo", addr="10.4.4.4").status_code == 429
    assert api_login(client, "water1", "demo", addr="10.4.4.5").status_code == 201


def test_when_no_hashing_slot_frees_the_api_answers_503_login_busy(app, client):
    with every_hash_slot_taken(app):
        resp = api_login(client, "school1", "demo")
    body = resp.get_json()
    assert resp.status_code == 503 and body["error"] == "login_busy" and body["message"] == "登录人数过多，请稍后再试。"
    assert int(resp.headers["Retry-After"]) > 0 and "token" not in body
    # Turned away before the password was checked: not counted as a failure, and the next try works.
    assert api_login(client, "school1", "demo").status_code == 201


def test_when_no_hashing_slot_frees_the_web_form_says_so(app, browser):
    web = browser(None)
    web.get("/login")
    with every_hash_slot_taken(app):
        resp = web.post("/login", {"username": "school1", "password": "demo"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 503 and "登录人数过多，请稍后再试。" in page and 'value="school1"' in page
    assert web.post("/login", {"username": "school1", "password": "demo"}).status_code == 302


@pytest.mark.own_database  # many threads, each with its own connection
def test_the_health_check_answers_during_a_flood_of_parallel_bad_logins(app):
    """96 parallel bad logins once slowed /healthz to seconds; now hashing waits for a bounded set of slots and
    a flood that finds none free is turned away quickly, so other requests keep being served."""
    app.config["LOGIN_HASH_WAIT_SECONDS"] = 0.2
    stop = threading.Event()
    started = threading.Barrier(13)
    answers: list[int] = []
    lock = threading.Lock()

    def flood(n: int) -> None:
        own = app.test_client(use_cookies=False)
        started.wait()
        i = 0
        while not stop.is_set():
            # A fresh address and account each time: no lock cuts the flood short, every try reaches hashing.
            resp = api_login(own, f"flood{n}_{i}", "wrong", addr=f"10.9.{n}.{i % 250}")
            with lock:
                answers.append(resp.status_code)
            i += 1

    threads = [threading.Thread(target=flood, args=(n,), daemon=True) for n in range(12)]
    for t in threads:
        t.start()
    started.wait()
    health = app.test_client(use_cookies=False)
    try:
        during = [health.get("/healthz") for _ in range(5)]
        flood_running = all(t.is_alive() for t in threads)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert flood_running
    assert [r.status_code for r in during] == [200] * 5
    assert during[-1].get_json() == {"status": "ok"}
    assert answers and set(answers) <= {401, 503}, sorted(set(answers))


def test_the_hashing_bounds_come_from_the_environment(monkeypatch, db_url, instance_path):
    from tests.conftest import dispose, make_app

    monkeypatch.setenv("JIXIAO_LOGIN_HASH_SLOTS", "3")
    monkeypatch.setenv("JIXIAO_LOGIN_HASH_WAIT_SECONDS", "0.5")
    app = make_app(db_url)
    try:
        assert app.config["LOGIN_HASH_SLOTS"] == 3 and app.config["LOGIN_HASH_WAIT_SECONDS"] == 0.5
        slots = app.extensions["jixiao.login_hash_slots"]
        assert [slots.acquire(blocking=False) for _ in range(4)] == [True, True, True, False]
    finally:
        dispose(app)


def test_a_password_with_a_lone_surrogate_is_never_a_500(app, client):
    from server.services import login_guard
    from server.services.auth import LoginFailed

    for password in ("\ud800", "x\udfffy"):
        # As a JSON client sends it: the escape \\ud800. The API's door refuses it (422) before the guard...
        body = json.dumps({"username": "school1", "password": password})
        resp = client.post("/api/v1/session", data=body, content_type="application/json")
        assert resp.status_code in (401, 422) and "token" not in resp.get_json()
        # ...and the guard itself, whatever door called it, counts it as a plain failure (it cannot be hashed).
        with app.test_request_context(), pytest.raises(LoginFailed):
            login_guard.attempt("school1", password, "10.7.7.7")
    assert api_login(client, "school1", "demo").status_code == 201


def test_password_checks_run_in_low_priority_processes(app, fresh_login, client):
    import os

    from server.services import password_check

    app.config["LOGIN_HASH_PROCESSES"] = True
    try:
        assert fresh_login("school1").token
        bad = client.post("/api/v1/session", json={"username": "school1", "password": "wrong"})
        assert bad.status_code == 401
        pool = password_check._pools[os.getpid()]
        assert pool.submit(os.getpid).result() != os.getpid()
        assert pool.submit(os.nice, 0).result() >= os.nice(0) + password_check.NICE - 1  # capped at 19
    finally:
        app.config["LOGIN_HASH_PROCESSES"] = False
        password_check._drop(password_check._pools[os.getpid()])
