"""Issue 16.5: the application carries 支出类别, 资金来源 and 保密项目; the category rule table (ex_ante_category)
sends 人员类/运转类 straight to the library (goals still required, seed 002) and 特定目标类 through assessment."""

from __future__ import annotations

from server.flows.ex_ante.models import AssessmentStatus
from server.models import FundSource, GoalStatus, ProjectCategory, ProjectStatus
from tests.api.helpers import complete, start, tasks
from tests.flows_ex_ante.conftest import KEY, application, apply, assessment_of, only, project_of, status_of


def test_operating_project_skips_assessment_and_hostile_categories_are_refused(app, users, ex_ante):
    unit = users["school1"]
    task = only(start(unit, KEY)["open_tasks"], "Task_Apply")
    for field, value in (("category", "特定目标类; DROP TABLE projects"), ("fund_source", "<script>"),
                         ("confidential", "是"), ("category", ["specific"])):
        body = complete(unit, task["id"], application(**{field: value}), expect=422)
        assert list(body["fields"]) == [field], body
    assert [t["element_id"] for t in tasks(unit, "claimable")] == ["Task_Apply"]

    # A new 800,000 元 运转类 project (new projects of this size are otherwise assessed): straight to the library.
    inst = apply(users, application(project_name="县第一中学物业运转经费", category="operating", fund_source="direct",
                                    confidential=True))
    assert status_of(users, inst["id"]) == "completed"
    project = project_of(app, inst["id"])
    assert project.status == ProjectStatus.IN_LIBRARY and project.goal_status == GoalStatus.AWAITING
    assert (project.category, project.fund_source, project.confidential) == (
        ProjectCategory.OPERATING, FundSource.DIRECT, True)
    assessment = assessment_of(app, inst["id"])
    assert assessment.status == AssessmentStatus.EXEMPT and assessment.basis == "运转类支出按定额标准核定，免于事前评估"

    # Without the new fields: 特定目标类, 本级财政资金, not confidential, and the unchanged assessment path.
    inst = apply(users, application(project_name="县第一中学操场改造"))
    project = project_of(app, inst["id"])
    assert (project.category, project.fund_source, project.confidential) == (
        ProjectCategory.SPECIFIC, FundSource.LOCAL, False)
    assert project.status == ProjectStatus.ASSESSING and assessment_of(app, inst["id"]).required is True
    detail = users["school1"].get(f"/api/v1/projects/{project.id}").get_json()
    assert (detail["category"], detail["fund_source"]) == ("specific", "local")
