"""Typed SQLAlchemy models; the core ones here, each flow's in its package.

The core tables live here: identity, processes, instances, tasks, audit, projects, notifications. Each flow's
own tables live in its package (server/flows/<key>/models.py) and are registered by its FlowDefinition
(server/flows/registry.py, imported by create_app, so the app and Alembic see every table).
"""

from server.models.attachment import Attachment
from server.models.audit import AuditEvent
from server.models.dashboard import DashboardCount, MonitoringTally
from server.models.idempotency import IdempotencyKey
from server.models.identity import ApiToken, Organisation, OrgKind, Role, User, UserRole, UserSector
from server.models.indicator import Indicator
from server.models.instance import InstanceParticipant, InstanceStatus, ProcessInstance
from server.models.login import LoginAttempt
from server.models.login_session import LoginSession
from server.models.modeler_draft import ModelerDraft
from server.models.notification import Notification
from server.models.process import ProcessModel, ProcessVersion
from server.models.project import FundSource, GoalStatus, Project, ProjectCategory, ProjectStatus, ProjectType
from server.models.publication import PublicationRelease as PublicationRelease
from server.models.publication import ReleaseKind as ReleaseKind
from server.models.task import HumanTask, TaskStatus

__all__ = [
    "ApiToken",
    "Attachment",
    "GoalStatus",
    "ProjectType",
    "ProjectCategory",
    "FundSource",
    "AuditEvent",
    "DashboardCount",
    "LoginAttempt",
    "LoginSession",
    "ModelerDraft",
    "MonitoringTally",
    "Notification",
    "HumanTask",
    "IdempotencyKey",
    "Indicator",
    "InstanceParticipant",
    "InstanceStatus",
    "OrgKind",
    "Organisation",
    "ProcessInstance",
    "ProcessModel",
    "ProcessVersion",
    "Project",
    "ProjectStatus",
    "Role",
    "TaskStatus",
    "User",
    "UserRole",
    "UserSector",
]
