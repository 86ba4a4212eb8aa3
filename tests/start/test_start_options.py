"""Which flows and projects each demo user is offered on 发起: derived from the flows' own rules, narrowed to the
user's organisation, without projects that already have a live instance of the flow."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.db import db
from server.models import User
from server.services import batch_preview as yearly
from server.services import start_options as starts
from server.services.errors import Forbidden, NotFound
from tests.start import county


@pytest.fixture
def offered(app):
    county.setup(app)

    def _offered(username: str) -> dict[str, list[str] | None]:
        with app.test_request_context():
            user = db.session.scalar(select(User).where(User.username == username))
            return {o.key: None if o.projects is None else [p.code for p in o.projects]
                    for o in starts.unit_options(user)}

    return _offered


def test_each_user_is_offered_what_the_flows_let_them_start(app, offered):
    assert offered("school1") == {
        "ex_ante": None,  # no project yet: the application form is the start form
        "goal_review": ["S-AWAIT"],
        "goal_adjust": ["S-APPR"],
        "monitoring": ["S-APPR"],
        "evaluation": ["S-LAST"],  # last year's projects, evaluated after their year
    }
    assert offered("water1")["monitoring"] == ["W-APPR"]
    assert offered("water1")["goal_review"] == []
    assert offered("perf") == {} and offered("fin_edu") == {} and offered("edu_head") == {}
    with app.test_request_context():
        perf = db.session.scalar(select(User).where(User.username == "perf"))
        fin = db.session.scalar(select(User).where(User.username == "fin_edu"))
        assert [b.key for b in yearly.batch_options(perf)] == ["monitoring", "evaluation"]
        assert yearly.batch_options(fin) == [] and not starts.may_start_anything(fin)
        with pytest.raises(Forbidden):
            starts.unit_option("goal_review", perf)
        with pytest.raises(NotFound):
            starts.unit_option("nothing", perf)


def test_a_started_project_is_no_longer_offered_until_its_flow_is_cancelled(app, offered):
    with app.test_request_context():
        school = db.session.scalar(select(User).where(User.username == "school1"))
        option = starts.unit_option("monitoring", school)
        outcome = starts.start_for_project(option, school, {"project_code": "S-APPR"})
    assert "S-APPR" not in offered("school1")["monitoring"]
    assert offered("school1")["goal_adjust"] == ["S-APPR"]  # another flow's instance does not count
    with app.test_request_context():
        from server.services.instances import cancel_instance

        school = db.session.scalar(select(User).where(User.username == "school1"))
        perf = db.session.scalar(select(User).where(User.username == "perf"))
        cancel_instance(outcome.instance.id, perf, "测试撤销")
        assert school is not None
    assert offered("school1")["monitoring"] == ["S-APPR"]


def test_the_office_previews_the_year_with_reasons(app, offered):
    with app.test_request_context():
        perf = db.session.scalar(select(User).where(User.username == "perf"))
        preview = yearly.batch_preview("monitoring", perf, 2026)
        assert [p.code for p in preview.eligible] == ["S-APPR", "W-APPR"]
        assert {p.code: reason for p, reason in preview.skipped} == {
            "S-APPLIED": "未入库（事前评估中）", "S-AWAIT": "绩效目标未批复（待编制绩效目标）"}
        result = yearly.run_batch("monitoring", perf, 2026, ["W-APPR", "S-AWAIT"])
        assert [c for c, _i in result.started] == ["W-APPR"]
        assert [c for c, _r in result.skipped] == ["S-AWAIT"]
        again = yearly.batch_preview("monitoring", perf, 2026)
        assert [p.code for p in again.eligible] == ["S-APPR"]
        assert dict((p.code, r) for p, r in again.skipped)["W-APPR"] == "已发起，正在进行"
        fin = db.session.scalar(select(User).where(User.username == "fin_edu"))
        with pytest.raises(Forbidden):
            yearly.batch_preview("monitoring", fin, 2026)
        with pytest.raises(NotFound):
            yearly.batch_preview("goal_review", perf, 2026)


def test_where_the_work_went_names_the_organisation_and_step(app, offered):
    from server.services import tasks as task_service
    from server.services.handoff import where_it_went
    from tests.flows_ex_ante.conftest import SELF_SCORES, application

    offered("school1")
    with app.test_request_context():
        school = db.session.scalar(select(User).where(User.username == "school1"))
        option = starts.unit_option("ex_ante", school)
        filed = starts.file_first_step(option, school, application())
        [own] = starts.next_steps(filed, school)
        assert (own.title, own.mine) == ("单位事前绩效自评", True)  # handed to the starter at once
        assert where_it_went(filed, school) == "已转 您本人：单位事前绩效自评。"
        reviewed = task_service.complete(own.task_id, school, SELF_SCORES)
        [dept] = starts.next_steps(reviewed, school)
        assert (dept.title, dept.mine) == ("主管部门审核", False)
        assert where_it_went(reviewed, school) == "已转 县教育局（主管部门）：主管部门审核。"
