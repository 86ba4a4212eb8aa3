"""Bulk import of users from an .xlsx sheet: every row is checked first, then all are created in one
transaction or none is (a refusal lists each row's problems). Columns by header, in any order:
用户名, 姓名, 机构编码, 角色 (codes or Chinese names, separated by 、 or commas), 归口领域 (optional),
初始密码 (optional: a one-time password is made and shown once)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from server.db import db
from server.models import User
from server.services import audit
from server.services.admin_access import require_admin
from server.services.errors import ValidationFailed
from server.services.people import check_fields, check_password, new_user, one_time_password

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500
HEADERS = {"用户名": "username", "姓名": "display_name", "机构编码": "organisation", "角色": "roles",
           "归口领域": "sectors", "初始密码": "password"}
REQUIRED = ("username", "display_name", "organisation", "roles")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(sheet row number, fields) of every non-empty row of the first sheet."""
    if len(content) > MAX_BYTES:
        raise ValidationFailed(_("文件超过 2 MB"), fields={"file": _("文件超过 2 MB")})
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise ValidationFailed(_("无法读取文件：请上传 .xlsx 格式的 Excel 文件"),
                               fields={"file": _("不是有效的 .xlsx 文件")}) from err
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [_cell(v) for v in next(rows, ())]
        columns = {i: HEADERS[h] for i, h in enumerate(header) if h in HEADERS}
        missing = [h for h, key in HEADERS.items() if key in REQUIRED and key not in columns.values()]
        if missing:
            raise ValidationFailed(_("表头缺少列：%(cols)s", cols="、".join(missing)),
                                   fields={"file": _("第一行须为表头：%(cols)s", cols="、".join(HEADERS))})
        out = []
        for number, values in enumerate(rows, start=2):
            fields = {key: _cell(values[i]) if i < len(values) else "" for i, key in columns.items()}
            if not any(fields.values()):
                continue
            if len(out) >= MAX_ROWS:
                raise ValidationFailed(_("一次最多导入 %(n)s 行", n=MAX_ROWS), fields={"file": _("行数过多")})
            out.append((number, fields))
    finally:
        book.close()
    if not out:
        raise ValidationFailed(_("文件中没有用户数据"), fields={"file": _("表头下没有数据行")})
    return out


def import_users(actor: User, content: bytes) -> list[tuple[str, str | None]]:
    """Create every row's user, or none. Returns (username, one-time password or None) per row."""
    require_admin(actor)
    rows = read_rows(content)
    errors: dict[str, str] = {}
    checked = []
    taken: set[str] = set()
    for number, data in rows:
        fields, problems = check_fields(data, taken=taken)
        password = data.get("password", "")
        if password and (problem := check_password(password)):
            problems["password"] = problem
        if problems:
            errors[f"row{number}"] = _("第 %(n)s 行：%(problems)s", n=number, problems="；".join(problems.values()))
        else:
            assert fields is not None
            checked.append((fields, password))
        taken.add(data.get("username", "").lower())
    if errors:
        raise ValidationFailed(_("导入未执行：%(n)s 行有错误，请修改后重新上传", n=len(errors)), fields=errors)
    created = []
    for fields, password in checked:
        shown = None if password else one_time_password()
        new_user(fields, password or shown or "")
        created.append((fields.username, shown))
    db.session.flush()
    audit.record("user_import", actor=actor, data={"usernames": [u for u, _p in created]})
    db.session.commit()
    return created
