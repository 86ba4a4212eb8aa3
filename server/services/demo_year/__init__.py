"""A realistic fiscal year for the demo county (`jixiao init --demo`, `jixiao simulate --year YYYY`).

Thirty-five projects of six units under 县教育局 and 县水利局 walk the shipped flows through the service
layer as the demo users would, in accelerated time: this year's projects monitored month by month, next
year's applications and goal tables in every stage of review, last year's evaluated and rectified. Each
flow's stages are in its package (server/flows/<key>/demo.py, registered in its flow.py); see seeding.py for the clock and calendar.py for which year is shown. `seed_demo()` (every test's fixture) stays as it was: the year is seeded only here.
"""

from server.services.demo_year.calendar import demo_year_for
from server.services.demo_year.seeding import SeedResult, describe, seed_year
from server.services.demo_year.story import DemoYearError

__all__ = ["DemoYearError", "SeedResult", "demo_year_for", "describe", "seed_year"]
