"""The task form from the shipped forms/: every widget kind rendered (form_render + templates/forms/fields.html),
and a posted HTML form turned back into the typed JSON the schema wants (form_input), hostile input included.

No database here: the shipped form files themselves are the input, and the server's own schema check
(services.forms.validate_submission) is the judge of the converted data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask_babel import Babel
from werkzeug.datastructures import MultiDict

from server.services.errors import ValidationFailed
from server.services.forms import validate_submission
from server.web.form_input import MAX_TEXT, parse_form
from server.web.form_render import build_form, decision_key, warnings_by_field
from tests.flows_ex_ante.conftest import application
from tests.flows_goal_review.conftest import goal_table

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "forms"
MACROS = """{% import "forms/fields.html" as f %}{{ f.summary(form) }}{% for x in form.fields %}{{ f.field(x) }}{% endfor %}"""


def shipped() -> list[tuple[str, dict, dict | None]]:
    found = []
    for path in sorted(FORMS.glob("*/*.json")):
        if path.name.endswith(".ui.json"):
            continue
        ui = path.with_name(path.stem + ".ui.json")
        found.append((f"{path.parent.name}/{path.name}", json.loads(path.read_text("utf-8")),
                      json.loads(ui.read_text("utf-8")) if ui.exists() else None))
    return found


def form(name: str) -> tuple[dict, dict | None]:
    for key, schema, ui in shipped():
        if key == name:
            return schema, ui
    raise KeyError(name)


@pytest.fixture(scope="module")
def jinja() -> Flask:
    app = Flask("forms", template_folder=str(ROOT / "server" / "templates"))
    Babel(app)
    return app


def render(app: Flask, view) -> str:
    with app.test_request_context():
        return render_template_string(MACROS, form=view)


def kinds(fields) -> dict[str, str]:
    out = {}
    for f in fields:
        out[f.path] = f.kind
        out.update(kinds(f.children))
        for row in f.rows[:1]:
            out.update(kinds(row))
    return out


# ---------------------------------------------------------------- rendering


@pytest.mark.parametrize("name", [name for name, _s, _u in shipped()])
def test_every_shipped_form_renders_each_of_its_fields(jinja, name):
    schema, ui = form(name)
    view = build_form(schema, ui, {})
    page = render(jinja, view)
    for key in schema["properties"]:
        if view.decision is not None and key == view.decision.path:
            continue  # decision buttons, rendered by the page (see test_decision_fields_of_review_forms)
        assert f'name="{key}' in page, f"{name}: {key} not rendered"
    assert "<script" not in page


def test_the_shipped_forms_use_every_widget_kind(jinja):
    seen = set()
    for _name, schema, ui in shipped():
        seen |= set(kinds(build_form(schema, ui, {}).fields).values())
    assert {"text", "textarea", "integer", "number", "money", "radio", "select", "yesno", "checkbox", "fieldset",
            "table"} <= seen


def test_application_form_widgets(jinja):
    schema, ui = form("ex_ante/apply.json")
    view = build_form(schema, ui, application(amount=800000))
    found = kinds(view.fields)
    assert found["project_type"] == "radio" and found["period_expired"] == "yesno"
    assert found["fiscal_year"] == "integer" and found["amount"] == "money" and found["necessity"] == "textarea"
    assert found["budget_items"] == "table" and found["budget_items.0.amount"] == "money"
    assert found["materials"] == "table" and found["materials.0"] == "text"
    assert [f.path for f in view.fields][:3] == ["project_name", "fiscal_year", "project_type"]  # ui:order
    page = render(jinja, view)
    # Money shows two decimals with 元; radios carry the enum titles; the materials list has one row per item.
    assert 'name="amount" value="800000.00"' in page and ">元<" in page
    assert 'value="new" checked> 新增项目' in page and "延续项目" in page
    assert 'name="materials.3" value="预算测算依据"' in page
    assert 'name="budget_items.__INDEX__.item"' in page  # the blank row task-form.js clones
    assert 'placeholder="例如：县第一中学教学楼维修改造"' in page
    assert "单位：元；等于财政拨款与其他资金之和" in page  # ui:help


def test_goal_table_rows_have_enum_selects_and_quality_warnings_next_to_fields(jinja):
    schema, ui = form("goal_review/goal_table.json")
    warnings = warnings_by_field([
        {"field": "annual_goal", "message": "年度目标表述空泛（“按计划完成”）"},
        {"field": "indicators", "message": "缺少效益指标"},
        {"field": "indicators.1.unit", "message": "指标“竣工验收合格率”有指标值但没有计量单位"},
        {"field": "elsewhere", "message": "不属于任何字段的提示"},
    ])
    view = build_form(schema, ui, goal_table(), warnings=warnings)
    table = next(f for f in view.fields if f.path == "indicators")
    assert [c.label for c in table.columns] == ["一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位",
                                               "指标值设定依据", "权重"]
    assert len(table.rows) == 6 and table.warnings == ["缺少效益指标"]
    assert view.general_warnings == ["不属于任何字段的提示"]
    page = render(jinja, view)
    assert '<option value="满意度" selected>满意度</option>' in page
    assert 'id="w-f-annual_goal"' in page and "年度目标表述空泛" in page
    cell = page.split('id="f-indicators-1-unit"')[1].split("</td>")[0]
    assert "有指标值但没有计量单位" in cell
    assert 'type="checkbox" id="f-confirm_warnings" name="confirm_warnings" value="true"' in page


def test_nested_object_is_a_fieldset_and_read_only_rows_are_fixed(jinja):
    schema, ui = form("ex_ante/expert_score.json")
    view = build_form(schema, ui, {"expert_review": {"necessity": 18, "recommendation": "adjust"}})
    group = view.fields[0]
    assert group.kind == "fieldset" and group.label == "评审意见表"
    page = render(jinja, view)
    assert "<legend>评审意见表</legend>" in page and 'name="expert_review.necessity" value="18"' in page
    assert '<option value="adjust" selected>调整后支持</option>' in page

    schema, ui = form("monitoring/report.json")
    rows = [{"indicator_id": 7, "name": "受益师生人数", "operator": "≥", "target": "3200", "unit": "人"}]
    view = build_form(schema, ui, {"indicator_reports": rows})
    table = view.fields[-1]
    assert table.fixed_rows and len(table.rows) == 1
    page = render(jinja, view)
    assert 'data-add-row' not in page.split('data-path="indicator_reports"')[1]
    assert '<span class="readonly-value" id="f-indicator_reports-0-name">受益师生人数</span>' in page
    # the internal id rides along unseen (report.ui.json: hidden), no 指标编号 column (issue 12.10)
    assert 'type="hidden" id="f-indicator_reports-0-indicator_id" name="indicator_reports.0.indicator_id" value="7"' in page
    assert "指标编号" not in page


@pytest.mark.parametrize(("name", "key"), [
    ("ex_ante/dept_review.json", "dept_decision"),
    ("ex_ante/office_assess.json", "conclusion"),
    ("goal_review/dept_review.json", "dept_decision"),
    ("goal_review/fix_confirm.json", "fix_decision"),
    ("goal_adjust/adjust_review.json", "adjust_decision"),
    ("monitoring/decide.json", "decision"),
    ("goal_review/finance_review.json", None),  # a grade (优/良/中/差) stays a select
    ("goal_review/goal_table.json", None),
    ("ex_ante/expert_score.json", None),
])
def test_decision_fields_of_review_forms(name, key):
    schema, ui = form(name)
    assert decision_key(schema, ui) == key
    view = build_form(schema, ui, {})
    if key:
        assert view.decision.path == key and all(f.path != key for f in view.fields)
        assert all(o.title for o in view.decision.options)


def test_dates_and_other_enum_title_styles(jinja):
    schema = {"type": "object", "required": ["due"], "properties": {
        "due": {"type": "string", "format": "date", "title": "完成日期"},
        "level": {"type": "string", "enum": ["a", "b"], "enumNames": ["甲", "乙"]},
        "mode": {"type": "string", "oneOf": [{"const": "x", "title": "方式一"}, {"const": "y", "title": "方式二"}]},
    }}
    view = build_form(schema, {"mode": {"ui:widget": "radio"}}, {"due": "2026-03-31", "level": "b"})
    page = render(jinja, view)
    assert 'type="date" id="f-due" name="due" value="2026-03-31"' in page
    assert '<option value="b" selected>乙</option>' in page and "方式二" in page
    data, errors = parse_form(schema, {}, MultiDict({"due": "2026-02-30", "level": "a"}))
    assert errors == {"due": "日期格式应为 年-月-日，例如 2026-03-31"}


def test_errors_are_listed_with_readable_labels_and_linked_to_their_fields(jinja):
    schema, ui = form("goal_review/goal_table.json")
    errors = {"indicators.1.unit": "此项为必填项", "annual_goal": "至少 2 个字符", "_form": "表单有误"}
    view = build_form(schema, ui, goal_table(), errors=errors)
    assert view.summary == [
        ("绩效指标 第 2 行 · 计量单位", "此项为必填项", "f-indicators-1-unit"),
        ("年度目标", "至少 2 个字符", "f-annual_goal"),
        ("表单", "表单有误", None),
    ]
    page = render(jinja, view)
    assert 'href="#f-indicators-1-unit"' in page
    cell = page.split('id="f-indicators-1-unit"')[1].split("</td>")[0]
    assert 'aria-invalid="true"' in cell and "此项为必填项" in cell


def test_user_text_and_schema_text_are_escaped(jinja):
    hostile = '"><script>alert(1)</script>'
    schema = {"type": "object", "properties": {
        "name": {"type": "string", "title": "<b>名称</b>"},
        "kind": {"type": "string", "enum": ["<i>"], "x-enumTitles": ["<img src=x onerror=alert(1)>"]},
        "rows": {"type": "array", "items": {"type": "string"}},
    }}
    view = build_form(schema, {}, {"name": hostile, "rows": [hostile]}, errors={"name": hostile})
    page = render(jinja, view)
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page and "&lt;b&gt;名称&lt;/b&gt;" in page


# ---------------------------------------------------------------- posted form -> typed JSON


def posted(data: dict) -> MultiDict:
    return MultiDict(list(data.items()))


def test_a_posted_application_becomes_the_typed_json_the_schema_accepts():
    schema, ui = form("ex_ante/apply.json")
    data, errors = parse_form(schema, ui, posted({
        "project_name": " 县第一中学教学楼维修改造 ", "fiscal_year": "2027", "project_type": "new",
        "start_year": "２０２７", "end_year": "2027", "amount": "800,000.00", "fiscal_funds": "800000",
        "other_funds": "0", "necessity": "教学楼建于1988年，经鉴定为C级危房，需加固维修以保障师生安全。",
        "implementation_plan": "2027年3月完成设计招标，\r\n7月至8月暑期施工，9月开学前竣工验收。",
        # Rows as a browser posts them after adding and removing some: gaps, and one left blank.
        "budget_items.0.item": "结构加固", "budget_items.0.basis": "4200平方米 × 150元", "budget_items.0.amount": "630000",
        "budget_items.3.item": "", "budget_items.3.basis": "", "budget_items.3.amount": "",
        "budget_items.7.item": "门窗更换", "budget_items.7.basis": "120樘 × 1416.67元", "budget_items.7.amount": "170000.00",
        "budget_items.__present": "1",
        "materials.0": "申报书", "materials.2": "实施方案", "materials.5": "", "materials.__present": "1",
        "contact": "刘洋 0000-1234567", "period_expired": "",
        # The draft goals (issue 16.2): the goal table's fields.
        "long_term_goal": "消除教学楼安全隐患，保障师生教学安全。", "annual_goal": "年内完成教学楼4200平方米结构加固。",
        "indicators.0.level1": "产出", "indicators.0.level2": "数量", "indicators.0.name": "加固面积",
        "indicators.0.operator": "≥", "indicators.0.value": "4200", "indicators.0.unit": "平方米",
        "indicators.0.basis": "计划标准", "indicators.0.weight": "100", "indicators.__present": "1",
        "csrf_token": "x", "lane_owners": "admin", "project_code": "OTHER-1",  # never read: not in the form
    }))
    assert errors == {}
    assert data["indicators"] == [{"level1": "产出", "level2": "数量", "name": "加固面积", "operator": "≥",
                                   "value": "4200", "unit": "平方米", "basis": "计划标准", "weight": 100}]
    assert data["fiscal_year"] == 2027 and data["start_year"] == 2027 and data["amount"] == 800000
    assert data["project_name"] == "县第一中学教学楼维修改造" and "\r" not in data["implementation_plan"]
    assert data["budget_items"] == [
        {"item": "结构加固", "basis": "4200平方米 × 150元", "amount": 630000},
        {"item": "门窗更换", "basis": "120樘 × 1416.67元", "amount": 170000},
    ]
    assert data["materials"] == ["申报书", "实施方案"]
    assert "period_expired" not in data and "lane_owners" not in data and "project_code" not in data
    assert validate_submission(schema, data) == data


def test_text_where_a_number_is_wanted_is_a_field_error_with_the_input_kept():
    schema, ui = form("ex_ante/apply.json")
    data, errors = parse_form(schema, ui, posted({
        "fiscal_year": "2027.5", "amount": "八十万", "other_funds": "NaN", "fiscal_funds": "1" * 60,
        "period_expired": "maybe", "budget_items.0.item": "设备", "budget_items.0.amount": "12元5角",
    }))
    assert errors == {
        "fiscal_year": "应为整数", "amount": "应为数字", "other_funds": "应为数字", "fiscal_funds": "数字过长",
        "period_expired": "请选择“是”或“否”", "budget_items.0.amount": "应为数字",
    }
    assert data["amount"] == "八十万" and data["budget_items"][0]["amount"] == "12元5角"  # kept for the page
    with pytest.raises(ValidationFailed) as refused:
        validate_submission(schema, data)
    assert refused.value.fields["amount"] == "应为数字"  # the schema check agrees: no 500 on the way


def test_booleans_nested_groups_and_money_with_cents():
    schema, ui = form("goal_review/goal_table.json")
    data, _errors = parse_form(schema, ui, posted({"contact": "张三"}))
    assert data["confirm_warnings"] is False and "indicators" not in data  # unchecked box; no table posted
    data, _errors = parse_form(schema, ui, posted({"confirm_warnings": "true", "indicators.__present": "1"}))
    assert data["confirm_warnings"] is True and data["indicators"] == []

    schema, ui = form("ex_ante/expert_score.json")
    data, errors = parse_form(schema, ui, posted({"expert_review.necessity": "18.5", "expert_review.opinion": "可行"}))
    assert errors == {} and data == {"expert_review": {"necessity": 18.5, "opinion": "可行"}}
    with pytest.raises(ValidationFailed) as refused:
        validate_submission(schema, data)
    assert refused.value.fields["expert_review.economy"] == "此项为必填项"  # named one by one, not the group

    schema, ui = form("monitoring/decide.json")
    data, errors = parse_form(schema, ui, posted({"decision": "recover_balance", "finance_opinion": "收回",
                                                  "decision_amount": "12,345.67"}))
    assert errors == {} and data["decision_amount"] == 12345.67


def test_hostile_posts_are_bounded_and_never_reach_the_flow():
    schema, ui = form("goal_review/goal_table.json")
    huge = "长" * (MAX_TEXT + 10)
    form_data = {"annual_goal": huge, "indicators.99999.name": "five-digit index: ignored",
                 "indicators.1.name": "x", "indicators.1.weight": "1e400", "indicators.1.level1": "<script>"}
    form_data.update({f"indicators.{i}.name": f"指标{i}" for i in range(2, 70)})
    data, errors = parse_form(schema, ui, posted(form_data))
    assert errors == {"annual_goal": f"内容过长（不能超过 {MAX_TEXT} 个字符）", "indicators.0.weight": "数字过大"}
    assert len(data["annual_goal"]) == MAX_TEXT and len(data["indicators"]) == 69
    with pytest.raises(ValidationFailed) as refused:
        validate_submission(schema, data)
    fields = refused.value.fields
    assert fields["indicators"] == "最多 60 项" and fields["annual_goal"] == "不能超过 4000 个字符"
    assert fields["indicators.0.weight"] == "应为数字"  # kept as typed, so the schema says so too
    assert fields["indicators.0.level1"].startswith("取值必须是以下之一")


def test_a_draft_keeps_whatever_was_typed():
    schema, ui = form("ex_ante/apply.json")
    data, errors = parse_form(schema, ui, posted({"amount": "大约八十万", "fiscal_year": "2027",
                                                  "budget_items.0.amount": "?"}), strict=False)
    assert errors == {}
    assert data == {"amount": "大约八十万", "fiscal_year": 2027, "budget_items": [{"amount": "?"}],
                    "confirm_warnings": False}  # an unticked checkbox is an answer (the draft goals', issue 16.2)
    view = build_form(schema, ui, data)
    amount = next(f for f in view.fields if f.path == "amount")
    assert amount.value == "大约八十万"
