"""Server-side validation of submitted task data against the task's JSON Schema, with Chinese field messages."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask_babel import gettext as _
from jsonschema.exceptions import ValidationError

from server.services.errors import ValidationFailed
from server.services.form_rules import FormValidator

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
        case "x-rules":  # form_rules.KEYWORD: the rule wrote its own message
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
_VALIDATORS: OrderedDict[int, tuple[dict[str, Any], Any]] = OrderedDict()
_VALIDATORS_SIZE = 512
_validators_lock = threading.Lock()


def _validator(schema: dict[str, Any]) -> Any:
    key = id(schema)
    with _validators_lock:
        entry = _VALIDATORS.get(key)
        if entry is not None and entry[0] is schema:
            _VALIDATORS.move_to_end(key)
            return entry[1]
    validator = FormValidator(schema, format_checker=FormValidator.FORMAT_CHECKER)
    with _validators_lock:
        _VALIDATORS[key] = (schema, validator)
        while len(_VALIDATORS) > _VALIDATORS_SIZE:
            _VALIDATORS.popitem(last=False)
    return validator


def validate_submission(schema: dict[str, Any] | None, data: Any) -> dict[str, Any]:
    """Return only the fields the form declares, or raise ValidationFailed naming every bad field.

    Undeclared keys are dropped so a client cannot overwrite workflow variables the form never asked for.
    """
    if not isinstance(data, dict):
        raise ValidationFailed(_("提交的数据必须是对象"), fields={"data": _("应为对象")})
    if not schema:
        return {}
    validator = _validator(schema)
    fields: dict[str, str] = {}
    for err in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        fields.setdefault(_field_path(err), _message(err))
    if fields:
        raise ValidationFailed(_("表单有 %(n)s 处需要修改", n=len(fields)), fields=fields)
    declared = schema.get("properties")
    if declared is None:
        return dict(data)
    return {k: v for k, v in data.items() if k in declared}
