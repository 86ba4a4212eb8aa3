"""What each role is called where people read it (cancel rules, the diagram's lanes): the BPMN and the
database keep the codes, pages show these names in the visit's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from server.models import Role

ROLE_LABELS = {
    Role.ADMIN.value: _l("系统管理员"),
    Role.PERFORMANCE_OFFICE.value: _l("绩效管理股"),
    Role.FINANCE_SECTION.value: _l("财政业务股室"),
    Role.DEPT_REVIEWER.value: _l("主管部门"),
    Role.UNIT_STAFF.value: _l("实施单位"),
    Role.EXPERT.value: _l("评价专家"),
}


def role_name(code: str) -> str:
    """The readable name of a role code; an unknown lane name is shown as written."""
    label = ROLE_LABELS.get(code)
    return str(label) if label is not None else code
