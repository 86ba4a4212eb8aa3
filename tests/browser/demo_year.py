"""The demo county's year (tests/web/demo_year_db.py) served live for a browser, the clock at the year's 'now'.

Bind in a test module: `year_db, year_url, live_server = demo_year.year_db, demo_year.year_url,
demo_year.live_server`, and mark the test `@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)`.
"""

from __future__ import annotations

import pytest

from server.clock import ManualClock
from tests.browser.conftest import serving
from tests.conftest import make_app
from tests.web import demo_year_db

year_db, year_url = demo_year_db.year_db, demo_year_db.year_url


@pytest.fixture
def live_server(year_url, instance_path):
    clock = ManualClock(demo_year_db.NOW)
    with serving(make_app(year_url, clock=clock), clock) as url:
        yield url
