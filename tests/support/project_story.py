"""A project that went through the whole chain, written straight into the domain tables of the seeded demo
county (school1's 县第一中学, sector 教育): ex-ante assessment with a cut, goal version 1 approved then
superseded by an adjusted version 2, four monthly monitoring reports (a red one in October with a correction,
the key-attention ledger), the year's evaluation graded 中 with two rectification rounds, a budget adjustment
and a payment suspension, plus the flow instances behind the steps. The figures below are what the
project page must show. Fast (no workflow runs): the flows' own suites test how the rows come to be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from server.db import db
from server.flows.evaluation.models import (
    Evaluation,
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
)
from server.flows.shared.models import AdjustmentKind, BudgetAdjustment, PaymentSuspension
from server.models import (
    GoalStatus,
    InstanceStatus,
    ProcessInstance,
    ProcessModel,
    ProcessVersion,
    Project,
    ProjectStatus,
    ProjectType,
    User,
)

YEAR = 2026
T0 = datetime(2025, 9, 1, 2, 0, tzinfo=UTC)


@dataclass
class StoryIds:
    project: int
    other_project: int  # 县水利工程站's, out of school1's and fin_edu's scope
    instances: dict[str, int]


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _instance(key: str, org_id: int, code: str, at: datetime) -> ProcessInstance:
    model = db.session.scalar(select(ProcessModel).where(ProcessModel.key == key))
    if model is None:
        model = ProcessModel(key=key, name=key)
        db.session.add(model)
        db.session.flush()
    version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.model_id == model.id))
    if version is None:
        version = ProcessVersion(model_id=model.id, number=1, process_id=key, sources={}, forms={}, spec_json="{}",
                                 checksum="0" * 64)
        db.session.add(version)
        db.session.flush()
    inst = ProcessInstance(version_id=version.id, process_key=key, status=InstanceStatus.COMPLETED, state="{}",
                           organisation_id=org_id, business_key=code, title=key, created_at=at, updated_at=at,
                           completed_at=at + timedelta(days=20))
    db.session.add(inst)
    db.session.flush()
    return inst


def _indicators(rows):
    return [GoalIndicator(position=i, level1=l1, level2=l2, name=name, operator=op, value=value, unit=unit,
                          basis="计划标准", weight=Decimal(w)) for i, (l1, l2, name, op, value, unit, w) in enumerate(rows)]


V1 = [("产出", "数量", "改造校舍面积", "≥", "1200", "平方米", "30"),
      ("产出", "质量", "验收合格率", "=", "100", "%", "20"),
      ("产出", "时效", "完工时间", "≤", "10", "月", "10"),
      ("效益", "社会效益", "改善学生学习条件", "定性", "明显改善", None, "30"),
      ("满意度", "服务对象满意度", "师生满意度", "≥", "90", "%", "10")]
V2 = [("产出", "数量", "改造校舍面积", "≥", "800", "平方米", "30"),  # value changed
      ("产出", "质量", "验收合格率", "=", "100", "%", "20"),
      # 完工时间 removed
      ("产出", "时效", "完工月份", "≤", "12", "月", "10"),  # added
      ("效益", "社会效益", "改善学生学习条件", "定性", "明显改善", None, "30"),
      ("满意度", "服务对象满意度", "师生满意度", "≥", "90", "%", "10")]


def build_story() -> StoryIds:
    school, head, fin, perf, expert = (_user(u) for u in ("school1", "edu_head", "fin_edu", "perf", "expert1"))
    water = _user("water1")
    code = "JX-TEST-STORY-001"
    inst = {k: _instance(k, school.organisation_id, code, T0 + timedelta(days=i * 30))
            for i, k in enumerate(("ex_ante", "goal_review", "goal_adjust", "monitoring", "evaluation"))}
    p = Project(code=code, name="县第一中学教学楼维修改造项目", organisation_id=school.organisation_id,
                department_id=head.organisation_id, sector="教育", fiscal_year=YEAR, project_type=ProjectType.NEW,
                start_year=YEAR, end_year=YEAR, requested_amount=Decimal("1000000.00"),
                fiscal_funds=Decimal("900000.00"), other_funds=Decimal("100000.00"), amount=Decimal("800000.00"),
                cut_amount=Decimal("200000.00"), status=ProjectStatus.IN_LIBRARY, goal_status=GoalStatus.APPROVED,
                application={"necessity": "教学楼建于1985年，屋面渗漏，需维修。", "implementation_plan": "暑假施工，九月完工。",
                             "budget_items": [{"item": "屋面防水", "basis": "1200㎡ × 500元", "amount": 600000},
                                              {"item": "门窗更换", "basis": "200樘 × 2000元", "amount": 400000}],
                             "materials": ["可行性研究报告", "维修设计方案"], "contact": "王老师 0000-1234567"},
                instance_id=inst["ex_ante"].id, created_at=T0, admitted_at=T0 + timedelta(days=25))
    other = Project(code="JX-TEST-STORY-002", name="县水利工程站渠道清淤项目", organisation_id=water.organisation_id,
                    department_id=water.organisation.parent_id, sector="水利", fiscal_year=YEAR,
                    status=ProjectStatus.APPLIED, created_at=T0)
    db.session.add_all([p, other])
    db.session.flush()

    a = Assessment(project_id=p.id, instance_id=inst["ex_ante"].id, fiscal_year=YEAR, required=True, major=False,
                   basis="新增项目须开展事前绩效评估", status=AssessmentStatus.CONCLUDED, stage=Stage.OFFICE,
                   self_score=Decimal("92"), office_score=Decimal("84.5"), conclusion=Conclusion.ADJUST,
                   requested_amount=Decimal("1000000.00"), approved_amount=Decimal("800000.00"),
                   cut_amount=Decimal("200000.00"), cut_rate=Decimal("0.2000"), reasons="门窗更换标准偏高，核减。",
                   concluded_by_id=perf.id, concluded_at=T0 + timedelta(days=20), created_at=T0)
    a.opinions = [
        AssessmentOpinion(stage=Stage.SELF, round=1, actor_id=school.id, decision="submit", necessity=Decimal("19"),
                          economy=Decimal("18"), goals=Decimal("18"), feasibility=Decimal("19"),
                          compliance=Decimal("18"), total=Decimal("92"), created_at=T0 + timedelta(days=2)),
        AssessmentOpinion(stage=Stage.DEPT, round=1, actor_id=head.id, decision="pass", opinion="同意报送。",
                          created_at=T0 + timedelta(days=5)),
        AssessmentOpinion(stage=Stage.OFFICE, round=1, actor_id=perf.id, decision="adjust", necessity=Decimal("18"),
                          economy=Decimal("15"), goals=Decimal("17"), feasibility=Decimal("17.5"),
                          compliance=Decimal("17"), total=Decimal("84.5"), opinion="调整后支持，核减20万元。",
                          created_at=T0 + timedelta(days=20)),
    ]
    db.session.add(a)
    g1 = GoalVersion(project_id=p.id, version=1, kind=GoalKind.ORIGINAL, status=GoalVersionStatus.SUPERSEDED,
                     instance_id=inst["goal_review"].id, fiscal_year=YEAR, round=2, annual_goal="完成教学楼屋面和门窗改造。",
                     budget_amount=Decimal("800000.00"), grade="良", approved_at=T0 + timedelta(days=50),
                     approved_by_id=fin.id, indicators=_indicators(V1), created_at=T0 + timedelta(days=30))
    db.session.add(g1)
    db.session.flush()
    g1.reviews = [
        GoalReview(stage=GoalStage.DEPT, round=1, actor_id=head.id, decision="send_back", opinion="满意度指标缺失依据。",
                   created_at=T0 + timedelta(days=35)),
        GoalReview(stage=GoalStage.DEPT, round=2, actor_id=head.id, decision="pass", opinion="同意。",
                   created_at=T0 + timedelta(days=40)),
        GoalReview(stage=GoalStage.FINANCE, round=2, actor_id=fin.id, decision="approve", outcome="approve",
                   opinion="审核等次：良。", fixes="完工时间请写明月份。", created_at=T0 + timedelta(days=50)),
    ]
    g2 = GoalVersion(project_id=p.id, version=2, kind=GoalKind.ADJUSTED, status=GoalVersionStatus.APPROVED,
                     instance_id=inst["goal_adjust"].id, based_on_id=g1.id, fiscal_year=YEAR, round=1,
                     annual_goal="完成教学楼屋面改造。", budget_amount=Decimal("800000.00"), adjust_reasons="门窗改造并入下年度。",
                     approved_at=datetime(2026, 7, 10, 2, tzinfo=UTC), approved_by_id=fin.id, indicators=_indicators(V2),
                     created_at=datetime(2026, 7, 1, 2, tzinfo=UTC))
    db.session.add(g2)
    db.session.flush()
    g2.reviews = [GoalReview(stage=GoalStage.FINANCE, round=1, actor_id=fin.id, decision="approve", opinion="同意调整。",
                             created_at=datetime(2026, 7, 10, 2, tzinfo=UTC))]

    reports = []
    for month, spent, ratio, ecol, progress, gcol, col in (
        (3, "100000", "0.5000", Colour.RED, "1.2000", Colour.GREEN, Colour.RED),
        (6, "300000", "0.7500", Colour.YELLOW, "0.9000", Colour.GREEN, Colour.YELLOW),
        (9, "600000", "1.0000", Colour.GREEN, "1.0000", Colour.GREEN, Colour.GREEN),
        (10, "600000", "0.9000", Colour.GREEN, "0.5000", Colour.RED, Colour.RED),
    ):
        r = MonitoringReport(project_id=p.id, goal_id=g2.id if month >= 9 else g1.id, instance_id=inst["monitoring"].id,
                             fiscal_year=YEAR, month=month, budget=Decimal("800000.00"), spent=Decimal(spent),
                             execution_ratio=Decimal(ratio), execution_colour=ecol, goal_colour=gcol, colour=col,
                             reported_by_id=school.id, created_at=datetime(2026, month, 28, 2, tzinfo=UTC),
                             cause="雨季停工。" if col == Colour.RED else None,
                             measures="延长工期。" if col == Colour.RED else None)
        r.indicators = [MonitoringIndicator(indicator_id=g1.indicators[0].id, position=0, name="改造校舍面积", operator="≥",
                                            target="800", current_value="400", progress=Decimal(progress), colour=gcol,
                                            likelihood="能够完成")]
        reports.append(r)
    db.session.add_all(reports)
    db.session.flush()
    db.session.add_all([
        KeyAttention(project_id=p.id, report_id=reports[-1].id, fiscal_year=YEAR, reason="目标进度严重滞后（测试）",
                     created_at=datetime(2026, 10, 31, 2, tzinfo=UTC)),
        Correction(project_id=p.id, report_id=reports[0].id, kind=CorrectionKind.ACCEPT, actor_id=fin.id,
                   opinion="认可，加快进度。", created_at=datetime(2026, 4, 5, 2, tzinfo=UTC)),
        Correction(project_id=p.id, report_id=reports[-1].id, kind=CorrectionKind.ADJUST_BUDGET, actor_id=fin.id,
                   amount=Decimal("700000.00"), opinion="调减预算至70万元。", created_at=datetime(2026, 11, 5, 2, tzinfo=UTC)),
    ])
    e = Evaluation(project_id=p.id, fiscal_year=YEAR, instance_id=inst["evaluation"].id, goal_id=g2.id,
                   status=EvaluationStatus.RECTIFIED, budget=Decimal("700000.00"), spent=Decimal("650000.00"),
                   execution_rate=Decimal("0.9286"), self_score=Decimal("82.00"), self_grade="良", self_round=1,
                   self_submitted_at=datetime(2027, 2, 1, 2, tzinfo=UTC), review_decision="key", reviewed_by_id=perf.id,
                   review_opinion="列入重点评价。", key_selected=True, key_score=Decimal("75.50"),
                   score=Decimal("75.50"), grade="中", conclusion="项目基本完成。", problems="进度滞后。",
                   requirements="30日内报送整改报告。", rectify_required=True, adjust_percent=Decimal("0"),
                   noticed_at=datetime(2027, 4, 1, 2, tzinfo=UTC), noticed_by_id=perf.id)
    db.session.add(e)
    db.session.flush()
    draw = KeyEvaluationDraw(evaluation_id=e.id, seed="0" * 64, candidates=[], chosen_index=0,
                             firm_id=expert.organisation_id, experts=["expert1"], drawn_by_id=perf.id,
                             drawn_at=datetime(2027, 3, 1, 2, tzinfo=UTC))
    score = KeyEvaluationScore(evaluation_id=e.id, expert_id=expert.id, execution=Decimal("9"), output=Decimal("38"),
                               benefit=Decimal("21"), satisfaction=Decimal("7.5"), total=Decimal("75.50"),
                               findings="进度滞后。", opinion="中。")
    e.rectifications = [
        Rectification(round=1, due_at=datetime(2027, 5, 1, tzinfo=UTC), measures="补充施工计划。", results="部分完成。",
                      completion="部分完成", submitted_by_id=school.id, submitted_at=datetime(2027, 4, 25, 2, tzinfo=UTC),
                      decision="send_back", opinion="请补充验收材料。", verified_by_id=perf.id,
                      verified_at=datetime(2027, 4, 28, 2, tzinfo=UTC)),
        Rectification(round=2, due_at=datetime(2027, 5, 20, tzinfo=UTC), measures="完成验收。", results="已完成。",
                      completion="已完成", submitted_by_id=school.id, submitted_at=datetime(2027, 5, 15, 2, tzinfo=UTC),
                      decision="verified", opinion="整改到位，销号。", verified_by_id=perf.id,
                      verified_at=datetime(2027, 5, 18, 2, tzinfo=UTC)),
    ]
    db.session.add_all([
        draw, score,
        BudgetAdjustment(project_id=p.id, fiscal_year=YEAR, kind=AdjustmentKind.DECREASE, amount=Decimal("-100000.00"),
                         reason="调减预算至70万元。", source_flow="monitoring", source_id=reports[-1].id,
                         instance_id=inst["monitoring"].id, actor_id=fin.id, created_at=datetime(2026, 11, 5, 2, tzinfo=UTC)),
        BudgetAdjustment(project_id=p.id, fiscal_year=YEAR + 1, kind=AdjustmentKind.DECREASE, percent=Decimal("-10"),
                         base_amount=Decimal("800000.00"), amount=Decimal("-80000.00"), reason="评价结果为中（测试）",
                         source_flow="evaluation", source_id=e.id, instance_id=inst["evaluation"].id, actor_id=perf.id,
                         created_at=datetime(2027, 4, 1, 2, tzinfo=UTC)),
        PaymentSuspension(project_id=p.id, reason="整改期间暂缓拨付", since=datetime(2027, 4, 1, 2, tzinfo=UTC),
                          lifted_at=datetime(2027, 5, 18, 2, tzinfo=UTC), lift_reason="整改到位", source_flow="evaluation",
                          source_id=e.id, instance_id=inst["evaluation"].id, suspended_by_id=perf.id),
    ])
    db.session.commit()
    return StoryIds(p.id, other.id, {k: v.id for k, v in inst.items()})
