"""Walk tests/flows/review through every branch in memory, reloading from the dump between steps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.engine.errors import LoopLimitError
from server.engine.runtime import Engine, Workflow
from tests.engine.conftest import T0, Runner

EXPERTS = ["expert1", "expert2"]
MAJOR = {"project_name": "县第一中学教学楼维修", "amount": 2_000_000, "is_new": True}
NORMAL = {"project_name": "办公设备购置", "amount": 300_000, "is_new": False}


def only(wf: Workflow, name: str):
    tasks = wf.user_tasks()
    assert [t.name for t in tasks] == [name], [t.name for t in tasks]
    return tasks[0]


def test_apply_task_view(runner: Runner, review_pkg) -> None:
    wf = runner.start(review_pkg, {"experts": EXPERTS})
    task = only(wf, "Task_Apply")
    assert (task.title, task.lane) == ("申报", "unit_staff")
    assert (task.form_schema, task.ui_schema) == ("apply.json", "apply.ui.json")
    assert task.instructions and "申报金额" in task.instructions
    assert task.data == {"experts": EXPERTS}
    assert task.assignee is None and task.due_at is None and task.multi_instance_index is None
    assert wf.status == "running"
    assert wf.next_timer_due() is None


def test_normal_branch_skips_experts_and_approves(runner: Runner, review_pkg) -> None:
    wf = runner.start(review_pkg, {"experts": EXPERTS})
    wf = runner.complete(wf, only(wf, "Task_Apply").task_id, NORMAL)
    review = only(wf, "Task_Review")
    assert review.lane == "finance_section"
    assert review.data["level"] == "normal"
    assert review.due_at == T0 + timedelta(days=5)
    wf = runner.complete(wf, review.task_id, {"decision": "approve", "comment": "同意"})
    assert wf.status == "completed"
    assert wf.user_tasks() == []
    assert wf.next_timer_due() is None
    assert wf.data["echo_result"] == {"project": NORMAL["project_name"], "level": "normal", "amount": 300_000}
    names = wf.completed_task_names()
    assert "Task_ExpertScore" not in names
    assert names[:3] == ["StartEvent_1", "Task_Apply", "Rule_Level"]
    assert names[-2:] == ["Service_Record", "EndEvent_Approved"]


def test_major_branch_parallel_expert_scores(runner: Runner, review_pkg, manual_clock) -> None:
    wf = runner.start(review_pkg, {"experts": EXPERTS})
    wf = runner.complete(wf, only(wf, "Task_Apply").task_id, MAJOR)
    scores = wf.user_tasks()
    assert [t.name for t in scores] == ["Task_ExpertScore", "Task_ExpertScore"]
    assert sorted(t.assignee for t in scores) == EXPERTS
    assert {t.multi_instance_index for t in scores} == {0, 1}
    assert all(t.lane == "expert" and t.form_schema == "expert_score.json" for t in scores)
    assert all(t.due_at == T0 + timedelta(days=3) for t in scores)
    by_expert = {t.assignee: t for t in scores}

    manual_clock.advance(timedelta(hours=2))
    wf = runner.complete(wf, by_expert["expert2"].task_id, {"score": 90, "comment": "方案可行"})
    left = wf.user_tasks()
    assert [t.assignee for t in left] == ["expert1"]
    wf = runner.complete(wf, left[0].task_id, {"score": 75})

    review = only(wf, "Task_Review")
    assert review.data["expert_avg"] == 82.5
    assert sorted(review.data["last_expert_scores"]) == [75, 90]
    assert "expert_scores" not in review.data  # cleared so a revision pass can score again
    assert review.due_at == T0 + timedelta(hours=2, days=5)
    wf = runner.complete(wf, review.task_id, {"decision": "approve"})
    assert wf.status == "completed"
    assert wf.data["level"] == "major"


def test_send_back_loop_and_second_expert_round(runner: Runner, review_pkg) -> None:
    wf = runner.start(review_pkg, {"experts": EXPERTS})
    wf = runner.complete(wf, only(wf, "Task_Apply").task_id, MAJOR)
    for t in wf.user_tasks():
        wf = runner.complete(wf, t.task_id, {"score": 60})
    wf = runner.complete(
        wf, only(wf, "Task_Review").task_id, {"decision": "send_back", "comment": "金额过高"}
    )

    again = only(wf, "Task_Apply")
    assert again.data["comment"] == "金额过高"  # the reviewer's remark reaches the applicant
    assert again.data["project_name"] == MAJOR["project_name"]  # the form comes back pre-filled
    wf = runner.complete(wf, again.task_id, {**MAJOR, "amount": 1_500_000})
    second = wf.user_tasks()
    assert sorted(t.assignee for t in second) == EXPERTS
    for t in second:
        wf = runner.complete(wf, t.task_id, {"score": 80})
    review = only(wf, "Task_Review")
    assert review.data["expert_avg"] == 80
    wf = runner.complete(wf, review.task_id, {"decision": "send_back"})
    wf = runner.complete(wf, only(wf, "Task_Apply").task_id, NORMAL)  # revised below the threshold
    review = only(wf, "Task_Review")
    assert review.data["level"] == "normal"
    wf = runner.complete(wf, review.task_id, {"decision": "approve"})
    assert wf.status == "completed"
    assert wf.completed_task_names().count("Task_Apply") == 3


def test_timer_escalates_only_after_five_days(runner: Runner, review_pkg, manual_clock) -> None:
    wf = runner.start(review_pkg, {"experts": EXPERTS})
    wf = runner.complete(wf, only(wf, "Task_Apply").task_id, NORMAL)
    review = only(wf, "Task_Review")
    due = T0 + timedelta(days=5)
    assert wf.next_timer_due() == due

    manual_clock.advance(timedelta(days=4, hours=23))
    wf.refresh()
    wf = runner.again(wf)
    assert only(wf, "Task_Review").task_id == review.task_id  # not yet
    assert wf.next_timer_due() == due

    manual_clock.set(due + timedelta(seconds=1))
    wf.refresh()
    wf = runner.again(wf)
    escalate = only(wf, "Task_Escalate")  # interrupting: the review task was withdrawn
    assert (escalate.lane, escalate.form_schema) == ("performance_office", "escalate.json")
    assert wf.next_timer_due() is None
    assert wf.status == "running"

    manual_clock.advance(timedelta(hours=3))
    wf = runner.complete(wf, escalate.task_id, {"note": "请三日内完成审核"})
    back = only(wf, "Task_Review")
    assert back.task_id != review.task_id
    assert wf.next_timer_due() == manual_clock.now() + timedelta(days=5)  # the clock restarts
    assert back.data["note"] == "请三日内完成审核"
    wf = runner.complete(wf, back.task_id, {"decision": "approve"})
    assert wf.status == "completed"
    assert "Task_Escalate" in wf.completed_task_names()


def test_refresh_before_due_changes_nothing(runner: Runner, review_pkg, manual_clock) -> None:
    wf = runner.start(review_pkg, {"experts": EXPERTS})
    wf = runner.complete(wf, only(wf, "Task_Apply").task_id, NORMAL)
    before = wf.dump()
    manual_clock.advance(timedelta(days=1))
    wf.refresh()
    assert only(wf, "Task_Review")
    assert wf.next_timer_due() == T0 + timedelta(days=5)
    assert len(wf.dump()) == len(before)


def test_loop_limit_stops_endless_send_back(operators, manual_clock, review_pkg) -> None:
    runner = Runner(Engine(operators=operators, clock=manual_clock, loop_limit=3))
    wf = runner.start(review_pkg, {"experts": EXPERTS})
    for _ in range(2):
        wf = runner.complete(wf, only(wf, "Task_Apply").task_id, NORMAL)
        wf = runner.complete(wf, only(wf, "Task_Review").task_id, {"decision": "send_back"})
    wf = runner.complete(wf, only(wf, "Task_Apply").task_id, NORMAL)  # third pass is allowed
    with pytest.raises(LoopLimitError) as err:
        wf.complete(only(wf, "Task_Review").task_id, {"decision": "send_back"})
    assert "申报" in str(err.value) and "Task_Apply" in str(err.value)
    assert err.value.element_id == "Task_Apply"


def test_default_loop_limit_is_twenty(runner: Runner, review_pkg) -> None:
    wf = runner.start(review_pkg, {"experts": EXPERTS})
    reached = 1  # 申报 is open once after start
    with pytest.raises(LoopLimitError):
        while True:
            wf = runner.complete(wf, only(wf, "Task_Apply").task_id, NORMAL)
            wf = runner.complete(wf, only(wf, "Task_Review").task_id, {"decision": "send_back"})
            reached += 1
    assert reached == 20  # the 21st send-back raised
