"""Issue 16.5: which 支出类别 go through the ex-ante assessment and fill goals is the rule table ex_ante_category,
edited by the admin in the rule-table editor: after the edit, new 运转类 applications are assessed and 人员类
projects enter the library without a goal requirement; the shipped path for 特定目标类 is unchanged."""

from __future__ import annotations

from sqlalchemy import func, select

from server.db import db
from server.models import ProcessVersion, ProjectCategory, ProjectStatus
from tests.api.helpers import deploy_folder
from tests.flows_ex_ante.conftest import Users, application, apply, assessment_of, project_of
from tests.flows_goal_review.conftest import ROOT
from tests.web.test_admin_rule_tables import form_of

URL = "/admin/models/ex_ante/rules/ex_ante_category.dmn"


def test_the_admin_changes_which_categories_are_assessed_and_fill_goals(app, browser, login_as):
    assert deploy_folder(login_as("admin"), "ex_ante", ROOT / "ex_ante").status_code == 201
    admin = browser("admin")
    html = admin.get(URL).get_data(as_text=True)
    assert "支出类别" in html and "须编报绩效目标" in html and "运转类支出按定额标准核定" in html
    form = form_of(html)
    assert (form["r0-in0"], form["r1-in0"], form["r2-in0"]) == ('"personnel"', '"operating"', '"specific"')
    outputs = sorted(k for k in form if k.startswith("r1-out"))
    assert [form[k] for k in outputs][:2] == ["False", "True"]  # 运转类: not assessed, fills goals
    hostile = admin.post(URL, {**form, "r1-out0": "__import__('os').system('x')", "action": "deploy"})
    assert hostile.status_code == 422 and 'id="error-r1-out0"' in hostile.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessVersion)) == 1  # nothing deployed
    form |= {"r1-out0": "True", "r0-out1": "False", "action": "deploy"}  # 运转类 assessed; 人员类 without goals
    assert admin.post(URL, form).status_code == 303

    users = Users(login_as)
    operating = apply(users, application(project_name="县第一中学物业运转经费", category="operating"))
    assert assessment_of(app, operating["id"]).required is True
    assert project_of(app, operating["id"]).status == ProjectStatus.ASSESSING
    personnel = apply(users, application(project_name="县第一中学临聘教师经费", category="personnel"))
    project = project_of(app, personnel["id"])
    assert (project.category, project.status, project.goal_status) == (
        ProjectCategory.PERSONNEL, ProjectStatus.IN_LIBRARY, None)
    assert assessment_of(app, personnel["id"]).basis == "人员类支出按编制和标准核定，免于事前评估"
