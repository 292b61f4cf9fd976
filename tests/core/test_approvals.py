"""Approval chains declared by a plugin through core.api (tests/expenses_plugin): reviewers
resolved and kept at submission, conditional and parallel steps, send-back rounds, four eyes,
edits voiding approvals, the signature block, and the events."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.approvals import (
    ApprovalRefused,
    ApprovalStep,
    approval_rounds,
    approval_state,
    signature_rows,
    submit_for_approval,
    withdraw_application,
)
from core.db import db
from core.events import commit
from core.notifications import Notification
from core.plugins import PluginError
from core.settings import save_company_setting
from core.tasks import Task, TaskRefused, can_act, complete_task, my_open_tasks
from core.testing import login, make_customer, post_form
from tests.core.work_org import build_org
from tests.expenses_plugin import plugin as expenses
from tests.expenses_plugin.plugin import ExpensesPlugin

pytestmark = pytest.mark.guanxi_plugins("expenses", extra={"expenses": ExpensesPlugin})


@pytest.fixture
def org(app):
    expenses.EVENTS.clear()
    return build_org()


def claim(org, amount_yuan=1000, applicant="rep", number="BX-001", purpose="客户拜访差旅"):
    from tests.expenses_plugin.models import Claim

    customer = make_customer(f"客户{number}", org["rep"])
    row = Claim(number=number, customer_id=customer.id, purpose=purpose,
                amount_cents=amount_yuan * 100, applicant_id=org[applicant].id)
    db.session.add(row)
    db.session.commit()
    return row


def submit(row, org, who="rep", chain="expenses.claim"):
    request = submit_for_approval(row, chain, org[who])
    commit()
    return request


def steps(request):
    return {s.name: s for s in db.session.scalars(select(ApprovalStep).where(ApprovalStep.request_id == request.id))}


def open_task(row, user):
    found = [r.task for r in my_open_tasks(user) if r.task.record_id == row.id and r.task.kind == "approval"]
    assert found, f"{user.username} has no open approval task"
    return found[0]


def decide(row, user, decision="approved", comment=""):
    task = open_task(row, user)
    complete_task(task, user, decision, comment)
    commit()
    return task


def test_reviewers_are_resolved_at_submission_and_kept(org):
    row = claim(org)
    request = submit(row, org)
    found = steps(request)
    assert found["manager"].reviewer_id == org["rm"].id  # the applicant's manager
    assert found["finance"].reviewer_id == org["fin_head"].id
    assert found["qc"].reviewer_id == org["qc_head"].id
    assert found["gm"].state == "skipped"  # 1 000 yuan is below the 5 000 threshold
    assert [s.state for s in found.values()].count("open") == 1  # only the first stage has a task
    assert row.status == "submitted"
    # the rep now reports to someone else and finance gets a new head: nothing in flight moves
    org["rep"].manager_id = org["sales_head"].id
    from core.org import Department

    finance = db.session.scalar(select(Department).where(Department.code == "finance"))
    finance.head_id = org["cm_head"].id
    db.session.commit()
    decide(row, org["rm"])
    assert can_act(open_task(row, org["fin_head"]), org["fin_head"])
    assert not [r for r in my_open_tasks(org["cm_head"]) if r.task.kind == "approval"]
    assert [r for r in my_open_tasks(org["sales_head"]) if r.task.kind == "approval"] == []


def test_a_step_applies_only_above_the_company_threshold(org):
    below = submit(claim(org, 5000, number="BX-1"), org)
    above = submit(claim(org, 5001, number="BX-2"), org)
    assert steps(below)["gm"].state == "skipped"
    assert steps(below)["gm"].note == {"amount": 500000, "threshold": 500000}
    assert steps(above)["gm"].state == "waiting" and steps(above)["gm"].reviewer_id == org["gm"].id
    save_company_setting("expenses.gm_threshold", "20000")
    db.session.commit()
    assert setting_value() == Decimal("20000")
    later = submit(claim(org, 6000, number="BX-3"), org)
    assert steps(later)["gm"].state == "skipped"
    assert steps(above)["gm"].state == "waiting"  # decided at submission: unchanged


def setting_value():
    from core.settings import setting

    return setting("expenses.gm_threshold")


def test_a_parallel_group_where_all_must_sign(org):
    row = claim(org, 8000)
    request = submit(row, org)
    decide(row, org["rm"])
    decide(row, org["fin_head"])
    assert steps(request)["qc"].state == "open" and steps(request)["gm"].state == "waiting"
    decide(row, org["qc_head"])
    assert steps(request)["gm"].state == "open"
    decide(row, org["gm"])
    assert approval_state(row) == "approved" and row.status == "approved"
    assert [(e[2], e[4]) for e in expenses.EVENTS if e[0] == "decided"] == [
        ("manager", "pending"), ("finance", "pending"), ("qc", "pending"), ("gm", "approved")]
    assert db.session.scalar(select(Notification.subject).where(
        Notification.user_id == org["rep"].id).order_by(Notification.id.desc()).limit(1)) == "%(reference)s was approved."


def test_a_parallel_group_where_any_one_signs_and_a_plugin_resolver(org):
    row = claim(org)
    request = submit(row, org, chain="expenses.quick")
    assert {s.name: s.state for s in steps(request).values()} == {
        "finance": "open", "sales": "open", "cashier": "waiting"}
    assert steps(request)["cashier"].queue_kind == "role" and steps(request)["cashier"].queue_key == "coordinator"
    decide(row, org["sales_head"])
    found = steps(request)
    assert found["finance"].state == "cancelled" and db.session.get(Task, found["finance"].task_id).state == "cancelled"
    assert found["cashier"].state == "open"
    decide(row, org["coord"])  # a member of the coordinator queue
    assert approval_state(row, "expenses.quick") == "approved"


def test_send_back_needs_a_comment_and_resubmission_starts_a_new_round(client, org):
    row = claim(org)
    first = submit(row, org)
    with pytest.raises(TaskRefused, match="需要填写意见"):
        decide(row, org["rm"], "sent_back")
    db.session.rollback()
    decide(row, org["rm"], "sent_back", "请附发票")
    assert approval_state(row) == "sent_back" and row.status == "returned"
    resubmit = [r.task for r in my_open_tasks(org["rep"]) if r.task.kind == "approval_resubmit"]
    assert len(resubmit) == 1
    row.purpose = "客户拜访差旅（附发票）"
    db.session.commit()  # edited while sent back: nothing to void
    second = submit(row, org)
    assert second.round == 2 and db.session.get(Task, resubmit[0].id).state == "done"
    rounds = approval_rounds(row)
    assert [(r.request.round, r.request.state) for r in rounds] == [(2, "pending"), (1, "sent_back")]
    assert rounds[1].steps[0].comment == "请附发票"
    login(client, "rep")
    page = client.get(f"/expenses/{row.id}").get_data(as_text=True)
    assert "round 2" in page and "round 1" in page and "请附发票" in page
    assert first.id != second.id


def test_a_rejection_ends_the_round(org):
    row = claim(org)
    request = submit(row, org)
    decide(row, org["rm"], "declined", "不符合报销规定")
    assert approval_state(row) == "rejected" and row.status == "rejected"
    assert {s.state for s in steps(request).values()} == {"declined", "cancelled", "skipped"}
    assert submit(row, org).round == 2  # a rejected claim may be submitted again


def test_four_eyes_the_applicant_never_reviews_their_own_claim(org):
    row = claim(org, applicant="fin_head")
    request = submit(row, org, who="fin_head")
    found = steps(request)
    # fin_head's manager would be... nobody (a head): the general manager; finance head: next level up
    assert found["finance"].reviewer_id == org["gm"].id and found["finance"].fallback == "four_eyes"
    assert found["manager"].reviewer_id == org["gm"].id


def test_four_eyes_refuses_the_applicant_in_a_queue_and_can_be_switched_off(org):
    row = claim(org, applicant="coord")
    submit(row, org, who="coord", chain="expenses.quick")
    decide(row, org["fin_head"])
    task = open_task(row, org["coord"])  # the cashier queue holds the applicant
    with pytest.raises(TaskRefused, match="四眼原则"):
        complete_task(task, org["coord"], "approved")
    db.session.rollback()
    save_company_setting("core.four_eyes", "false")
    db.session.commit()
    complete_task(db.session.get(Task, task.id), org["coord"], "approved")
    commit()
    assert approval_state(row, "expenses.quick") == "approved"


def test_editing_a_watched_field_voids_the_approvals_and_restarts_the_chain(org):
    row = claim(org)
    first = submit(row, org)
    decide(row, org["rm"])
    decide(row, org["fin_head"])
    decide(row, org["qc_head"])
    assert approval_state(row) == "approved"
    row.created_at = row.created_at  # not watched
    db.session.commit()
    assert approval_state(row) == "approved"
    row.amount_cents = 120000
    commit()
    db.session.refresh(first)
    assert first.state == "voided" and first.voided_fields == ["amount_cents"]
    latest = approval_rounds(row)[0].request
    assert latest.round == 2 and latest.state == "pending" and latest.applicant_id == org["rep"].id
    assert row.status == "submitted"  # on_voided, then on_submitted of the new round
    notes = set(db.session.scalars(select(Notification.user_id).where(
        Notification.subject.like("%approvals are void%"))))
    assert notes == {org["rep"].id, org["rm"].id, org["fin_head"].id, org["qc_head"].id}
    # under review: an edit voids too, and the open tasks go away
    open_before = open_task(row, org["rm"])
    row.purpose = "改了用途"
    commit()
    assert db.session.get(Task, open_before.id).state == "cancelled"
    assert approval_rounds(row)[0].request.round == 3


def test_signature_block_on_the_record_page_and_the_pdf(client, org):
    row = claim(org, 9000)
    submit(row, org)
    decide(row, org["rm"])
    decide(row, org["fin_head"])
    rows = signature_rows(row)
    assert [(s.step.name, s.reviewer, s.decision) for s in rows] == [
        ("manager", "Rm", "已批准"), ("finance", "Fin_Head", "已批准"), ("qc", "Qc_Head", None),
        ("gm", "Gm", None)]
    login(client, "rep")
    page = client.get(f"/expenses/{row.id}").get_data(as_text=True)
    assert '<table class="signatures">' in page and "Fin_Head" in page
    pdf = client.get(f"/print/expense_claim/{row.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.data)).pages)
    assert "Fin_Head" in text and "Manager's review" in text


def test_the_history_reads_the_review(client, org):
    row = claim(org)
    submit(row, org)
    decide(row, org["rm"], "sent_back", "请附发票")
    login(client, "rep")
    customer_page = client.get(f"/customers/{row.customer_id}").get_data(as_text=True)
    assert "submitted “Expense claim” for approval (round 1)" in customer_page
    assert "“Manager&#39;s review”: Sent back" in customer_page
    assert customer_page.count("<blockquote>请附发票</blockquote>") == 1


def test_a_reviewer_decides_on_the_task_page(client, org):
    row = claim(org)
    submit(row, org)
    task = open_task(row, org["rm"])
    login(client, "rm")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Approve<" in page and "Send back<" in page and "round 1" in page
    response = post_form(client, f"/tasks/{task.id}/act", {"decision": "approved"}, page=f"/tasks/{task.id}",
                         follow_redirects=True)
    assert "Recorded: Approved." in response.get_data(as_text=True)
    login(client, "rep")
    assert client.get(f"/tasks/{task.id}").status_code == 404  # not the applicant's task


def test_a_second_submission_and_a_withdrawal(org):
    row = claim(org)
    submit(row, org)
    with pytest.raises(ApprovalRefused, match="正在审批中"):
        submit_for_approval(row, "expenses.claim", org["rep"])
    with pytest.raises(ApprovalRefused):
        withdraw_application(row, "expenses.claim", org["rep2"])
    request = withdraw_application(row, "expenses.claim", org["rep"])
    commit()
    assert request.state == "withdrawn"
    assert db.session.scalar(select(Task.state).where(Task.kind == "approval")) == "cancelled"


def chain_plugin(chains):
    from core.api import Plugin, hookimpl

    class Chained(Plugin):
        @hookimpl
        def register_approval_chains(self, app):
            return chains

    return Chained


@pytest.mark.parametrize("chain, problem", [
    (("elsewhere.card", "role"), "must be named bad.<name>"),
    (("bad.card", "nobody"), "unknown resolver 'nobody'"),
    (("bad.card", "role", ("nope",)), "watches fields its model lacks"),
])
def test_misdeclared_chains_stop_the_start(tmp_path, chain, problem):
    from core.api import ApprovalChain, Customer, Step, reviewer
    from core.app import create_app

    name, resolver, *watched = chain
    declared = ApprovalChain(name, "Card", Customer, [Step("a", "A", reviewer(resolver, "qc"))],
                             watched=watched[0] if watched else ())
    with pytest.raises(PluginError, match=problem.replace(".", r"\.")):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "GUANXI_PLUGINS": ["bad"],
                    "GUANXI_EXTRA_PLUGINS": {"bad": chain_plugin([declared])},
                    "INSTANCE_PATH": str(tmp_path)})


@pytest.mark.parametrize("options, problem", [
    ({"decisions": ("sent_back",)}, "decisions must include approved"),
    ({"decisions": ("approved", "maybe")}, "decisions must include approved"),
    ({"watched": ("name",), "watched_related": ("name",)}, "both in watched and in watched_related"),
    ({"four_eyes": "nobody"}, "unknown resolver 'nobody'"),
])
def test_misdeclared_chain_options_stop_the_start(tmp_path, options, problem):
    from core.api import ApprovalChain, Customer, Step, reviewer
    from core.app import create_app

    four_eyes = options.pop("four_eyes", None)
    step = Step("a", "A", reviewer("role", "qc"), four_eyes=reviewer(four_eyes) if four_eyes else None)
    declared = ApprovalChain("bad.card", "Card", Customer, [step], **options)
    with pytest.raises(PluginError, match=problem):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "GUANXI_PLUGINS": ["bad"],
                    "GUANXI_EXTRA_PLUGINS": {"bad": chain_plugin([declared])},
                    "INSTANCE_PATH": str(tmp_path)})


def test_the_plugin_hears_assignments_completions_and_decisions(org):
    row = claim(org)
    submit(row, org)
    decide(row, org["rm"])
    kinds = [event[0] for event in expenses.EVENTS]
    assert kinds.count("assigned") == 3 and "completed" in kinds and "decided" in kinds


def test_an_overdue_review_step_is_escalated_and_the_plugin_hears_it(org):
    from datetime import timedelta

    from core.tasks import sweep

    row = claim(org)
    submit(row, org)
    task = open_task(row, org["rm"])
    sweep(task.start_at + timedelta(hours=25))
    assert ("overdue", task.id, "escalated") in expenses.EVENTS
    assert can_act(task, org["sales_head"])  # the regional manager's next level up may decide
    complete_task(task, org["sales_head"], "approved")
    commit()
    assert steps(approval_rounds(row)[0].request)["manager"].decided_by_id == org["sales_head"].id


def test_named_resolvers_find_their_people(org):
    from core.approvals import registry

    row = claim(org)
    resolvers = registry().resolvers
    applicant = org["rep2"]
    assert resolvers["regional_manager"].resolve(row, applicant) == org["rm"]  # the customer's region
    assert resolvers["applicants_manager"].resolve(row, applicant) == org["rm"]
    assert resolvers["next_level_up"].resolve(row, org["qc_head"]) == org["gm"]
    assert resolvers["department_head"].resolve(row, applicant, "qc") == org["qc_head"]
    assert resolvers["general_manager"].resolve(row, applicant) == org["gm"]
    assert resolvers["user"].resolve(row, applicant, "coord") == org["coord"]
    assert resolvers["role"].resolve(row, applicant, "qc").members() == [org["qc_head"], org["qc1"]]
    assert resolvers["expenses.cashier"].resolve(row, applicant).key == "coordinator"


def test_queues_of_a_role_a_department_and_a_permission(org):
    row = claim(org, applicant="rep2", number="BX-Q")
    submit(row, org, who="rep2", chain="expenses.queue")
    decide(row, org["spec2"])  # any specialist
    decide(row, org["qc1"])  # any member of the QC department
    assert approval_state(row, "expenses.queue") == "pending"
    decide(row, org["coord"])  # coordinators hold expenses.sign
    assert approval_state(row, "expenses.queue") == "approved"


def test_an_edit_with_nobody_left_to_review_asks_the_applicant_to_resubmit(org):
    row = claim(org)
    submit(row, org)
    for name in ("rm", "sales_head", "gm"):
        org[name].active = False
    db.session.commit()
    row.amount_cents = 5
    commit()  # the edit is saved, the review is void, nobody can be asked
    assert approval_state(row) == "voided"
    assert [r.task.kind for r in my_open_tasks(org["rep"])] == ["approval_resubmit"]
