"""Who may cancel which flow at which step — a role-and-stage rule declared in the flow's BPMN.

A process may declare, as process-level extension properties:

    <spiffworkflow:property name="cancelRoles" value="admin,performance_office" />
    <spiffworkflow:property name="starterMayWithdraw" value="Task_Self,Task_Review" />

`cancelRoles`: the roles that may cancel at any step. `starterMayWithdraw`: the steps (BPMN element ids) during
which the starting unit may still withdraw; once the flow has reached any other step it no longer may, even if a
later send-back returns to an earlier one (else a unit could escape a review by waiting for a send-back).
Undeclared: administrators and the performance office may cancel; the starting unit only while every step reached
so far is in the start lane (before the first review step).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext as _
from lxml import etree
from sqlalchemy import select

from server.db import db
from server.engine.parsing import is_bpmn
from server.models import HumanTask, ProcessInstance, ProcessVersion, Role, User
from server.services.role_names import ROLE_LABELS

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CANCEL_ROLES = "cancelRoles"
STARTER_MAY_WITHDRAW = "starterMayWithdraw"
DEFAULT_ROLES = frozenset({Role.ADMIN.value, Role.PERFORMANCE_OFFICE.value})



@dataclass(frozen=True)
class CancelRule:
    roles: frozenset[str]
    withdraw_steps: frozenset[str] | None  # None: the default, steps of the start lane
    step_titles: tuple[tuple[str, str], ...]  # (element id, name) of the withdraw steps, for the message


@dataclass(frozen=True)
class Decision:
    allowed: bool
    as_starter: bool  # allowed only because the actor is of the starting unit, at a withdrawable step
    rule_text: str  # who may cancel this flow at which step, in the user's language


def split_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").replace("，", ",").split(",") if part.strip()]


def declared(sources: dict[str, str], process_id: str) -> tuple[list[str] | None, list[str] | None, dict[str, str]]:
    """The process's cancelRoles and starterMayWithdraw (None when undeclared) and its element names by id.
    Sources were parsed safely at deploy time; this parser still refuses entities and the network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    ns = {"b": BPMN_NS, "s": SPIFF_NS}
    for name, xml in sources.items():
        if not is_bpmn(name):
            continue
        root = etree.fromstring(xml.encode(), parser)
        for process in root.iterfind(f"b:process[@id='{process_id}']", ns):
            props = {
                p.get("name"): p.get("value")
                for p in process.iterfind("b:extensionElements/s:properties/s:property", ns)
            }
            names = {el.get("id"): (el.get("name") or el.get("id")) for el in process.iter() if el.get("id")}
            roles = split_list(props[CANCEL_ROLES]) if CANCEL_ROLES in props else None
            steps = split_list(props[STARTER_MAY_WITHDRAW]) if STARTER_MAY_WITHDRAW in props else None
            return roles, steps, names
    return None, None, {}


@lru_cache(maxsize=64)
def _rule(version_id: int, checksum: str) -> CancelRule:
    version = db.session.get(ProcessVersion, version_id)
    assert version is not None
    roles, steps, names = declared(version.sources, version.process_id)
    withdraw = frozenset(steps) if steps is not None else None
    titles = tuple((s, names.get(s, s)) for s in (steps or ()))
    return CancelRule(frozenset(roles) if roles is not None else DEFAULT_ROLES, withdraw, titles)


def rule_for(version: ProcessVersion) -> CancelRule:
    return _rule(version.id, version.checksum)


def is_of_starting_unit(instance: ProcessInstance, actor: User) -> bool:
    """The starter, or a colleague of the owning unit holding the role that starts this flow."""
    if instance.started_by_id == actor.id:
        return True
    start_role = instance.version.start_role
    return bool(start_role) and actor.organisation_id == instance.organisation_id and start_role in actor.roles


def _steps_reached(instance: ProcessInstance) -> list[tuple[str, str]]:
    """(element id, role) of every user step the instance has reached, open or done."""
    rows = db.session.execute(
        select(HumanTask.task_name, HumanTask.role).where(HumanTask.instance_id == instance.id).distinct()
    )
    return [(name, role) for name, role in rows]


def may_withdraw_now(instance: ProcessInstance, rule: CancelRule) -> bool:
    reached = _steps_reached(instance)
    if rule.withdraw_steps is not None:
        return all(name in rule.withdraw_steps for name, _role in reached)
    start_role = instance.version.start_role
    return all(role == start_role for _name, role in reached) if start_role else not reached


def describe(rule: CancelRule) -> str:
    who = "、".join(str(ROLE_LABELS.get(r, r)) for r in sorted(rule.roles)) or _("无")
    if rule.withdraw_steps is None:
        starter = _("发起单位仅可在进入第一个审核步骤之前撤回")
    elif not rule.withdraw_steps:
        starter = _("发起单位不能撤回")
    else:
        steps = "、".join(f"“{title}”" for _id, title in rule.step_titles)
        starter = _("发起单位仅可在流程只到达过 %(steps)s 步骤时撤回（一旦进入其他步骤，如重点评价或第三方评价，即不能撤回）",
                    steps=steps)
    return _("可随时撤销此流程的：%(who)s；%(starter)s。", who=who, starter=starter)


def decide(instance: ProcessInstance, actor: User) -> Decision:
    rule = rule_for(instance.version)
    text = describe(rule)
    if rule.roles & set(actor.roles):
        return Decision(True, False, text)
    if is_of_starting_unit(instance, actor) and may_withdraw_now(instance, rule):
        return Decision(True, True, text)
    return Decision(False, False, text)
