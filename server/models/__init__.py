"""Typed SQLAlchemy models; importing this package registers every table on the metadata."""

from server.flows.evaluation.models import (
    Evaluation,
    EvaluationIndicatorScore,
    EvaluationStatus,
    KeyEvaluationDraw,
    KeyEvaluationScore,
    Rectification,
)
from server.flows.ex_ante.models import Assessment, AssessmentOpinion, AssessmentStatus, Conclusion, Stage
from server.flows.goal_review.models import (
    GoalIndicator,
    GoalKind,
    GoalReview,
    GoalStage,
    GoalVersion,
    GoalVersionStatus,
)
from server.flows.monitoring.models import (
    Colour,
    Correction,
    CorrectionKind,
    KeyAttention,
    MonitoringIndicator,
    MonitoringReport,
    Notification,
)
from server.flows.shared.models import AdjustmentKind, BudgetAdjustment, PaymentSuspension
from server.models.audit import AuditEvent
from server.models.identity import ApiToken, Organisation, OrgKind, Role, User, UserRole, UserSector
from server.models.instance import InstanceParticipant, InstanceStatus, ProcessInstance
from server.models.login import LoginAttempt
from server.models.process import ProcessModel, ProcessVersion
from server.models.project import GoalStatus, Project, ProjectStatus, ProjectType
from server.models.task import HumanTask, TaskStatus

__all__ = [
    "AdjustmentKind",
    "BudgetAdjustment",
    "Evaluation",
    "EvaluationIndicatorScore",
    "EvaluationStatus",
    "KeyEvaluationDraw",
    "KeyEvaluationScore",
    "PaymentSuspension",
    "Rectification",
    "ApiToken",
    "Assessment",
    "AssessmentOpinion",
    "AssessmentStatus",
    "Conclusion",
    "GoalIndicator",
    "GoalKind",
    "GoalReview",
    "GoalStage",
    "GoalStatus",
    "GoalVersion",
    "GoalVersionStatus",
    "ProjectType",
    "Stage",
    "AuditEvent",
    "Colour",
    "Correction",
    "CorrectionKind",
    "KeyAttention",
    "LoginAttempt",
    "MonitoringIndicator",
    "MonitoringReport",
    "Notification",
    "HumanTask",
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
