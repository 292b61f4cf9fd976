"""Two people deciding at once on PostgreSQL: exactly one decision is recorded, the other is told
who was first; two reviewers of one parallel group approving at once both count, once.

These need real row locks, so they run only when GUANXI_TEST_DATABASE_URL is set."""
import threading
import time

import pytest
from sqlalchemy import func, select

import core.approvals
import core.tasks
from core.approvals import ApprovalStep, submit_for_approval
from core.audit import AuditEvent
from core.db import db
from core.events import commit
from core.i18n import N_
from core.tasks import Queue, Task, TaskRefused, complete_task, create_task
from core.testing import login, make_customer, post_form
from tests.core.work_org import build_org
from tests.expenses_plugin import plugin as expenses
from tests.expenses_plugin.plugin import ExpensesPlugin


@pytest.fixture
def postgres(backend):
    if backend != "postgresql":
        pytest.skip("row locks: PostgreSQL only (set GUANXI_TEST_DATABASE_URL)")


@pytest.fixture
def slow_decisions(monkeypatch):
    """Hold each decision's row lock a moment before the commit, so the other one must wait."""
    original = core.tasks.record_decision

    def held(*args, **kwargs):
        original(*args, **kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(core.tasks, "record_decision", held)
    monkeypatch.setattr(core.approvals, "record_decision", held)


def together(*jobs):
    """Run the jobs in threads released at the same moment; returns their results or errors."""
    start = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        start.wait()
        try:
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_colleagues_deciding_one_task_at_once_record_one_decision(postgres, app, slow_decisions):
    org = build_org()
    customer = make_customer("并发客户", org["rep"])
    task = create_task(customer, "follow_up", N_("Planned phone call"), queue=Queue.role("specialist"))
    commit()
    clients = {}
    for name in ("spec1", "spec2"):
        clients[name] = app.test_client()
        login(clients[name], name)
    token_pages = {name: client.get(f"/tasks/{task.id}") for name, client in clients.items()}
    assert all(page.status_code == 200 for page in token_pages.values())

    def decide(name, comment):
        return lambda: post_form(clients[name], f"/tasks/{task.id}/act",
                                 {"decision": "done", "comment": comment}, page=f"/tasks/{task.id}",
                                 follow_redirects=True).get_data(as_text=True)

    pages = together(decide("spec1", "一号"), decide("spec2", "二号"))
    db.session.expire_all()
    done = db.session.get(Task, task.id)
    winner = "Spec1" if done.completed_by_id == org["spec1"].id else "Spec2"
    assert done.state == "done" and done.comment in ("一号", "二号")
    refused = [page for page in pages if "already completed this task" in page]
    assert len(refused) == 1 and f"{winner} already completed this task" in refused[0]
    completed = [e for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "task"))
                 if e.changes.get("event") == "completed"]
    assert len(completed) == 1


def test_one_task_decided_by_its_assignee_and_a_watcher_at_once(postgres, app, slow_decisions):
    org = build_org()
    customer = make_customer("并发客户", org["rep"])
    task = create_task(customer, "follow_up", N_("Planned phone call"), assignee=org["rep"])
    commit()
    core.tasks.add_watcher(task, org["rm"].id, "escalated")
    db.session.commit()
    task_id = task.id

    def decide(name):
        def job():
            with app.app_context():
                from core.auth.models import User

                user = db.session.scalar(select(User).where(User.username == name))
                try:
                    complete_task(db.session.get(Task, task_id), user, "done", name)
                    commit()
                    return "ok"
                except TaskRefused as refusal:
                    db.session.rollback()
                    return str(refusal)
                finally:
                    db.session.remove()
        return job

    results = together(decide("rep"), decide("rm"))
    assert sorted(r == "ok" for r in results) == [False, True]
    assert any("已于" in r and "办理此任务" in r for r in results if r != "ok")  # named, in Chinese


@pytest.mark.guanxi_plugins("expenses", extra={"expenses": ExpensesPlugin})
def test_two_reviewers_of_a_parallel_group_approving_at_once_both_count(postgres, app, slow_decisions):
    from tests.expenses_plugin.models import Claim

    expenses.EVENTS.clear()
    org = build_org()
    customer = make_customer("并发客户", org["rep"])
    claim = Claim(number="BX-9", customer_id=customer.id, purpose="差旅", amount_cents=900000,
                  applicant_id=org["rep"].id)
    db.session.add(claim)
    db.session.commit()
    submit_for_approval(claim, "expenses.claim", org["rep"])
    commit()
    manager_task = db.session.scalar(select(Task).where(Task.assignee_id == org["rm"].id))
    complete_task(manager_task, org["rm"], "approved")
    commit()
    claim_id = claim.id

    def approve(name):
        def job():
            with app.app_context():
                from core.auth.models import User

                user = db.session.scalar(select(User).where(User.username == name))
                mine = db.session.scalar(select(Task).where(Task.assignee_id == user.id,
                                                            Task.state == "open", Task.kind == "approval"))
                try:
                    complete_task(mine, user, "approved")
                    commit()
                    return "ok"
                finally:
                    db.session.remove()
        return job

    assert together(approve("fin_head"), approve("qc_head")) == ["ok", "ok"]
    db.session.expire_all()
    states = dict(db.session.execute(select(ApprovalStep.name, ApprovalStep.state)).all())
    assert states == {"manager": "approved", "finance": "approved", "qc": "approved", "gm": "open"}
    gm_tasks = db.session.scalar(select(func.count()).select_from(Task).where(
        Task.assignee_id == org["gm"].id, Task.record_id == claim_id))
    assert gm_tasks == 1
    assert sorted(e[4] for e in expenses.EVENTS if e[0] == "decided") == ["pending", "pending", "pending"]
