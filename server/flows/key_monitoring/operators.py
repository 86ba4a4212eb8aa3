"""key_monitoring.* operators: 重点绩效监控 (seeds 000 "对…重点项目开展了绩效跟踪监控…及时纠偏", 003 "对…项目进行
绩效跟踪…及时予以纠正；最后向预算单位反馈跟踪情况，预算单位进行整改").

The performance office selects a project (batch start on 发起), then tracks it itself (财政自行监控) or entrusts a
registered third-party firm, chosen from a list (services/choices.py), whose first active expert gets the
tracking task. The monitor records the tracking findings;
with findings the office sends the unit a rectification request with a deadline, the unit reports its
rectification and the office verifies it (send back with a new deadline, as often as needed). A rectification
not reported by its deadline is escalated to the office by the diagram's timer. The periods (the proposed and
longest rectification deadline, the resubmit period after a send-back) come from the rule table
key_monitoring_rules.dmn; the defaults below only serve instances of versions deployed before it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from server.clock import COUNTY_TZ
from server.db import db
from server.engine.operators import OperatorCall, ParameterRefused
from server.extensions import get_clock
from server.flows.evaluation.result import deadline, registered_firms
from server.flows.key_monitoring.models import (
    SEVERITIES,
    KeyMonitoring,
    KeyMonitoringFinding,
    KeyMonitoringRectification,
    KeyMonitoringStatus,
)
from server.flows.shared.eligibility import APPROVED
from server.flows.shared.support import context, notify, text
from server.models import (
    InstanceStatus,
    Organisation,
    ProcessInstance,
    Project,
    ProjectStatus,
    Role,
    User,
    UserRole,
)

MAX_FINDINGS = 30
LIVE = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.SUSPENDED)


def monitoring_of(call: OperatorCall, *expected: KeyMonitoringStatus) -> KeyMonitoring:
    """This instance's key monitoring, refusing a step that does not fit its status (a replayed or forged step)."""
    found = db.session.scalar(select(KeyMonitoring).where(KeyMonitoring.instance_id == context(call).instance.id)
                              .order_by(KeyMonitoring.id.desc()).limit(1))
    if found is None:
        raise ValueError(_("本流程还没有开始重点绩效监控（缺少“key_monitoring.open”步骤）"))
    if expected and found.status not in expected:
        raise ValueError(_("重点绩效监控当前不在这一环节"))
    return found


def _required(value: Any, limit: int, message: str, parameter: str) -> str:
    """A text of at least two characters; refused against the form field the parameter reads."""
    found = text(value, limit)
    if found is None or len(found.strip()) < 2:
        raise ParameterRefused({parameter: message})
    return found.strip()


def open_monitoring(call: OperatorCall, *, project_code: Any = None) -> dict[str, Any]:
    """key_monitoring.open: the selected project (of the unit the instance runs for) with approved goals; one live
    key monitoring per project."""
    if project_code in (None, ""):
        raise ValueError(_("请指定项目（project_code）"))
    project = db.session.scalar(select(Project).where(Project.code == str(project_code)[:100]))
    instance = context(call).instance
    if project is None or project.organisation_id != instance.organisation_id:
        raise ValueError(_("未找到项目“%(code)s”", code=str(project_code)[:100]))
    if project.status != ProjectStatus.IN_LIBRARY or project.goal_status not in APPROVED or project.fiscal_year is None:
        raise ValueError(_("项目 %(code)s 的绩效目标尚未批复，不能开展重点绩效监控", code=project.code))
    running = db.session.scalar(
        select(KeyMonitoring.id).join(ProcessInstance, ProcessInstance.id == KeyMonitoring.instance_id)
        .where(KeyMonitoring.project_id == project.id, ProcessInstance.status.in_(LIVE),
               ProcessInstance.id != instance.id).limit(1))
    if running is not None:
        raise ValueError(_("项目 %(code)s 的重点绩效监控已在进行中", code=project.code))
    now = get_clock().now()
    row = KeyMonitoring(project_id=project.id, fiscal_year=project.fiscal_year, instance_id=instance.id,
                        status=KeyMonitoringStatus.ASSIGNING, created_at=now, updated_at=now)
    db.session.add(row)
    db.session.flush()
    return {"monitoring_id": row.id, "project_id": project.id, "project_code": project.code,
            "project_name": project.name, "fiscal_year": project.fiscal_year,
            "fund_source": str(project.fund_source)}  # the rule table may set 直达资金's periods apart


def assign(call: OperatorCall, *, monitor: Any, firm_code: Any = None, reason: Any = None) -> dict[str, Any]:
    """key_monitoring.assign: `monitor` is "office" (财政自行监控) or a registered third-party firm's code (one
    with an active expert account); the firm's first expert by username gets the tracking task. Versions
    before the firm list sent "third_party" with the code in `firm_code`."""
    row = monitoring_of(call, KeyMonitoringStatus.ASSIGNING)
    chosen = str(monitor or "").strip()[:64]
    field = "firm_code" if chosen == "third_party" else "monitor"
    code = str(firm_code or "").strip()[:64] if chosen == "third_party" else chosen
    row.reason = _required(reason, 4000, _("请填写选取理由"), "reason")
    expert, firm_name = "", ""
    choice = "office" if code == "office" else "third_party"
    if choice == "third_party":
        if not code:
            raise ParameterRefused({field: _("请选择监控主体")})
        firm = next((f for f in registered_firms() if f.code == code), None)
        if firm is None:
            raise ParameterRefused({field: _("“%(code)s”不是登记的第三方机构（须有评价专家账号）", code=code)})
        expert = db.session.scalar(
            select(User.username).join(UserRole, UserRole.user_id == User.id)
            .where(User.organisation_id == firm.id, UserRole.role == Role.EXPERT, User.active.is_(True))
            .order_by(User.username).limit(1)) or ""
        row.firm_id, row.expert, firm_name = firm.id, expert, firm.name
    actor = context(call).actor
    row.monitor, row.assigned_by_id = choice, actor.id if actor else None
    row.status, row.updated_at = KeyMonitoringStatus.TRACKING, get_clock().now()
    db.session.flush()
    return {"by_firm": choice == "third_party", "expert": expert, "firm_name": firm_name}


def _findings(value: Any) -> list[KeyMonitoringFinding]:
    if not isinstance(value, list):
        raise ValueError(_("跟踪发现应为问题列表"))
    if len(value) > MAX_FINDINGS:
        raise ValueError(_("跟踪发现最多 %(n)s 条", n=MAX_FINDINGS))
    rows = []
    for position, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ValueError(_("第 %(n)s 条跟踪发现格式不正确", n=position))
        severity = str(item.get("severity") or "")
        if severity not in SEVERITIES:
            raise ValueError(_("第 %(n)s 条跟踪发现的严重程度应为 一般、较重 或 严重", n=position))
        rows.append(KeyMonitoringFinding(
            position=position, severity=severity,
            issue=_required(item.get("issue"), 2000, _("第 %(n)s 条跟踪发现请写明问题", n=position), "findings"),
            evidence=_required(item.get("evidence"), 2000, _("第 %(n)s 条跟踪发现请写明依据", n=position), "findings"),
        ))
    return rows


def track(call: OperatorCall, *, summary: Any, findings: Any, rectify_within: Any = None) -> dict[str, Any]:
    """key_monitoring.track: the monitor's tracking summary and findings. Without findings the monitoring ends
    (the unit is told); with findings the office is to send a rectification request, its deadline proposed
    `rectify_within` (the rule table's period) from today."""
    row = monitoring_of(call, KeyMonitoringStatus.TRACKING)
    row.summary = _required(summary, 4000, _("请填写跟踪情况"), "summary")
    try:
        row.findings = _findings(findings)
    except ValueError as err:
        raise ParameterRefused({"findings": str(err)}) from err
    actor = context(call).actor
    now = get_clock().now()
    row.tracked_by_id, row.tracked_at, row.updated_at = (actor.id if actor else None), now, now
    project = row.project
    if row.findings:
        row.status = KeyMonitoringStatus.REQUESTING
        notify(call, project, "performance_office", "findings",
               _("%(name)s：重点绩效监控发现 %(n)s 个问题，请下达整改要求。", name=project.name, n=len(row.findings)))
    else:
        row.status = KeyMonitoringStatus.NO_ISSUE
        notify(call, project, "unit_staff", "result",
               _("%(name)s：重点绩效监控未发现问题。跟踪情况：%(s)s", name=project.name, s=row.summary))
    db.session.flush()
    proposed = None
    if row.findings and rectify_within not in (None, ""):
        proposed = (deadline(now, rectify_within) - timedelta(seconds=1)).astimezone(COUNTY_TZ).date().isoformat()
    return {"has_findings": bool(row.findings), "count": len(row.findings), "proposed_due_date": proposed}


def _due(value: Any, longest: Any) -> datetime:
    """The end of the chosen county day as UTC; the day must be after today and at most `longest` (the rule
    table's period) away."""
    try:
        day = date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        raise ParameterRefused({"due_date": _("整改报送期限应为日期（年-月-日）")}) from None
    now = get_clock().now()
    today, last = now.astimezone(COUNTY_TZ).date(), deadline(now, longest) - timedelta(seconds=1)
    if not today < day <= last.astimezone(COUNTY_TZ).date():
        raise ParameterRefused({"due_date": _("整改报送期限应在今天之后、%(day)s（含）之前", day=_day(last))})
    return datetime(day.year, day.month, day.day, tzinfo=COUNTY_TZ).astimezone(UTC) + timedelta(days=1)


def _day(moment: datetime) -> str:
    shown = (moment - timedelta(seconds=1)).astimezone(COUNTY_TZ)
    return _("%(y)s年%(m)s月%(d)s日", y=shown.year, m=shown.month, d=shown.day)


def request(call: OperatorCall, *, requirements: Any, due_date: Any, longest: Any = "P1Y") -> dict[str, Any]:
    """key_monitoring.request: the office feeds the findings back to the unit with requirements and a deadline."""
    row = monitoring_of(call, KeyMonitoringStatus.REQUESTING)
    row.requirements = _required(requirements, 4000, _("请填写整改要求"), "requirements")
    due = _due(due_date, longest)
    row.rectify_due_at, row.status, row.updated_at = due, KeyMonitoringStatus.RECTIFYING, get_clock().now()
    project = row.project
    notify(call, project, "unit_staff", "rectify",
           _("%(name)s：重点绩效监控发现 %(n)s 个问题，请按整改要求于 %(day)s 前报送整改情况。",
             name=project.name, n=len(row.findings), day=_day(due)))
    db.session.flush()
    return {"due_at": due.isoformat()}


def rectify(call: OperatorCall, *, measures: Any, results: Any, completion: Any) -> dict[str, Any]:
    """key_monitoring.rectify: the unit's rectification report for the current round (late ones are marked)."""
    row = monitoring_of(call, KeyMonitoringStatus.RECTIFYING)
    if str(completion) not in ("已完成", "部分完成"):
        raise ValueError(_("整改完成情况应为 已完成 或 部分完成"))
    now = get_clock().now()
    due = row.rectify_due_at or now
    actor = context(call).actor
    report = KeyMonitoringRectification(
        monitoring_id=row.id, round=len(row.rectifications) + 1, due_at=due, completion=str(completion),
        measures=_required(measures, 4000, _("请填写整改措施"), "measures"),
        results=_required(results, 4000, _("请填写整改成效"), "results"),
        overdue=now > due, submitted_by_id=actor.id if actor else None, submitted_at=now)
    db.session.add(report)
    row.updated_at = now
    db.session.flush()
    db.session.refresh(row, ["rectifications"])
    return {"round": report.round, "overdue": report.overdue}


def verify(call: OperatorCall, *, decision: Any, opinion: Any, resubmit_within: Any = "P15D") -> dict[str, Any]:
    """key_monitoring.verify: verified closes the monitoring (销号); send_back returns it with a new deadline."""
    row = monitoring_of(call, KeyMonitoringStatus.RECTIFYING)
    report = row.rectifications[-1] if row.rectifications else None
    if report is None or report.decision is not None:
        raise ValueError(_("没有待核查的整改情况"))
    choice = str(decision)
    if choice not in ("verified", "send_back"):
        raise ValueError(_("未知的核查结论“%(d)s”", d=choice[:32]))
    now = get_clock().now()
    actor = context(call).actor
    report.decision, report.opinion = choice, _required(opinion, 4000, _("请填写核查意见"), "opinion")
    report.verified_by_id, report.verified_at = (actor.id if actor else None), now
    row.updated_at = now
    project = row.project
    result: dict[str, Any] = {"outcome": choice, "due_at": None}
    if choice == "verified":
        row.status = KeyMonitoringStatus.RECTIFIED
        notify(call, project, "unit_staff", "rectified",
               _("%(name)s：重点绩效监控发现的问题已整改到位，予以销号。", name=project.name))
    else:
        due = deadline(now, resubmit_within)
        row.rectify_due_at = due
        result["due_at"] = due.isoformat()
        notify(call, project, "unit_staff", "returned",
               _("%(name)s：整改未到位，请按核查意见继续整改，于 %(day)s 前重新报送。", name=project.name, day=_day(due)))
    db.session.flush()
    return result


def escalate(call: OperatorCall) -> dict[str, Any]:
    """key_monitoring.escalate: the rectification deadline passed without a report — the office is to press
    the unit (督办), and the unit is reminded."""
    row = monitoring_of(call, KeyMonitoringStatus.RECTIFYING)
    row.escalated_at = get_clock().now()
    project = row.project
    unit = db.session.get(Organisation, project.organisation_id)
    notify(call, project, "performance_office", "escalation",
           _("%(name)s（%(unit)s）：重点绩效监控的整改情况逾期未报送，请督办。", name=project.name,
             unit=unit.name if unit else ""))
    notify(call, project, "unit_staff", "reminder",
           _("%(name)s：重点绩效监控的整改情况已超过报送期限，已报绩效管理股督办，请尽快报送。", name=project.name))
    db.session.flush()
    return {"escalated_at": row.escalated_at.isoformat()}
