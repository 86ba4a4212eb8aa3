"""GET /api/v1/budget-arrangements?fiscal_year=: next year's budget lines in the caller's scope, each with its
base, result-application adjustment, arranged amount and the reasons (with the source evaluation). A department's
部门公用经费 line has kind "department" and `department` instead of a project (its project fields are null)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import EXCLUDE, Schema, fields, validate

from server.api.guard import login_required, me
from server.services import budget_arrangements

bp = Blueprint("budget_arrangements", __name__)


class ArrangementQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    fiscal_year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    sector = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class ArrangementReasonOut(Schema):
    code = fields.String()
    text = fields.String()
    evaluation_id = fields.Integer(allow_none=True)
    source_year = fields.Integer(allow_none=True)
    grade = fields.String(allow_none=True)
    dept_evaluation_id = fields.Integer(allow_none=True)  # a department line's source 部门整体绩效评价
    score = fields.String(allow_none=True)  # its score
    percent = fields.String(allow_none=True)
    percent_base = fields.String(allow_none=True)  # unit / operating / project / public_funds: what the percentage was applied to
    base = fields.String(allow_none=True)
    change = fields.String(allow_none=True)
    basis = fields.String(allow_none=True)  # the rule table's words and their source


class ArrangementOut(Schema):
    kind = fields.Function(lambda line: str(line.row.kind))  # project / department
    project_code = fields.Function(lambda line: line.project.code if line.project else None)
    project_name = fields.Function(lambda line: line.project.name if line.project else None)
    department = fields.Function(lambda line: line.unit if line.is_department else None)  # 部门公用经费 line
    line_name = fields.Function(lambda line: line.name)  # the project's name, or 部门公用经费
    unit = fields.String()
    sector = fields.Function(lambda line: line.row.sector)
    fiscal_year = fields.Function(lambda line: line.row.fiscal_year)
    status = fields.Function(lambda line: str(line.row.status))
    base = fields.Function(lambda line: str(line.row.base))
    adjustment = fields.Function(lambda line: str(line.row.adjustment))
    amount = fields.Function(lambda line: str(line.row.amount))
    new_demand = fields.Function(lambda line: line.row.new_demand)
    priority = fields.Function(lambda line: line.row.priority)
    execution_stopped = fields.Function(lambda line: line.row.execution_stopped)
    payments_suspended = fields.Boolean()
    reasons = fields.List(fields.Nested(ArrangementReasonOut))


class ArrangementListOut(Schema):
    items = fields.List(fields.Nested(ArrangementOut))
    total = fields.Integer()


@bp.get("/v1/budget-arrangements")
@login_required
def arrangements():
    args = ArrangementQuery().load(request.args)
    user = me()
    total = budget_arrangements.count_lines(user, args["fiscal_year"], args["sector"]).count
    lines = budget_arrangements.list_lines(user, args["fiscal_year"], args["sector"], page=args["page"],
                                           per_page=args["per_page"])
    return jsonify(ArrangementListOut().dump({"items": lines, "total": total}))
