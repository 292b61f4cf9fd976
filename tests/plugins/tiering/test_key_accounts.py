"""Key accounts on the customer page: a marketing plan reviewed by the department manager and filed
by the department through the approval chain; the key-customer evaluation form."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.db import db
from core.events import commit
from core.tasks import Task, complete_task
from core.testing import login, make_user, post_form
from plugins.tiering.models import KeyEvaluation, KeyPlan
from plugins.tiering.recompute import recompute
from tests.plugins.tiering.conftest import steady_customer

pytestmark = pytest.mark.guanxi_plugins("tiering")


@pytest.fixture
def key_customer(app, users, manager):
    from core.org import Department

    filer = make_user("filer", ("specialist",))
    filer.department_id = db.session.scalar(select(Department.id).where(Department.code == "cm"))
    db.session.commit()
    customer = steady_customer("双力饲料", users["rep_east"], 100, first_order_days=800)
    recompute("command")
    commit()
    return customer


def plan_data(**changes):
    data = {"title": "2027 年增量方案", "period": "2027", "goals": "年销量 1,500 吨", "actions": "季度技术服务",
            "budget_cents": "20000"}
    data.update(changes)
    return data


def test_a_plan_is_written_reviewed_and_filed(key_customer, client, users):
    login(client, "rep_east")
    page = client.get(f"/customers/{key_customer.id}").get_data(as_text=True)
    assert "tiering-key-account" in page
    response = post_form(client, f"/tiering/customers/{key_customer.id}/plans/new", plan_data())
    assert response.status_code == 303
    plan = db.session.scalar(select(KeyPlan))
    assert plan.state == "draft" and plan.budget_cents == 2_000_000
    post_form(client, f"/tiering/plans/{plan.id}/submit", {}, page=f"/tiering/plans/{plan.id}")
    db.session.refresh(plan)
    assert plan.state == "submitted"
    review = db.session.scalar(select(Task).where(Task.record_type == "tiering_key_plans", Task.state == "open"))
    assert review.assignee_id == db.session.scalar(select(Task.assignee_id).where(Task.id == review.id))
    from core.auth.models import User

    head = db.session.scalar(select(User).where(User.username == "cm_head"))
    assert review.assignee_id == head.id
    complete_task(review, head, "approved")
    commit()
    db.session.refresh(plan)
    assert plan.state == "reviewed"
    filing = db.session.scalar(select(Task).where(Task.record_type == "tiering_key_plans", Task.state == "open"))
    filer = db.session.scalar(select(User).where(User.username == "filer"))
    from core.tasks import claim_task

    claim_task(filing, filer)
    complete_task(filing, filer, "approved")
    commit()
    db.session.refresh(plan)
    assert plan.state == "filed"
    page = client.get(f"/tiering/plans/{plan.id}").get_data(as_text=True)
    assert "已归档" in page
    assert 'name="goals"' not in page  # a filed plan is read, not edited


def test_a_sent_back_plan_can_be_edited_and_submitted_again(key_customer, client):
    login(client, "rep_east")
    post_form(client, f"/tiering/customers/{key_customer.id}/plans/new", plan_data())
    plan = db.session.scalar(select(KeyPlan))
    post_form(client, f"/tiering/plans/{plan.id}/submit", {}, page=f"/tiering/plans/{plan.id}")
    db.session.refresh(plan)
    review = db.session.scalar(select(Task).where(Task.record_type == "tiering_key_plans", Task.state == "open"))
    from core.auth.models import User

    head = db.session.scalar(select(User).where(User.username == "cm_head"))
    complete_task(review, head, "sent_back", comment="预算太低")
    commit()
    db.session.refresh(plan)
    assert plan.state == "returned"
    post_form(client, f"/tiering/plans/{plan.id}", plan_data(budget_cents="50000"))
    post_form(client, f"/tiering/plans/{plan.id}/submit", {}, page=f"/tiering/plans/{plan.id}")
    db.session.refresh(plan)
    assert plan.state == "submitted" and plan.budget_cents == 5_000_000


def test_an_evaluation_is_recorded_and_shown_on_the_customer_page(key_customer, client):
    login(client, "rep_east")
    response = post_form(client, f"/tiering/customers/{key_customer.id}/evaluations/new",
                         {"period": "2026 Q4", "evaluated_on": date.today().isoformat(), "volume": "5",
                          "payment": "4", "cooperation": "4", "potential": "3", "next_steps": "增加拜访"})
    assert response.status_code == 303
    evaluation = db.session.scalar(select(KeyEvaluation))
    assert evaluation.overall == 4.0
    page = client.get(f"/customers/{key_customer.id}").get_data(as_text=True)
    assert "2026 Q4" in page and "增加拜访" in page


def test_someone_who_cannot_see_the_customer_gets_404(key_customer, client, users):
    login(client, "rep_west")
    assert client.get(f"/tiering/customers/{key_customer.id}/plans/new").status_code == 404


def test_each_quarter_the_owner_is_asked_to_evaluate_and_the_evaluation_answers(key_customer, client, users):
    from plugins.tiering.key_accounts import ask_for_evaluations, quarter_label

    assert quarter_label(date(2027, 1, 1)) == "2026 Q4" and quarter_label(date(2027, 7, 1)) == "2027 Q2"
    assert ask_for_evaluations() == 1
    commit()
    assert ask_for_evaluations() == 0  # the open task is not asked twice
    commit()
    task = db.session.scalar(select(Task).where(Task.kind == "tiering.evaluate"))
    assert task.assignee_id == users["rep_east"].id and "双力饲料" in task.title_text()
    login(client, "rep_east")
    post_form(client, f"/tiering/customers/{key_customer.id}/evaluations/new",
              {"period": "2026 Q4", "evaluated_on": date.today().isoformat(), "volume": "4", "payment": "4",
               "cooperation": "4", "potential": "4"})
    db.session.refresh(task)
    assert task.state == "done"
