"""The project library, read-only over the API."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import EXCLUDE, Schema, fields, validate

from server.api.guard import login_required, me
from server.services.projects import budget_in_force, get_project, list_projects

bp = Blueprint("projects", __name__)


class ProjectOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    organisation = fields.Function(lambda p: p.organisation.name)
    sector = fields.String(allow_none=True)
    category = fields.String(metadata={"description": "支出类别", "enum": ["personnel", "operating", "specific"]})
    fund_source = fields.String(metadata={"description": "资金来源",
                                          "enum": ["local", "transfer", "direct", "special"]})
    amount = fields.Decimal(as_string=True)
    status = fields.String()
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class ProjectDetailOut(ProjectOut):
    fiscal_year = fields.Integer(allow_none=True)
    goal_status = fields.String(allow_none=True)
    confidential = fields.Boolean(metadata={"description": "保密项目（不在信息公开网站公开）"})
    # The approved amount after the year's budget decisions (one query; the list does not show it).
    budget_in_force = fields.Function(lambda p: str(budget_in_force(p)))


class ProjectQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


@bp.get("/v1/projects")
@login_required
def projects():
    args = ProjectQuery().load(request.args)
    rows, total = list_projects(me(), q=args["q"], page=args["page"], per_page=args["per_page"])
    return jsonify({"items": ProjectOut(many=True).dump(rows), "total": total})


@bp.get("/v1/projects/<int:project_id>")
@login_required
def project(project_id: int):
    return jsonify(ProjectDetailOut().dump(get_project(project_id, me())))
