"""The serious path on the work engine: handling form, departments signing in parallel by the
C-5 deadlines on both clocks, a disagreement back to the department manager, the settlement the
general manager approves, sends back or rejects (C-8), implementation, evaluation, call-back by
the first receiver and the read-only archive; escalation exactly once."""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.approvals import approval_state
from core.db import db
from core.events import commit
from core.notifications import Notification
from core.settings import save_company_setting
from core.tasks import Task, TaskRefused, claim_task, complete_task, sweep
from plugins.complaints import services as s
from plugins.complaints.services import ComplaintRefused
from tests.plugins.complaints.conftest import new_complaint

MONDAY_10 = datetime(2026, 11, 23, 2, 0)  # Monday 10:00 in Shanghai (UTC+8)


def task_of(complaint, kind, user=None):
    tasks = s.open_tasks(complaint, kind)
    assert tasks, f"no open {kind} task"
    return tasks[0]


def to_departments(org, complaint, codes=("qc", "warehouse"), lab_days=Decimal(2), remedy="compensation"):
    s.acknowledge(complaint, org["rep"])
    s.assess(complaint, org["cm_head"], "serious")
    s.fill_handling_form(complaint, org["rep"], s.HandlingForm(
        loss="死亡 30 头，约 45,000 元", claim="赔偿 30,000 元", findings="料袋批号 20261120-01，霉变",
        cause="仓储漏雨", remedy=remedy))
    s.choose_departments(complaint, org["cm_head"], list(codes), lab_days)
    commit()


def sign(complaint, user, decision="approved", comment=""):
    task = next(t for t in s.open_tasks(complaint, "approval") if s.can_act(t, user))
    if task.assignee_id is None:
        claim_task(task, user)
    complete_task(task, user, decision, comment)
    commit()


@pytest.fixture
def frozen(monkeypatch):
    import core.tasks

    monkeypatch.setattr(core.tasks, "utcnow", lambda: MONDAY_10)
    return MONDAY_10


def signoff_tasks(complaint):
    tasks = s.open_tasks(complaint, "approval")
    return {t.queue_key: t for t in tasks}


def test_c5_a_wall_clock_department_one_day_qc_lab_plus_half_day(org, frozen):
    save_company_setting("core.deadline_clock", "wall")
    complaint = new_complaint(org)
    to_departments(org, complaint, lab_days=Decimal(2))
    tasks = signoff_tasks(complaint)
    assert tasks["warehouse"].due_at == datetime(2026, 11, 24, 2, 0)  # Tuesday 10:00 local
    assert tasks["qc"].due_at == datetime(2026, 11, 25, 14, 0)  # Wednesday 22:00 local
    assert {t.clock for t in tasks.values()} == {"wall"}


def test_c5_b_working_calendar_department_one_day_qc_lab_plus_half_day(org, frozen):
    save_company_setting("core.deadline_clock", "working")
    complaint = new_complaint(org)
    to_departments(org, complaint, lab_days=Decimal(2))
    tasks = signoff_tasks(complaint)
    assert tasks["warehouse"].due_at == datetime(2026, 11, 24, 2, 0)  # Tuesday 10:00 local
    assert tasks["qc"].due_at == datetime(2026, 11, 25, 7, 0)  # Wednesday 15:00 local (20 working hours)
    assert {t.clock for t in tasks.values()} == {"working"}


def test_parallel_sign_offs_join_before_the_settlement(org):
    complaint = new_complaint(org)
    to_departments(org, complaint)
    assert complaint.state == "sign_off"
    sign(complaint, org["qc1"])
    assert complaint.state == "sign_off"  # the warehouse has not signed yet
    sign(complaint, org["keeper"])
    assert complaint.state == "settlement"
    assert s.open_tasks(complaint, "complaints.propose_settlement")


def test_a_department_that_disagrees_sends_the_form_back_to_the_department_manager(org):
    complaint = new_complaint(org)
    to_departments(org, complaint)
    sign(complaint, org["qc1"])
    with pytest.raises(Exception):  # noqa: B017 - a disagreement needs its reason
        sign(complaint, org["keeper"], "sent_back", "")
    db.session.rollback()
    sign(complaint, org["keeper"], "sent_back", "出库记录显示包装完好，不同意")
    assert complaint.state == "departments"
    assert approval_state(complaint, "complaints.sign_off") == "sent_back"
    resubmit = task_of(complaint, "approval_resubmit")
    assert resubmit.assignee_id == org["cm_head"].id
    # the department manager settles it and sends the form again: a new round
    s.choose_departments(complaint, org["cm_head"], ["qc", "warehouse"], Decimal(1))
    commit()
    assert complaint.state == "sign_off" and len(signoff_tasks(complaint)) == 2


def propose(org, complaint, cents=3_000_000):
    s.propose_settlement(complaint, org["mm"], s.Settlement(cents, "cash", date(2026, 12, 20), "协商一致"))
    commit()


def signed_complaint(org, **kwargs):
    complaint = new_complaint(org)
    to_departments(org, complaint, **kwargs)
    sign(complaint, org["qc1"])
    sign(complaint, org["keeper"])
    return complaint


def test_the_customer_is_not_told_before_the_general_manager_approves(org):
    complaint = signed_complaint(org)
    propose(org, complaint)
    assert complaint.state == "settlement_approval"
    assert not s.open_tasks(complaint, "complaints.callback")
    gm_task = task_of(complaint, "approval")
    assert gm_task.assignee_id == org["gm"].id
    complete_task(gm_task, org["gm"], "approved")
    commit()
    assert complaint.state == "implementation" and complaint.settlement_outcome == "approved"
    assert {t.queue_key for t in s.open_tasks(complaint, "complaints.implement")} == {"qc", "warehouse"}


def test_the_general_managers_rejection_returns_to_the_marketing_manager(org):
    complaint = signed_complaint(org)
    propose(org, complaint)
    complete_task(task_of(complaint, "approval"), org["gm"], "declined", "金额过高，不予赔偿")
    commit()
    assert complaint.state == "settlement" and complaint.settlement_outcome == "rejected"
    again = task_of(complaint, "complaints.propose_settlement")
    assert again.assignee_id == org["mm"].id
    # a new proposal is a new round…
    propose(org, complaint, 1_500_000)
    assert complaint.state == "settlement_approval"
    complete_task(task_of(complaint, "approval"), org["gm"], "declined", "仍不同意")
    commit()
    # …or the refusal to the customer is recorded
    s.refuse_settlement(complaint, org["mm"], "经核查非产品原因，婉拒赔偿")
    commit()
    assert complaint.state == "implementation" and complaint.settlement_outcome == "refused"


def test_a_send_back_asks_the_marketing_manager_to_revise(org):
    complaint = signed_complaint(org)
    propose(org, complaint)
    complete_task(task_of(complaint, "approval"), org["gm"], "sent_back", "请补充付款时间")
    commit()
    assert complaint.state == "settlement"
    assert task_of(complaint, "approval_resubmit").assignee_id == org["mm"].id
    propose(org, complaint)
    assert complaint.state == "settlement_approval"


def test_nobody_but_the_general_manager_approves_the_settlement(org):
    complaint = signed_complaint(org)
    propose(org, complaint)
    gm_task = task_of(complaint, "approval")
    for name in ("mm", "cm_head", "rep"):
        with pytest.raises(TaskRefused):
            complete_task(gm_task, org[name], "approved")
        db.session.rollback()
    assert complaint.state == "settlement_approval"


def test_the_settlement_cannot_be_skipped(org):
    complaint = signed_complaint(org)
    with pytest.raises(ComplaintRefused):
        s.evaluate(complaint, org["cm_head"], s.Evaluation("a", "b", "c", "d", "e"))
    with pytest.raises(ComplaintRefused):
        s.implement(complaint, org["qc1"], 0, "done")
    propose(org, complaint)
    with pytest.raises(ComplaintRefused):
        s.implement(complaint, org["qc1"], 0, "done")
    assert complaint.state == "settlement_approval"


def test_from_the_approval_to_the_read_only_archive(org):
    complaint = signed_complaint(org)
    propose(org, complaint)
    complete_task(task_of(complaint, "approval"), org["gm"], "approved")
    commit()
    for user in (org["qc1"], org["keeper"]):
        task = next(t for t in s.open_tasks(complaint, "complaints.implement") if s.can_act(t, user))
        s.implement(complaint, user, task.id, "已付款 / 已补货")
        commit()
    assert complaint.state == "evaluation"
    with pytest.raises(ComplaintRefused):
        s.evaluate(complaint, org["cm_head"], s.Evaluation("及时", "合理", "客户接受"))
    db.session.rollback()
    s.evaluate(complaint, org["cm_head"], s.Evaluation("及时", "合理", "客户接受", "仓库漏雨", "修缮仓库，雨季巡检"))
    commit()
    with pytest.raises(ComplaintRefused):
        s.call_back(complaint, org["cm_head"], "satisfied", "满意")
    s.call_back(complaint, org["rep"], "satisfied", "客户表示满意")
    commit()
    s.archive(complaint, org["spec1"])
    commit()
    assert complaint.state == "closed" and complaint.closed_at
    assert s.open_tasks(complaint) == []
    with pytest.raises(ComplaintRefused):
        s.record_arrival(complaint, org["rep"], complaint.received_at)


def test_a_late_sign_off_warns_and_escalates_exactly_once(org):
    save_company_setting("core.deadline_clock", "wall")
    complaint = new_complaint(org)
    to_departments(org, complaint, codes=("warehouse",))
    task = signoff_tasks(complaint)["warehouse"]
    at_80 = task.start_at + timedelta(hours=20)
    assert sweep(at_80)["warning"] == 1
    later = task.start_at + timedelta(hours=25)
    assert sweep(later)["escalated"] == 1
    assert sweep(later + timedelta(minutes=5))["escalated"] == 0
    assert task.overdue(later)
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.subject == "Overdue and escalated to you: %(title)s"))
    assert told == 1


def test_handover_moves_ownership_only_when_accepted(org):
    complaint = new_complaint(org)
    s.hand_over(complaint, org["rep"], org["rep2"], "我出差，交给同事")
    commit()
    assert complaint.owner_id == org["rep"].id and complaint.handover_count == 0
    with pytest.raises(ComplaintRefused):
        s.answer_handover(complaint, org["rm"], True)
    s.answer_handover(complaint, org["rep2"], True, "收到")
    commit()
    assert complaint.owner_id == org["rep2"].id and complaint.handover_count == 1
    assert complaint.first_receiver_id == org["rep"].id
    # the first receiver keeps the acknowledgement
    assert task_of(complaint, "complaints.acknowledge").assignee_id == org["rep"].id
    s.hand_over(complaint, org["rep2"], org["rep"], "回来了")
    commit()
    s.answer_handover(complaint, org["rep"], False, "还在外地")
    commit()
    assert complaint.owner_id == org["rep2"].id and complaint.handover_count == 1


def test_the_handover_task_accepted_on_the_task_page_counts_too(org, client):
    complaint = new_complaint(org)
    s.hand_over(complaint, org["rep"], org["rep2"], "交给同事")
    commit()
    task = task_of(complaint, "complaints.handover")
    complete_task(task, org["rep2"], "approved")
    commit()
    db.session.refresh(complaint)
    assert complaint.owner_id == org["rep2"].id and complaint.handover_count == 1
    assert Task


def test_an_overdue_s1_step_goes_to_the_general_manager_at_once(org):
    complaint = new_complaint(org, category="mass_death", description="死了三十头")
    assess = task_of(complaint, "complaints.assess")
    sweep(assess.start_at + timedelta(minutes=61))
    commit()
    told = db.session.scalars(select(Notification).where(
        Notification.user_id == org["gm"].id,
        Notification.subject == "S1 complaint %(number)s: “%(title)s” is overdue.")).all()
    assert len(told) == 2  # the acknowledgement and the assessment, each once
    sweep(assess.start_at + timedelta(minutes=90))
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.subject == "S1 complaint %(number)s: “%(title)s” is overdue.")) == 2


def test_closing_fires_complaint_closed(org, monkeypatch):
    fired = []
    monkeypatch.setattr(s, "fire_after_commit", lambda name, **kw: fired.append((name, kw["complaint"].id)))
    complaint = new_complaint(org, category="service", description="问发票", spot_answer="已寄出")
    assert fired == [("complaint_closed", complaint.id)]
