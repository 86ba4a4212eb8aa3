"""What the form editor (/admin/models/<key>/forms/<file>) edits: a form of the flow's current version (JSON Schema
and, when the task names one, its UI schema), checked as the admin types, and saved as a new version of the flow
through the deployment service with only that form replaced (same checks as any deploy; a refusal stores nothing).

A user task drawn without a form is offered a new one under the convention of server.engine.autoforms
(`<task>.form.json`): a generated form opens there, and saving it makes it the administrator's own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import undefer

from server.db import db
from server.engine import autoforms, form_schema
from server.engine.parsing import is_bpmn, parse_xml
from server.models import ProcessModel, ProcessVersion, User
from server.services import audit, choices
from server.services.admin_access import require_admin
from server.services.deployment import deploy_version
from server.services.errors import Conflict, NotFound, ValidationFailed
from server.services.model_admin import current_version, version_files
from server.services.start_lane import start_lane

MAX_TEXT = 256 * 1024  # characters of one editor box; the largest shipped form is a tenth of that
MAX_DEPTH = 32  # nesting of objects/arrays; shipped forms stay under 10
# `ui:widget` values the widgets read besides the kinds' own names (the page passes those: server/web/widgets).
WIDGET_CHOICES = frozenset({"radio", "select", "money", "decision", "checkbox", "textarea"})
_UI_SUFFIXES = (".ui.json", "uischema.json", "-ui.json", "_ui.json")


@dataclass(frozen=True)
class UserTask:
    task_id: str
    name: str
    form: str | None  # formJsonSchemaFilename as drawn
    ui: str | None


@dataclass(frozen=True)
class FormEntry:
    file: str
    title: str
    generated: bool
    tasks: tuple[str, ...]


@dataclass
class FormsOverview:
    """A model's current version: its forms to edit, and the user tasks that could have one."""

    version: int
    forms: list[FormEntry] = field(default_factory=list)
    formless: list[UserTask] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    box: str  # "schema" or "ui"
    message: str
    line: int | None = None


@dataclass
class Checked:
    schema: dict[str, Any] | None
    ui: dict[str, Any]
    problems: list[Problem]


@dataclass(frozen=True)
class Editor:
    key: str
    model_name: str
    version: int
    file: str
    ui_file: str | None
    schema_text: str
    ui_text: str
    generated: bool
    new: bool
    tasks: tuple[str, ...]


# ---------------------------------------------------------------- reading the version


def user_tasks(version: ProcessVersion) -> list[UserTask]:
    found = []
    for name, text in sorted(version.sources.items()):
        if not is_bpmn(name):
            continue
        root, _text, problems = parse_xml(name, text.encode("utf-8"))
        if root is None or problems:
            continue
        for el in root.iter(etree.Element):
            if etree.QName(el).localname == "userTask" and el.get("id"):
                props = {p.get("name"): p.get("value") for p in el.iter(etree.Element)
                         if etree.QName(p).localname == "property"}
                found.append(UserTask(el.get("id") or "", el.get("name") or el.get("id") or "",
                                      props.get("formJsonSchemaFilename") or None,
                                      props.get("formUiSchemaFilename") or None))
    return found


def _form_of(task: UserTask, forms: dict[str, Any]) -> tuple[str | None, str | None]:
    """(form file, UI file) the task shows: as drawn, else by the autoforms convention."""
    if task.form:
        return task.form, task.ui
    if autoforms.form_name(task.task_id) in forms:
        ui = autoforms.ui_name(task.task_id)
        return autoforms.form_name(task.task_id), task.ui or ui
    return None, None


def _ui_files(tasks: list[UserTask]) -> set[str]:
    return {t.ui for t in tasks if t.ui} | {autoforms.ui_name(t.task_id) for t in tasks}


def _is_ui(name: str, ui_files: set[str]) -> bool:
    return name in ui_files or name.lower().endswith(_UI_SUFFIXES)


def overview(version: ProcessVersion) -> FormsOverview:
    tasks = user_tasks(version)
    ui_files = _ui_files(tasks)
    users: dict[str, list[str]] = {}
    formless = []
    for t in tasks:
        form, _ui = _form_of(t, version.forms)
        if form is None:
            formless.append(t)
        else:
            users.setdefault(form, []).append(t.name)
    entries = [
        FormEntry(name, str(form.get("title") or name), autoforms.is_generated(form), tuple(users.get(name, ())))
        for name, form in sorted(version.forms.items())
        if not _is_ui(name, ui_files)
    ]
    return FormsOverview(version.number, entries, formless)


def overviews() -> dict[str, FormsOverview]:
    """The forms of every model's current version, by model key (the /admin/models page)."""
    versions = db.session.scalars(
        select(ProcessVersion).join(ProcessModel, ProcessModel.current_version_id == ProcessVersion.id)
        .options(undefer(ProcessVersion.sources))
    ).all()
    return {v.model.key: overview(v) for v in versions}


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def editor(actor: User, key: str, file: str) -> Editor:
    require_admin(actor)
    version = current_version(key)
    tasks = user_tasks(version)
    if _is_ui(file, _ui_files(tasks)):
        raise NotFound(_("表单不存在"))  # a UI schema is edited beside its form
    ui_file = None
    users = []
    for t in tasks:
        form, ui = _form_of(t, version.forms)
        if form == file:
            ui_file = ui_file or ui
            users.append(t.name)
    if file in version.forms:
        schema = {k: v for k, v in version.forms[file].items() if k != autoforms.GENERATED}
        generated, new = autoforms.is_generated(version.forms[file]), False
    else:
        task = next((t for t in tasks if autoforms.form_name(t.task_id) == file and t.form is None), None)
        if task is None:
            raise NotFound(_("表单不存在"))
        schema = {"title": task.name, "type": "object", "properties": {}}
        ui_file, users, generated, new = autoforms.ui_name(task.task_id), [task.name], False, True
    ui = version.forms.get(ui_file or "") or {}
    return Editor(key, version.model.name, version.number, file, ui_file, _pretty(schema),
                  _pretty(ui) if ui else "", generated, new, tuple(users))


# ---------------------------------------------------------------- checking what the admin typed


def _line_of(text: str, key: str) -> int | None:
    at = text.find(json.dumps(key, ensure_ascii=False))
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                stack.extend((v, depth + 1) for v in (node.values() if isinstance(node, dict) else node))
    return deepest


def _json_message(msg: str) -> str:
    """The json module's English reason, in the admin's words (the common ones)."""
    words = {
        "Expecting ',' delimiter": _("缺少逗号"),
        "Expecting ':' delimiter": _("缺少冒号"),
        "Expecting value": _("缺少取值（或多了逗号）"),
        "Expecting property name enclosed in double quotes": _("属性名应使用双引号（或多了逗号）"),
        "Extra data": _("JSON 结束后还有多余的内容"),
        "Unterminated string starting at": _("字符串缺少结束的引号"),
        "Invalid control character at": _("字符串中有换行等控制字符"),
    }
    return words.get(msg, msg)


def _parse(box: str, text: str, problems: list[Problem]) -> Any:
    if len(text) > MAX_TEXT:
        problems.append(Problem(box, _("内容过长（最多 %(n)s 个字符）", n=MAX_TEXT)))
        return None
    try:
        value = form_schema.strict_loads(text)
    except json.JSONDecodeError as exc:
        problems.append(Problem(box, _("JSON 语法错误（第 %(col)s 列）：%(msg)s", col=exc.colno,
                                       msg=_json_message(exc.msg)), exc.lineno))
        return None
    except ValueError as exc:
        problems.append(Problem(box, _("JSON 内容不可用：%(error)s", error=exc)))
        return None
    except RecursionError:
        problems.append(Problem(box, _("嵌套层级过深（最多 %(n)s 层）", n=MAX_DEPTH)))
        return None
    if _depth(value) > MAX_DEPTH:
        problems.append(Problem(box, _("嵌套层级过深（最多 %(n)s 层）", n=MAX_DEPTH)))
        return None
    if not isinstance(value, dict):
        problems.append(Problem(box, _("应为 JSON 对象（以 { 开头）")))
        return None
    return value


def _ui_problems(schema: Any, ui: dict[str, Any], where: str, text: str, known: frozenset[str]) -> list[Problem]:
    """Widgets nobody draws and fields that are not in the form, each with where it is."""
    found = []
    widget = ui.get("ui:widget")
    if widget is not None and (not isinstance(widget, str) or widget not in known):
        found.append(Problem("ui", _("%(where)s：未知的控件“%(widget)s”；可用：%(known)s", where=where or _("表单"),
                                     widget=str(widget)[:40], known="、".join(sorted(known))),
                             _line_of(text, str(widget))))
    options = ui.get("ui:options")
    source = options.get("choices") if isinstance(options, dict) else None
    if source is not None and (not isinstance(source, str) or source not in choices.SOURCES):
        found.append(Problem("ui", _("%(where)s：未知的选项来源“%(name)s”；可用：%(known)s", where=where or _("表单"),
                                     name=str(source)[:40], known="、".join(sorted(choices.SOURCES))),
                             _line_of(text, str(source))))
    schema = schema if isinstance(schema, dict) else {}
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    order = ui.get("ui:order")
    if isinstance(order, list):
        for name in order:
            if not isinstance(name, str) or (name != "*" and name not in props):
                found.append(Problem("ui", _("ui:order 中的“%(name)s”不是表单中的字段", name=str(name)[:60]),
                                     _line_of(text, "ui:order")))
    for key, sub in ui.items():
        if key.startswith("ui:"):
            continue
        path = f"{where}.{key}" if where else key
        if key == "items" and schema.get("type") == "array":
            target = schema.get("items")
        elif key in props:
            target = props[key]
        else:
            found.append(Problem("ui", _("界面设置中的“%(field)s”不是表单中的字段", field=path[:80]),
                                 _line_of(text, key)))
            continue
        if isinstance(sub, dict):
            found.extend(_ui_problems(target, sub, path, text, known))
    return found


def check(schema_text: Any, ui_text: Any, kinds: frozenset[str]) -> Checked:
    """Parse and vet both boxes; `problems` empty means the form would render and deploy as typed. `kinds`: the
    registered widget kinds."""
    problems: list[Problem] = []
    if not isinstance(schema_text, str) or not isinstance(ui_text, str):
        return Checked(None, {}, [Problem("schema", _("应提交表单和界面设置的文本"))])
    schema = _parse("schema", schema_text, problems)
    ui = _parse("ui", ui_text, problems) if ui_text.strip() else {}
    if schema is not None:
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            where = "#/" + "/".join(str(p) for p in exc.path)
            last = next((str(p) for p in reversed(exc.path) if isinstance(p, str)), None)
            problems.append(Problem("schema", _("不是有效的 JSON Schema（%(where)s）：%(error)s", where=where,
                                                error=exc.message[:300]),
                                    _line_of(schema_text, last) if last else None))
        else:
            problems.extend(Problem("schema", m) for m in form_schema.form_problems(schema))
    if schema is not None and ui is not None:
        problems.extend(_ui_problems(schema, ui, "", ui_text, kinds | WIDGET_CHOICES))
    return Checked(schema if not problems else None, ui or {}, problems)


# ---------------------------------------------------------------- saving


def save(actor: User, key: str, file: str, schema_text: Any, ui_text: Any, base: Any,
         kinds: frozenset[str]) -> ProcessVersion | None:
    """A new version with this form (and its UI schema) replaced; None when nothing changed. Refusals
    (ValidationFailed by box or by deploy's "file#element", Conflict when another version came in) store nothing."""
    current = editor(actor, key, file)
    if base != current.version:
        raise Conflict(_("编辑期间该流程已部署了第 %(n)s 版，请重新打开表单后再修改", n=current.version))
    checked = check(schema_text, ui_text, kinds)
    if checked.schema is None:
        fields: dict[str, str] = {}
        for p in checked.problems:
            text = _("第 %(n)s 行", n=p.line) + "：" + p.message if p.line else p.message
            fields[p.box] = f"{fields[p.box]}；{text}" if p.box in fields else text
        raise ValidationFailed(_("表单有误，未部署"), fields=fields)
    if checked.ui and current.ui_file is None:
        raise ValidationFailed(_("表单有误，未部署"), fields={"ui": _(
            "流程图中此表单的任务没有界面设置文件（formUiSchemaFilename），请先在建模器中为任务指定，再编辑界面设置")})
    version = current_version(key)
    files = version_files(key, version.number)
    # Saved by a person: never the generated marker, or the next deploy would make it afresh.
    files[file] = _pretty({k: v for k, v in checked.schema.items() if k != autoforms.GENERATED}).encode("utf-8")
    if current.ui_file and (checked.ui or current.ui_file in files):
        files[current.ui_file] = _pretty(checked.ui).encode("utf-8")
    options: dict[str, Any] = {"lane_roles": version.lane_roles or None, "default_role": version.default_role}
    if start_lane(version.sources, version.process_id) is None:
        options["start_role"] = version.start_role
    audit.record("form_edit", actor=actor, data={"process_key": key, "file": file, "base_version": version.number,
                                                "new": current.new, "was_generated": current.generated})
    try:
        saved = deploy_version(key, files, actor=actor, **options)
    except ValidationFailed:
        db.session.rollback()  # the audit entry above goes too: nothing changed
        raise
    if saved.id == version.id:
        db.session.rollback()
        return None
    return saved
