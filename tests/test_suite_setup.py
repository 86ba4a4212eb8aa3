"""What the suite's speed rests on does not leak into the product, and every test database is the real thing.

- Passwords: production hashes new ones with scrypt; the cheap method is a test setting only the fixtures apply,
  and a login checks whatever method a stored hash names.
- The databases the fixtures hand out are at the migrations' head, with the demo county already there.
- A PostgreSQL test's writes are rolled back afterwards, while its own commits stay visible to the rest of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from werkzeug.security import generate_password_hash

from server.db import db
from server.models import Organisation, User
from tests.support.config import TEST_CONFIG, TEST_PASSWORD_HASH_METHOD

ROOT = Path(__file__).resolve().parent.parent


def _production_app(db_url: str | None = None):
    """The app exactly as `jixiao run` builds it (only the database named)."""
    from server import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": db_url} if db_url else None)


def test_production_hashes_new_passwords_with_scrypt(instance_path, monkeypatch):
    monkeypatch.setenv("PASSWORD_HASH_METHOD", TEST_PASSWORD_HASH_METHOD)  # not read from the environment
    from server.config import load_config
    from server.services.auth import hash_password

    assert load_config(instance_path)["PASSWORD_HASH_METHOD"] == "scrypt"
    app = _production_app()
    with app.app_context():
        assert hash_password("s3cret").startswith("scrypt:")


def test_production_seeds_demo_users_with_scrypt(sqlite_url):
    from server.services.demo import create_user

    app = _production_app(sqlite_url)
    with app.app_context():
        school = db.session.scalar(select(Organisation).where(Organisation.code == "jyj_yz"))
        created = create_user("school9", school, ["unit_staff"])  # the published demo password
        other = create_user("school8", school, ["unit_staff"], password="s3cret")
        db.session.commit()
        assert created.password_hash.startswith("scrypt:") and other.password_hash.startswith("scrypt:")
        db.session.remove()
        db.engine.dispose()


def test_the_cheap_method_is_only_a_test_setting():
    sources = [p for p in (ROOT / "server").rglob("*.py")]
    assert sources
    assert not [p for p in sources if TEST_PASSWORD_HASH_METHOD in p.read_text(encoding="utf-8")]
    assert TEST_CONFIG["PASSWORD_HASH_METHOD"] == TEST_PASSWORD_HASH_METHOD


def test_fixture_apps_hash_cheaply_and_still_check_any_stored_hash(app, client):
    assert app.config["PASSWORD_HASH_METHOD"] == TEST_PASSWORD_HASH_METHOD
    with app.app_context():
        hashes = set(db.session.scalars(select(User.password_hash)))
        assert hashes and all(h.startswith(TEST_PASSWORD_HASH_METHOD + "$") for h in hashes)
        # A password set by a production server (scrypt) still logs in under the test setting.
        user = db.session.scalar(select(User).where(User.username == "perf"))
        user.password_hash = generate_password_hash("s3cret", method="scrypt")
        db.session.commit()
    assert client.post("/api/v1/session", json={"username": "perf", "password": "s3cret"}).status_code == 201
    assert client.post("/api/v1/session", json={"username": "perf", "password": "demo"}).status_code == 401


def test_every_test_database_is_migrated_with_the_demo_county(app):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    with app.app_context():
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == head
        assert db.session.scalar(select(func.count(User.id))) == 10


@pytest.mark.parametrize("turn", [1, 2])
def test_a_postgres_test_starts_from_the_template_whatever_the_last_one_did(app, turn):
    """Run twice: each turn adds a user and commits; each finds only the demo county's ten."""
    from server.services.demo import create_user

    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 10
        school = db.session.scalar(select(Organisation).where(Organisation.code == "jyj_yz"))
        create_user(f"turn{turn}", school, ["unit_staff"])
        db.session.commit()
    with app.app_context():  # a later session sees the commit
        assert db.session.scalar(select(func.count(User.id))) == 11


@pytest.mark.postgres
def test_a_second_thread_on_the_rolled_back_connection_is_refused_by_name(postgres_url, instance_path):
    import threading

    from tests.conftest import dispose, make_app

    app = make_app(postgres_url)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with app.app_context():
                db.session.scalar(select(func.count(User.id)))
        except BaseException as err:  # noqa: BLE001 - reported to the test thread
            errors.append(err)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    dispose(app)
    assert errors and "own_database" in str(errors[0])



def test_a_run_builds_each_template_once_for_all_its_workers(tmp_path_factory, monkeypatch):
    """With pytest-xdist each worker asks for the templates; the first builds, the others read its result."""
    import uuid

    from tests.support import shared

    built: list[str] = []

    def build(folder: Path) -> str:
        built.append(folder.name)
        (folder / "made").write_text("x")
        return str(folder / "made")

    key, root = f"probe-{uuid.uuid4().hex[:8]}", shared.run_dir(tmp_path_factory)
    first = shared.once(tmp_path_factory, key, build)
    # Another worker of the same run: its basetemp is its own folder inside the run's.
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw9")
    monkeypatch.setattr(tmp_path_factory, "getbasetemp", lambda: root / "popen-gw9")
    assert shared.once(tmp_path_factory, key, build) == first
    assert built == [key] and Path(first).read_text() == "x"


@pytest.mark.postgres
def test_stale_cleanup_drops_a_dead_runs_databases_and_spares_live_ones(postgres_template):
    import subprocess

    from tests.support import postgres

    ended = subprocess.Popen(["true"])
    ended.wait()
    gone = f"jx_t_gw0_{ended.pid}_deadbeef"  # left by a worker that was killed
    live = postgres.new_name("jx_t", shared=True)  # the run's shared database, while the run lasts
    for name in (gone, live):
        postgres.create_database(name)
    try:
        postgres.drop_stale()
        left = set(postgres._test_databases())
        assert gone not in left and live in left and postgres_template in left
    finally:
        for name in (gone, live):
            postgres.drop_database(name)
