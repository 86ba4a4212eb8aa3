"""The rule-table editor (/admin/models/<key>/rules): a model's DMN decision tables as the current version holds
them, an administrator's edit of one (hit policy and rules) checked cell by cell as the engine will compile it,
test-run on the edited table, and deployed as a new version of the model with only that file replaced.

An edit is made against one version (`base`): when another deploy came in meanwhile it is refused (409) instead
of silently replacing that version's changes. Running instances keep the version they started on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from server.db import db
from server.engine import decision_tables as dt
from server.engine.decision_tables import Rule, Run, Table, TableError
from server.extensions import get_engine
from server.models import ProcessVersion, User
from server.services import audit, rule_ranges
from server.services.admin_access import require_admin
from server.services.deployment import MAX_FILE_BYTES, check_version, deploy_version
from server.services.errors import Conflict, NotFound, ValidationFailed
from server.services.model_admin import current_version, version_files
from server.services.start_lane import start_lane

HIT_POLICY_NAMES = {"UNIQUE": _l("唯一命中（UNIQUE）"), "FIRST": _l("首条命中（FIRST，自上而下）"),
                    "COLLECT": _l("全部收集（COLLECT）")}


@dataclass
class Findings:
    cells: dict[str, str] = field(default_factory=dict)  # cell key (decision_tables.cell_key) -> message
    general: list[str] = field(default_factory=list)  # refusals that concern no single cell
    warnings: list[str] = field(default_factory=list)  # ranges: deployable, but probably not meant

    @property
    def ok(self) -> bool:
        return not self.cells and not self.general



def tables(actor: User, key: str) -> tuple[ProcessVersion, list[Table | tuple[str, str]]]:
    """The current version and each of its DMN files as a table (or (file, why it cannot be shown))."""
    require_admin(actor)
    version = current_version(key)
    found: list[Table | tuple[str, str]] = []
    for name in sorted(n for n in version.sources if n.lower().endswith(".dmn")):
        try:
            found.append(dt.read(name, version.sources[name].encode("utf-8")))
        except TableError as err:
            found.append((name, str(err)))
    return version, found


def load(actor: User, key: str, file: str) -> tuple[ProcessVersion, bytes, Table]:
    require_admin(actor)
    version = current_version(key)
    if not file.lower().endswith(".dmn") or file not in version.sources:
        raise NotFound(_("该流程版本中没有这个规则表"))
    raw = version.sources[file].encode("utf-8")
    try:
        return version, raw, dt.read(file, raw)
    except TableError as err:
        raise NotFound(str(err)) from err


def from_form(table: Table, form: Mapping[str, str]) -> tuple[Table, dict[str, str]]:
    """The edited table as posted (rule ids only kept when they are the file's own), and what is malformed."""
    fields: dict[str, str] = {}
    hit_policy = (form.get("hit_policy") or table.hit_policy).upper()
    if hit_policy not in dt.HIT_POLICIES:
        fields["hit_policy"] = _("可选：%(valid)s", valid="、".join(str(v) for v in HIT_POLICY_NAMES.values()))
        hit_policy = table.hit_policy
    try:
        count = int(form.get("rule_count") or 0)
    except ValueError:
        count = -1
    if not 0 <= count <= dt.MAX_RULES:
        fields["rule_count"] = _("规则数应在 0 到 %(n)s 之间", n=dt.MAX_RULES)
        count = 0
    known = {r.id for r in table.rules}
    seen: set[str] = set()
    rules = []
    for i in range(count):
        rule_id = form.get(f"r{i}-id") or None
        if rule_id not in known or rule_id in seen:
            rule_id = None
        if rule_id:
            seen.add(rule_id)
        rules.append(Rule(rule_id, form.get(f"r{i}-note") or "",
                          [form.get(dt.cell_key(i, "in", j)) or "" for j in range(len(table.inputs))],
                          [form.get(dt.cell_key(i, "out", k)) or "" for k in range(len(table.outputs))]))
    return table.edited(hit_policy, rules), fields


def apply_op(table: Table, op: str) -> Table:
    """添加 / 删除 / 上移 / 下移 a rule (the page's row buttons); anything else leaves the table as it is."""
    rules = list(table.rules)
    verb, _sep, arg = op.partition("-")
    index = int(arg) if arg.isdigit() else -1
    if verb == "add" and len(rules) < dt.MAX_RULES:
        rules.append(Rule(None, "", ["-"] * len(table.inputs), [""] * len(table.outputs)))
    elif verb == "del" and 0 <= index < len(rules):
        rules.pop(index)
    elif verb == "up" and 0 < index < len(rules):
        rules[index - 1], rules[index] = rules[index], rules[index - 1]
    elif verb == "down" and 0 <= index < len(rules) - 1:
        rules[index], rules[index + 1] = rules[index + 1], rules[index]
    return table.edited(table.hit_policy, rules)


def _files(key: str, version: ProcessVersion, table: Table, base: int | None) -> tuple[dict[str, bytes], bytes]:
    if base is not None and base != version.number:
        raise Conflict(_("编辑期间该流程已部署了第 %(n)s 版，请重新打开规则表后再修改", n=version.number))
    files = version_files(key, version.number)
    written = dt.write(files[table.file], table)
    if len(written) > MAX_FILE_BYTES:
        raise ValidationFailed(_("规则表超过 1 MB"), fields={"rule_count": _("规则过多")})
    files[table.file] = written
    return files, written


def _options(version: ProcessVersion) -> dict[str, Any]:
    """The deploy keeps the version's lane options (and a lane-less flow's start role) unchanged."""
    options: dict[str, Any] = {"lane_roles": version.lane_roles or None, "default_role": version.default_role}
    if start_lane(version.sources, version.process_id) is None:
        options["start_role"] = version.start_role
    return options


def check(actor: User, key: str, table: Table, base: int | None) -> tuple[Findings, bytes]:
    """Cells as the engine compiles them, SpiffWorkflow's DMN parser, then the whole deploy check of the version
    with this file replaced; stores nothing. Returns the findings and the written file (for a test run)."""
    require_admin(actor)
    version = current_version(key)
    findings = Findings(cells=dt.cell_problems(table), warnings=rule_ranges.warnings(table))
    files, written = _files(key, version, table, base)
    if findings.cells:
        return findings, written
    if (problem := dt.parser_problem(table, written)) is not None:
        findings.general.append(problem)
        return findings, written
    cells = dt.element_cells(table.file, written)
    try:
        check_version(key, files, **_options(version))
    except ValidationFailed as err:
        for where, message in (err.fields or {}).items():
            _file, _sep, element = where.partition("#")
            cell = cells.get(element) if element else None
            if cell:
                findings.cells[cell] = message
            else:
                findings.general.append(message)
    return findings, written


def parse_value(text: str) -> Any:
    """A test-run input as typed: a number, 是/否 (True/False), or text (quotes optional)."""
    value = text.strip()
    if value in ("True", "true", "是"):
        return True
    if value in ("False", "false", "否"):
        return False
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def try_run(table: Table, written: bytes, values: Mapping[str, str]) -> Run:
    """The edited (not deployed) table evaluated by the engine for the values given (blank: not set)."""
    data = {name: parse_value(values[name]) for name in dt.variables(table) if (values.get(name) or "").strip()}
    return dt.run_table(table, written, data, get_engine().script_engine)


def deploy(actor: User, key: str, table: Table, base: int | None) -> tuple[ProcessVersion | None, Findings]:
    """A new version with this file replaced, or the findings that stop it (then nothing is stored)."""
    findings, _written = check(actor, key, table, base)
    if not findings.ok:
        return None, findings
    version = current_version(key)
    files, _written = _files(key, version, table, base)
    audit.record("rule_table_edit", actor=actor, data={
        "process_key": key, "file": table.file, "decision": table.decision_id, "from_version": version.number,
        "hit_policy": table.hit_policy, "rules": len(table.rules)})
    try:
        deployed = deploy_version(key, files, actor=actor, **_options(version))
    except ValidationFailed as err:  # checked above; a refusal here still leaves nothing behind
        db.session.rollback()
        findings.general.append(err.message)
        return None, findings
    if deployed.id == version.id:  # the same files as the current version: nothing to deploy or audit
        db.session.rollback()
    return deployed, findings
