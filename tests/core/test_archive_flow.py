"""The archive flow on the work engine: submitting gives the region's manager a verify task due in
30 days (four eyes, the customer-management manager as fallback), verifying gives the department
its filing task, send-backs are rounds, late verifications escalate, watched edits void the
verification, and archives of an upgraded database get their rounds."""
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from core.approvals import ApprovalRequest, ApprovalStep, approval_rounds, latest_request
from core.audit import AuditEvent
from core.db import db, utcnow
from core.events import commit
from core.jobs import jobs
from core.registry.archive import (
    CHAIN,
    adopt_archives,
    available_actions,
    current_step,
    submit_archive,
)
from core.registry.archive_flow import ARCHIVE_FLOW
from core.registry.models import Customer, KeyPerson
from core.registry.services import update_customer
from core.settings import save_company_setting
from core.tasks import Task, TaskRefused, claim_task, complete_task, my_open_tasks, sweep
from core.testing import login, make_customer, make_user, post_form
from tests.core.work_org import build_org

MONTH = timedelta(days=30)


@pytest.fixture
def org(app):
    return build_org(locale=None)


def archive(org, name="河南双力饲料经销部", owner="rep"):
    return make_customer(name, org[owner])


def submitted(org, name="河南双力饲料经销部", owner="rep", by=None):
    customer = archive(org, name, owner)
    submit_archive(customer, org[by or owner])
    commit()
    return customer


def open_archive_task(customer):
    found = current_step(customer)
    assert found is not None, "no open step"
    return found[1].name, found[2]


def decide(customer, user, decision="approved", comment=""):
    _name, task = open_archive_task(customer)
    complete_task(task, user, decision, comment)
    commit()


def open_tasks(user, kind="approval"):
    return [row.task for row in my_open_tasks(user) if row.task.kind == kind]


def test_submitting_gives_the_regional_manager_a_verify_task_due_in_thirty_days(org):
    before = utcnow()
    customer = submitted(org)
    assert customer.state == "submitted"
    name, task = open_archive_task(customer)
    assert name == "verify" and task.assignee_id == org["rm"].id
    assert task.clock == "wall" and task.budget_minutes == 30 * 24 * 60
    assert before + MONTH <= task.due_at <= utcnow() + MONTH
    assert task.allowed == ("approved", "sent_back")  # an archive is sent back, never rejected
    assert [t.id for t in open_tasks(org["rm"])] == [task.id]
    assert task.title_text() == "实地核实档案并签字" and task.reference == "河南双力饲料经销部"
    transition = db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_id == customer.id, AuditEvent.action == "transition")).one()
    assert transition.user_id == org["rep"].id and transition.changes["transition"] == "submit"


def test_the_submitter_never_verifies_and_the_cm_manager_steps_in_for_the_only_manager(client, org):
    customer = submitted(org, owner="rep", by="rm")  # the region's manager submits herself
    name, task = open_archive_task(customer)
    assert name == "verify" and task.assignee_id == org["cm_head"].id
    step = db.session.scalar(select(ApprovalStep).where(ApprovalStep.task_id == task.id))
    assert step.fallback == "four_eyes"
    assert available_actions(customer, org["rm"]) == []
    login(client, "rm")
    page = f"/customers/{customer.id}"
    assert 'value="verify"' not in client.get(page).get_data(as_text=True)
    response = post_form(client, f"{page}/transition", {"transition": "verify"}, page=page, follow_redirects=True)
    assert "不是由您处理" in response.get_data(as_text=True) or "四眼原则" in response.get_data(as_text=True)
    with pytest.raises(TaskRefused):
        complete_task(db.session.get(Task, task.id), org["rm"], "approved")
    db.session.rollback()
    # escalated to her later, she may act on the task, but never on her own submission
    from core.tasks import add_watcher

    add_watcher(db.session.get(Task, task.id), org["rm"].id, "escalated")
    db.session.commit()
    with pytest.raises(TaskRefused, match="四眼原则"):
        complete_task(db.session.get(Task, task.id), org["rm"], "approved")
    db.session.rollback()
    decide(customer, org["cm_head"])
    assert db.session.get(Customer, customer.id).state == "verified"


def test_sent_back_to_the_owner_when_her_manager_submitted(org):
    customer = submitted(org, owner="rep", by="rm")
    decide(customer, org["cm_head"], "sent_back", "请补充老板电话")
    assert customer.state == "returned"
    revise = open_tasks(org["rep"], "approval_resubmit") + open_tasks(org["rm"], "approval_resubmit")
    assert sorted(t.assignee_id for t in revise) == sorted([org["rep"].id, org["rm"].id])
    submit_archive(customer, org["rep"])
    commit()
    assert {db.session.get(Task, t.id).state for t in revise} == {"done"}
    assert open_archive_task(customer)[1].assignee_id == org["rm"].id  # the rep submitted this time


def test_another_verifier_of_the_region_is_asked_before_the_cm_manager(org):
    deputy = make_user("deputy", ("regional_manager",), "east")
    customer = submitted(org, owner="rep", by="rm")
    assert open_archive_task(customer)[1].assignee_id == deputy.id


def test_four_eyes_switched_off_lets_the_manager_verify_her_own_submission(org):
    save_company_setting("core.four_eyes", "false")
    db.session.commit()
    customer = submitted(org, owner="rep", by="rm")
    decide(customer, org["rm"])
    assert customer.state == "verified"


def test_a_region_without_a_regional_manager_goes_to_the_cm_manager(org):
    north_rep = make_user("north_rep", ("rep",), "north")
    customer = make_customer("信阳鑫源鸡场", north_rep)
    submit_archive(customer, north_rep)
    commit()
    assert open_archive_task(customer)[1].assignee_id == org["cm_head"].id


def test_verifying_gives_the_department_its_filing_task(org):
    customer = submitted(org)
    decide(customer, org["rm"], comment="已实地查看")
    assert customer.state == "verified"
    name, task = open_archive_task(customer)
    assert name == "file" and task.assignee_id is None
    assert (task.queue_kind, task.queue_key) == ("department", "cm")
    assert task.title_text() == "归档" and task.budget_minutes == 30 * 24 * 60
    assert task.id in [t.id for t in open_tasks(org["spec1"])]
    assert task.id in [t.id for t in open_tasks(org["cm_head"])]
    assert not open_tasks(org["rm"])
    claim_task(task, org["spec2"])
    with pytest.raises(TaskRefused):
        complete_task(task, org["spec1"], "approved")  # taken by a colleague
    db.session.rollback()
    decide(customer, org["spec2"])
    assert customer.state == "filed"
    assert latest_request(customer, CHAIN).state == "approved"
    transitions = [(e.changes["transition"], e.user_id, e.comment) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.record_id == customer.id, AuditEvent.record_type == "customers",
                                 AuditEvent.action == "transition").order_by(AuditEvent.id))]
    assert transitions == [("submit", org["rep"].id, None), ("verify", org["rm"].id, "已实地查看"),
                           ("file", org["spec2"].id, None)]


def test_send_back_needs_a_comment_and_resubmission_keeps_the_history(client, org):
    customer = submitted(org)
    login(client, "rm")
    page = f"/customers/{customer.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'value="verify"' in html and 'value="send_back"' in html and "区域经理实地核实" in html
    response = post_form(client, f"{page}/transition", {"transition": "send_back", "comment": " "}, page=page,
                         follow_redirects=True)
    assert "需要填写意见" in response.get_data(as_text=True)
    post_form(client, f"{page}/transition", {"transition": "send_back", "comment": "缺少法定代表人"}, page=page)
    db.session.expire_all()
    customer = db.session.get(Customer, customer.id)
    assert customer.state == "returned"
    [revise] = open_tasks(org["rep"], "approval_resubmit")
    assert revise.title_text() == "修改后重新提交" and not open_tasks(org["rm"])
    db.session.add(KeyPerson(customer_id=customer.id, role="legal_rep", name="王建国"))
    db.session.commit()  # while sent back nothing is voided
    rep = client.application.test_client()
    login(rep, "rep")
    assert "缺少法定代表人" in rep.get(page).get_data(as_text=True)
    post_form(rep, f"{page}/transition", {"transition": "submit", "comment": "已补充"}, page=page)
    db.session.expire_all()
    customer = db.session.get(Customer, customer.id)
    assert customer.state == "submitted" and db.session.get(Task, revise.id).state == "done"
    rounds = approval_rounds(customer)
    assert [(r.request.round, r.request.state) for r in rounds] == [(2, "pending"), (1, "sent_back")]
    assert rounds[1].steps[0].comment == "缺少法定代表人" and rounds[0].request.comment == "已补充"
    html = rep.get(page).get_data(as_text=True)
    assert "第 2 轮" in html and "第 1 轮" in html and "缺少法定代表人" in html


def test_the_department_may_send_back_at_filing(org):
    customer = submitted(org)
    decide(customer, org["rm"])
    decide(customer, org["spec1"], "sent_back", "地址写错了")
    assert customer.state == "returned"
    assert [t.assignee_id for t in open_tasks(org["rep"], "approval_resubmit")] == [org["rep"].id]


def test_a_late_verification_escalates_once_to_the_next_level_up(org):
    customer = submitted(org)
    _name, task = open_archive_task(customer)
    assert sweep(task.due_at - timedelta(days=1))["escalated"] == 0  # warned, not yet late
    assert sweep(task.due_at + timedelta(minutes=1))["escalated"] == 1
    assert sweep(task.due_at + timedelta(days=2))["escalated"] == 0
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.escalated_at is not None and task.escalated_again_at is None
    assert [t.id for t in open_tasks(org["sales_head"])] == [task.id]  # the rm's next level up
    decide(customer, org["sales_head"])  # who was told may act
    assert db.session.get(Customer, customer.id).state == "verified"


def test_the_overdue_list_filter_reads_the_verify_tasks(client, org):
    late = submitted(org, "久未核实")
    submitted(org, "刚提交")
    _name, task = open_archive_task(late)
    task.due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    login(client, "rm")
    html = client.get("/customers/?overdue=1").get_data(as_text=True)
    assert "久未核实" in html and "刚提交" not in html
    dashboard = client.get("/").get_data(as_text=True)
    assert 'overdue=1">核实已逾期</a>: <strong>1</strong>' in dashboard
    decide(late, org["rm"])  # verified: no longer overdue
    assert "久未核实" not in client.get("/customers/?overdue=1").get_data(as_text=True)


def verified(org, name="河南双力饲料经销部"):
    customer = submitted(org, name)
    decide(customer, org["rm"])
    return customer


@pytest.mark.parametrize("field, value", [("name", "河南双力饲料有限公司"), ("business_type", "feed_mill"),
                                          ("owner_id", "rep2")])
def test_editing_a_watched_field_of_a_verified_archive_voids_the_verification(org, field, value):
    customer = verified(org)
    filing = open_archive_task(customer)[1]
    update_customer(customer, {field: org[value].id if field == "owner_id" else value})
    commit()
    assert customer.state == "submitted"
    assert db.session.get(Task, filing.id).state == "cancelled"
    rounds = approval_rounds(customer)
    assert [(r.request.round, r.request.state) for r in rounds] == [(2, "pending"), (1, "voided")]
    assert rounds[1].request.voided_fields == [field]
    name, task = open_archive_task(customer)
    assert name == "verify" and task.assignee_id == org["rm"].id


def test_an_unwatched_edit_keeps_the_archive_living(org):
    customer = verified(org)
    filing = open_archive_task(customer)[1]
    update_customer(customer, {"phone": "0371-6543210", "address": "郑州市", "size_class": "A", "notes": "新仓库"})
    db.session.add(KeyPerson(customer_id=customer.id, role="owner", name="王老板"))
    commit()
    assert customer.state == "verified" and open_archive_task(customer)[1].id == filing.id
    decide(customer, org["spec1"])
    update_customer(customer, {"industry": "饲料经销", "assets": "500万"})
    commit()
    assert customer.state == "filed" and latest_request(customer, CHAIN).state == "approved"


def test_the_legal_representative_is_watched_among_the_key_people(org):
    customer = verified(org)
    decide(customer, org["spec1"])
    person = KeyPerson(customer_id=customer.id, role="legal_rep", name="赵法人")
    db.session.add(person)
    commit()
    assert customer.state == "submitted"
    first = approval_rounds(customer)[1].request
    assert first.state == "voided" and first.voided_fields == ["legal_representative"]
    decide(customer, org["rm"])
    decide(customer, org["spec1"])
    person.phone = "13700001111"  # the same legal representative: nothing to verify again
    person.education = "本科"
    commit()
    assert customer.state == "filed"
    person.name = "钱法人"
    commit()
    assert customer.state == "submitted"
    decide(customer, org["rm"])
    person.role = "manager"  # no longer the legal representative
    commit()
    assert customer.state == "submitted" and approval_rounds(customer)[0].request.round == 4


def test_an_edit_through_the_form_voids_and_the_history_says_why(client, org):
    customer = verified(org)
    login(client, "rm")
    url = f"/customers/{customer.id}/edit"
    form = {"name": "改名后的经销部", "business_type": customer.business_type, "region_id": customer.region_id,
            "owner_id": customer.owner_id, "version_id": customer.version_id}
    assert post_form(client, url, form).status_code == 302
    html = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "修改后重新核实" in html and "名称" in html
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).state == "submitted"


def test_the_daily_overdue_command_and_job_are_gone(app, org):
    result = app.test_cli_runner().invoke(args=["customers", "flag-overdue"])
    assert result.exit_code != 0 and "No such command" in result.output
    assert "core.flag_overdue" not in jobs().definitions and "core.deadline_sweep" in jobs().definitions
    assert "overdue_notified_at" not in {column.key for column in inspect(Customer).columns}


def old_flow(customer, *steps):
    """Move an archive as the state machine alone did before the work engine."""
    for name, user, comment in steps:
        ARCHIVE_FLOW.apply(customer, name, user, comment, authorised=True)
    db.session.commit()


def test_an_upgrade_gives_archives_already_in_the_flow_their_rounds_and_tasks(app, org):
    waiting = archive(org, "等待核实")
    old_flow(waiting, ("submit", org["rep"], ""))
    waiting.state_changed_at = utcnow() - timedelta(days=40)
    checked = archive(org, "已核实")
    old_flow(checked, ("submit", org["rep"], ""), ("verify", org["rm"], ""))
    returned = archive(org, "已退回")
    old_flow(returned, ("submit", org["rep"], ""), ("send_back", org["rm"], "电话不对"))
    filed = archive(org, "已归档")
    old_flow(filed, ("submit", org["rep"], ""), ("verify", org["rm"], ""), ("file", org["spec1"], ""))
    archive(org, "草稿")
    db.session.commit()

    output = app.test_cli_runner().invoke(args=["db", "upgrade"]).output
    assert "4 archive(s)" in output
    assert "archive(s)" not in app.test_cli_runner().invoke(args=["db", "upgrade"]).output  # idempotent
    assert db.session.scalar(select(func.count()).select_from(ApprovalRequest)) == 4
    db.session.expire_all()

    name, task = open_archive_task(db.session.get(Customer, waiting.id))
    assert name == "verify" and task.assignee_id == org["rm"].id and task.overdue()
    assert abs(task.due_at - (waiting.state_changed_at + MONTH)) < timedelta(seconds=1)
    name, task = open_archive_task(db.session.get(Customer, checked.id))
    assert name == "file" and task.queue_key == "cm"
    step = approval_rounds(checked)[0].steps[0]
    assert step.step.state == "approved" and step.step.decided_by_id == org["rm"].id
    [revise] = open_tasks(org["rep"], "approval_resubmit")
    assert revise.record_id == returned.id
    assert approval_rounds(returned)[0].steps[0].comment == "电话不对"
    assert latest_request(filed, CHAIN).state == "approved"
    assert sweep(utcnow())["escalated"] == 1  # the 40-day-old verification

    update_customer(db.session.get(Customer, filed.id), {"name": "已归档（改名）"})
    commit()
    assert db.session.get(Customer, filed.id).state == "submitted"
    submit_archive(db.session.get(Customer, returned.id), org["rep"])
    commit()
    assert [r.request.round for r in approval_rounds(returned)] == [2, 1]
    assert adopt_archives() == 0


def test_the_printed_archive_card_carries_the_signatures(client, org):
    import io

    from pypdf import PdfReader

    customer = verified(org)
    login(client, "cm_head")
    pdf = client.get(f"/print/customer_card/{customer.id}.pdf").data
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "区域经理实地核实" in text and "Rm" in text and "客户管理部归档" in text
