"""/admin/models/<key>/rules: a model's rule tables (DMN) shown and edited as tables. One server-rendered form per
table; its buttons add, remove and move rules, check the cells, test-run the edited table and deploy it as a new
version (a refusal re-renders the edit with each problem on its cell, 422, nothing stored).
Administrators only, like every /admin page; the form carries Flask-WTF's CSRF token."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from server.engine import decision_tables as dt
from server.services import rule_tables
from server.services.rule_tables import Findings
from server.web.admin_views import admin_only, no_store

bp = Blueprint("admin_rules", __name__)
bp.before_request(admin_only)
bp.after_request(no_store)


@bp.get("/admin/models/<key>/rules")
def index(key: str):
    version, tables = rule_tables.tables(current_user, key)
    return render_template("admin/rules.html", version=version, tables=tables, key=key,
                           policies=rule_tables.HIT_POLICY_NAMES)


def _editor(key, version, table, *, findings=None, run=None, values=None, fields=None, status=200):
    findings = findings or Findings()
    cells = {**findings.cells, **(fields or {})}
    return render_template("admin/rule_table.html", key=key, version=version, table=table, cells=cells,
                           findings=findings, run=run, values=values or {}, variables=dt.variables(table),
                           policies=rule_tables.HIT_POLICY_NAMES, cell_key=dt.cell_key), status


@bp.get("/admin/models/<key>/rules/<file>")
def edit(key: str, file: str):
    version, _raw, table = rule_tables.load(current_user, key, file)
    return _editor(key, version, table)


@bp.post("/admin/models/<key>/rules/<file>")
def post(key: str, file: str):
    version, _raw, original = rule_tables.load(current_user, key, file)
    table, fields = rule_tables.from_form(original, request.form)
    base_text = request.form.get("base") or ""
    base = int(base_text) if base_text.isdigit() else version.number
    values = {name: (request.form.get(f"run-{name}") or "")[:200] for name in dt.variables(table)}
    if op := request.form.get("op"):
        return _editor(key, version, rule_tables.apply_op(table, op), values=values, fields=fields)
    if fields:
        return _editor(key, version, table, values=values, fields=fields, status=422)
    action = request.form.get("action") or "check"
    if action == "deploy":
        deployed, findings = rule_tables.deploy(current_user, key, table, base)
        if deployed is None:
            return _editor(key, version, table, findings=findings, values=values, status=422)
        if deployed.number == version.number:
            flash(_("规则表没有改动，仍为第 %(n)s 版", n=deployed.number), "info")
        else:
            flash(_("已部署 %(key)s 第 %(n)s 版；运行中的实例仍按原版本办理", key=key, n=deployed.number), "success")
        return redirect(url_for("admin_rules.edit", key=key, file=file), 303)
    findings, written = rule_tables.check(current_user, key, table, base)
    run = rule_tables.try_run(table, written, values) if action == "run" and not findings.cells else None
    return _editor(key, version, table, findings=findings, run=run, values=values,
                   status=200 if findings.ok else 422)
