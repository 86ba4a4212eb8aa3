"""Migration 0013 backfills the facts it adds to projects (latest monitoring colour and period, last grade and
score, budget in force) from the demo year's reports, corrections and evaluations, with the same rules the
operators apply since; and it downgrades cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from server.db import db
from tests.conftest import make_app
from tests.support import postgres, sqlite
from tests.web import demo_year_db

year_db = demo_year_db.year_db
FACTS = "id, monitoring_colour, monitoring_month, last_grade, last_score, budget_now"


@pytest.fixture
def own_copy(year_db, tmp_path: Path):
    if year_db.backend == "sqlite":
        yield sqlite.clone(Path(year_db.location), tmp_path / "copy.sqlite3")
        return
    name = postgres.new_name("jx_t")
    postgres.create_database(name, template=year_db.location)
    try:
        yield postgres.sqlalchemy_url(name)
    finally:
        postgres.drop_database(name)


@pytest.mark.own_database
def test_backfill_equals_what_the_operators_wrote(own_copy, instance_path):
    app = make_app(own_copy)
    with app.app_context():
        kept = db.session.execute(text(f"SELECT {FACTS} FROM projects ORDER BY id")).all()
        assert any(r.monitoring_colour for r in kept) and any(r.last_grade for r in kept)
        assert any(r.budget_now is not None for r in kept)
        db.session.remove()
        downgrade(revision="0012")  # to just before the migration that adds the facts
        assert "budget_now" not in {c["name"] for c in inspect(db.engine).get_columns("projects")}
        upgrade()
        assert db.session.execute(text(f"SELECT {FACTS} FROM projects ORDER BY id")).all() == kept
        db.session.remove()
        db.engine.dispose()
