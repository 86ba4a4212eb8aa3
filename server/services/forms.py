"""Server-side validation of submitted task data against the task's JSON Schema, with Chinese field messages."""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from flask_babel import gettext as _
from jsonschema.exceptions import ValidationError
from referencing.exceptions import Unresolvable

from server.engine.form_schema import OFFLINE_REGISTRY
from server.lru import BoundedLRU
from server.request_hygiene import shown, text_problem
from server.services.errors import ValidationFailed
from server.services.form_rules import FormValidator

log = logging.getLogger(__name__)

_TYPE_NAMES = {
    "string": "文本",
    "number": "数字",
    "integer": "整数",
    "boolean": "是/否",
    "array": "列表",
    "object": "对象",
    "null": "空值",
}


def _message(err: ValidationError) -> str:
    v = err.validator_value
    match err.validator:
        case "required":
            return _("此项为必填项")
        case "type":
            names = [_TYPE_NAMES.get(t, t) for t in (v if isinstance(v, list) else [v])]
            return _("应为%(kind)s", kind="或".join(names))
        case "minimum":
            return _("不能小于 %(v)s", v=v)
        case "exclusiveMinimum":
            return _("必须大于 %(v)s", v=v)
        case "maximum":
            return _("不能大于 %(v)s", v=v)
        case "exclusiveMaximum":
            return _("必须小于 %(v)s", v=v)
        case "minLength":
            return _("至少 %(v)s 个字符", v=v) if v > 1 else _("此项为必填项")
        case "maxLength":
            return _("不能超过 %(v)s 个字符", v=v)
        case "enum":
            return _("取值必须是以下之一：%(v)s", v="、".join(str(x) for x in v))
        case "const":
            return _("取值必须是 %(v)s", v=v)
        case "pattern":
            return _("格式不正确")
        case "format":
            return _("格式不正确（应为 %(v)s）", v=v)
        case "minItems":
            return _("至少需要 %(v)s 项", v=v)
        case "maxItems":
            return _("最多 %(v)s 项", v=v)
        case "x-rules" | "x-form-definition":  # a form rule, or engine.form_schema: the message is written
            return err.message
        case "multipleOf":
            return _("必须是 %(v)s 的整数倍", v=v)
        case _:
            return _("取值不符合要求")


def _field_path(err: ValidationError) -> str:
    path = list(err.absolute_path)
    if err.validator == "required":
        # jsonschema reports a missing property on its parent; name the property itself.
        missing = err.message.split("'")[1] if "'" in err.message else ""
        path.append(missing)
    return ".".join(str(p) for p in path) or "_form"


# Compiled validators per form schema. A version's forms are immutable and cached (persistence.version_forms), so
# the same schema object comes back on every step; the entry holds the schema itself, so its id cannot be reused.
_VALIDATORS: BoundedLRU[int, tuple[dict[str, Any], Any]] = BoundedLRU(512)


def _validator(schema: dict[str, Any]) -> Any:
    entry = _VALIDATORS.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    # A registry that retrieves nothing: no `$ref` can make the server open a URL or read a file.
    validator = FormValidator(schema, format_checker=FormValidator.FORMAT_CHECKER, registry=OFFLINE_REGISTRY)
    _VALIDATORS.put(id(schema), (schema, validator))
    return validator


def _unstorable(data: dict[str, Any]) -> dict[str, str]:
    """Values no database or JSON answer can hold, by field: NaN/Infinity (every comparison with them is false,
    so rules would pass them), NUL and lone surrogates. The request door refuses them in raw input; this
    catches what a parser made of escapes (a JSON-widget text `"\\u0000"`, `NaN`) on any path."""
    found: dict[str, str] = {}
    stack: list[tuple[str, Any]] = [(str(k), v) for k, v in data.items()]
    while stack:
        path, value = stack.pop()
        if problem := text_problem(path):
            found.setdefault(shown(path), problem)
        elif isinstance(value, float) and not math.isfinite(value):
            found.setdefault(path, _("应为有限的数字"))
        elif isinstance(value, str) and (problem := text_problem(value)):
            found.setdefault(path, problem)
        elif isinstance(value, dict):
            stack.extend((f"{path}.{k}", v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}", v) for i, v in enumerate(value))
    return found


def _schema_errors(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    fields: dict[str, str] = {}
    try:
        for err in sorted(_validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path)):
            fields.setdefault(_field_path(err), _message(err))
    except (Unresolvable, RecursionError) as err:
        # Only a version deployed before forms were vetted (engine.form_schema) gets here: a `$ref` that is not
        # in the file (nothing is ever fetched) or one that loops. The user cannot fix it; say who can.
        log.warning("form schema cannot be checked: %r", err)
        raise ValidationFailed(_("表单定义有误，无法校验，请联系管理员")) from None
    return fields


MAX_FREE_KEYS = 50
MAX_FREE_JSON = 64 * 1024


def validate_free_data(data: Any) -> dict[str, Any]:
    """Data submitted to a task without a form (a diagram from another tool, a plain `<task>`): kept, not
    thrown away, once minimally checked — an object of at most MAX_FREE_KEYS variables whose names are
    identifiers not starting with "_", values any database can store, at most MAX_FREE_JSON as JSON."""
    if not isinstance(data, dict):
        raise ValidationFailed(_("提交的数据必须是对象"), fields={"data": _("应为对象")})
    fields: dict[str, str] = {}
    if len(data) > MAX_FREE_KEYS:
        fields["data"] = _("最多 %(n)s 个字段", n=MAX_FREE_KEYS)
    for key in data:
        if not (isinstance(key, str) and key.isidentifier() and not key.startswith("_")):
            fields[shown(str(key))] = _("字段名应为变量名，且不以下划线开头")
    fields = fields or _unstorable(data)
    if not fields:
        try:
            size = len(json.dumps(data, ensure_ascii=False, allow_nan=False))
        except (TypeError, ValueError):
            size = MAX_FREE_JSON + 1
        if size > MAX_FREE_JSON:
            fields["data"] = _("数据过大（最多 %(n)s 字节）", n=MAX_FREE_JSON)
    if fields:
        raise ValidationFailed(_("表单有 %(n)s 处需要修改", n=len(fields)), fields=fields)
    return dict(data)


def validate_submission(schema: dict[str, Any] | None, data: Any) -> dict[str, Any]:
    """Return only the fields the form declares, or raise ValidationFailed naming every bad field.

    Undeclared keys are dropped so a client cannot overwrite workflow variables the form never asked for.
    """
    if not isinstance(data, dict):
        raise ValidationFailed(_("提交的数据必须是对象"), fields={"data": _("应为对象")})
    if not schema:
        return {}
    fields = _unstorable(data) or _schema_errors(schema, data)
    if fields:
        raise ValidationFailed(_("表单有 %(n)s 处需要修改", n=len(fields)), fields=fields)
    declared = schema.get("properties")
    if declared is None:
        return dict(data)
    return {k: v for k, v in data.items() if k in declared}
