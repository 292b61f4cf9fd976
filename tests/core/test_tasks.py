"""Tasks: assigned to a person or a queue, decided exactly once, paused, listed on My work and the
dashboard, shown on the record's history, warned and escalated by the deadline sweep."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.db import db, utcnow
from core.events import commit
from core.i18n import N_
from core.notifications import Notification
from core.tasks import (
    Queue,
    Task,
    TaskRefused,
    TaskWatcher,
    can_act,
    claim_task,
    complete_task,
    create_task,
    hold_task,
    my_open_tasks,
    resume_task,
    sweep,
    work_counts,
)
from core.testing import QueryCounter, login, make_customer, make_user, post_form
from tests.core.work_org import build_org


@pytest.fixture
def org(app):
    return build_org()


@pytest.fixture
def customer(org):
    return make_customer("周口丰收养殖场", org["rep"])


def task_for(customer, hours_ago=0, budget_hours=24, **kwargs):
    kwargs.setdefault("assignee", None)
    task = create_task(customer, "follow_up", kwargs.pop("title", N_("Planned phone call")),
                       start=utcnow() - timedelta(hours=hours_ago), budget_minutes=budget_hours * 60,
                       **kwargs)
    commit()
    return task


def inbox_of(user):
    return list(db.session.scalars(select(Notification.subject).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_a_task_for_a_person_reaches_their_inbox_my_work_and_the_customer_history(client, org, customer):
    task = task_for(customer, assignee=org["rep"], by=org["rm"])
    assert task.customer_id == customer.id and task.reference == customer.name
    assert task.due_at == task.start_at + timedelta(hours=24)
    assert inbox_of(org["rep"]) == ["New task: %(title)s (%(reference)s)"]
    login(client, "rep")
    page = client.get("/my-work").get_data(as_text=True)
    assert "Planned phone call" in page and customer.name in page
    assert '<span class="badge" id="work-count">1</span>' in client.get("/").get_data(as_text=True)
    history = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "new task “Planned phone call”" in history


def test_a_role_queue_task_is_claimed_by_one_member(app, org, customer):
    task = task_for(customer, queue=Queue.role("specialist"))
    assert {n.role_code for n in db.session.scalars(select(Notification))} == {"specialist"}
    assert [row.task for row in my_open_tasks(org["spec1"])] == [task]
    assert work_counts(org["spec2"])["queues"] == 1
    assert not can_act(task, org["rep"])
    claim_task(task, org["spec1"])
    commit()
    assert work_counts(org["spec2"])["all"] == 0
    with pytest.raises(TaskRefused, match="Spec1 已认领此任务"):
        claim_task(db.session.get(Task, task.id), org["spec2"])


def test_department_and_permission_queues(app, org, customer):
    qc_task = task_for(customer, queue=Queue.department("qc"))
    sign_task = task_for(customer, queue=Queue.permission("customers.verify"))
    assert [r.task for r in my_open_tasks(org["qc1"])] == [qc_task]
    assert [r.task for r in my_open_tasks(org["qc_head"])] == [qc_task]  # the head belongs too
    assert [r.task for r in my_open_tasks(org["rm"])] == [sign_task]  # regional managers verify
    assert {n.user_id for n in db.session.scalars(select(Notification))} >= {org["qc1"].id, org["rm"].id}
    assert my_open_tasks(org["rep"]) == []


def test_completing_twice_names_who_did_it(client, org, customer):
    task = task_for(customer, queue=Queue.role("specialist"))
    login(client, "spec1")
    post_form(client, f"/tasks/{task.id}/act", {"decision": "done", "comment": "已核对"}, page=f"/tasks/{task.id}")
    second = client.application.test_client()
    login(second, "spec2")
    response = post_form(second, f"/tasks/{task.id}/act", {"decision": "done"}, page="/my-work",
                         follow_redirects=True)
    assert "Spec1 already completed this task at" in response.get_data(as_text=True)
    db.session.expire_all()
    done = db.session.get(Task, task.id)
    assert (done.state, done.decision, done.completed_by_id, done.comment) == ("done", "done", org["spec1"].id, "已核对")
    with pytest.raises(TaskRefused, match=r"Spec1 已于 .* 办理此任务（已完成）"):
        complete_task(done, org["spec1"])


def test_hold_stops_the_clock_and_resume_moves_the_deadline(app, org, customer):
    task = task_for(customer, hours_ago=10, assignee=org["rep"])
    due = task.due_at
    hold_task(task, org["rep"], "等客户送样")
    commit()
    assert task.state == "on_hold" and not task.overdue(utcnow() + timedelta(days=3))
    pause_start = utcnow() - timedelta(hours=5)
    task.pauses = [[pause_start.isoformat(), None]]  # as if it had waited five hours
    db.session.commit()
    resume_task(task, org["rep"])
    commit()
    assert task.state == "open"
    assert abs((task.due_at - due) - (utcnow() - pause_start)) < timedelta(seconds=5)
    with pytest.raises(TaskRefused):
        resume_task(task, org["rep"])


def test_my_work_lists_overdue_first_with_counts_and_pages(client, org, customer):
    later = task_for(customer, assignee=org["rep"], budget_hours=48, title=N_("Later"))
    sooner = task_for(customer, assignee=org["rep"], budget_hours=2, title=N_("Sooner"))
    late = task_for(customer, assignee=org["rep"], hours_ago=30, title=N_("Late"))
    held = task_for(customer, assignee=org["rep"], budget_hours=1, title=N_("Held"))
    hold_task(held, org["rep"])
    commit()
    queued = task_for(customer, queue=Queue.role("rep"), budget_hours=72, title=N_("Queued"))
    rows = my_open_tasks(org["rep"])
    assert [r.task for r in rows] == [late, sooner, later, queued, held]
    assert [r.overdue for r in rows] == [True, False, False, False, False]
    assert work_counts(org["rep"]) == {"all": 5, "overdue": 1, "mine": 4, "queues": 1, "watching": 0}
    assert [r.task for r in my_open_tasks(org["rep"], "overdue")] == [late]
    assert [r.task for r in my_open_tasks(org["rep"], "queues")] == [queued]
    assert [r.task for r in my_open_tasks(org["rep"], page=2, per_page=2)] == [later, queued]
    login(client, "rep")
    html = client.get("/my-work").get_data(as_text=True)
    assert html.index("Late") < html.index("Sooner") < html.index("Later") < html.index("Held")
    assert 'id="overdue-count"' in html and "Take it" in html


def test_my_work_costs_the_same_queries_for_3_and_30_tasks(client, org, customer):
    login(client, "rep")

    def queries():
        with QueryCounter() as counter:
            assert client.get("/my-work").status_code == 200
        return counter.count

    for n in range(3):
        task_for(customer, assignee=org["rep"], hours_ago=n * 10)
    task_for(customer, queue=Queue.department("sales"))
    few = queries()
    for n in range(27):
        task_for(customer, assignee=org["rep"], hours_ago=n)
    assert queries() == few


def test_every_dashboard_starts_with_its_own_queue(client, org, customer):
    task_for(customer, assignee=org["rep"], title=N_("Visit and record the customer's opinions"))
    login(client, "rep")
    html = client.get("/").get_data(as_text=True)
    first_widget = html.split('<section class="card widget">', 2)[1]
    assert "<h2>My work</h2>" in first_widget and "Visit and record" in first_widget
    login(client, "gm")
    assert "Nothing waits for you." in client.get("/").get_data(as_text=True)


def notified(user, subject):
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.subject == subject))


def test_sweep_warns_escalates_and_escalates_again_each_exactly_once(client, org, customer):
    task = task_for(customer, assignee=org["rep"], budget_hours=10)
    start = task.start_at
    assert sweep(start + timedelta(hours=7)) == {"warning": 0, "escalated": 0, "escalated_again": 0}
    for _ in range(3):
        sweep(start + timedelta(hours=8, minutes=1))
    assert notified(org["rep"], "Due soon: %(title)s") == 1
    assert sweep(start + timedelta(hours=9)) == {"warning": 0, "escalated": 0, "escalated_again": 0}
    for _ in range(3):
        sweep(start + timedelta(hours=10, minutes=1))
    assert notified(org["rm"], "Overdue and escalated to you: %(title)s") == 1
    assert notified(org["rep"], "Overdue: %(title)s") == 1
    assert can_act(task, org["rm"])  # the next level up may act, the task stays the rep's
    assert db.session.get(Task, task.id).assignee_id == org["rep"].id
    assert [r.task for r in my_open_tasks(org["rm"], "watching")] == [task]
    for _ in range(3):
        result = sweep(start + timedelta(hours=20, minutes=1))
    assert notified(org["gm"], "Twice over its deadline: %(title)s") == 1
    assert result == {"warning": 0, "escalated": 0, "escalated_again": 0}
    done = db.session.get(Task, task.id)
    assert done.warned_at and done.escalated_at and done.escalated_again_at
    events = [e.changes["event"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "task").order_by(AuditEvent.id))]
    assert events == ["created", "warned", "escalated", "escalated_again"]
    sweep_rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "task")).all()[1:]
    assert {e.user_id for e in sweep_rows} == {None}  # the system did it
    login(client, "rm")
    history = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "escalated the overdue task “Planned phone call”" in history and "System" in history
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Escalated again" in page and "Gm" in page


def test_a_late_first_sweep_escalates_without_a_stale_warning(app, org, customer):
    task = task_for(customer, assignee=org["rep"], budget_hours=10)
    assert sweep(task.start_at + timedelta(hours=25)) == {"warning": 0, "escalated": 1, "escalated_again": 1}
    assert notified(org["rep"], "Due soon: %(title)s") == 0
    assert notified(org["rm"], "Overdue and escalated to you: %(title)s") == 1
    assert notified(org["gm"], "Twice over its deadline: %(title)s") == 1


def test_queue_escalations_go_to_the_department_head(app, org, customer):
    by_department = task_for(customer, queue=Queue.department("qc"), budget_hours=1)
    by_permission = task_for(customer, queue=Queue.permission("customers.file"), budget_hours=1)
    make_user("extra_spec", ("specialist",))  # no department: the majority decides
    sweep(utcnow() + timedelta(hours=1, minutes=1))
    assert notified(org["qc_head"], "Overdue and escalated to you: %(title)s") == 1
    # customers.file: specialists and the cm manager, mostly of the customer-management department
    assert notified(org["cm_head"], "Overdue and escalated to you: %(title)s") == 1
    watchers = {(w.task_id, w.user_id) for w in db.session.scalars(select(TaskWatcher))}
    assert watchers == {(by_department.id, org["qc_head"].id), (by_permission.id, org["cm_head"].id)}


def test_a_heads_own_overdue_task_goes_to_the_general_manager(app, org, customer):
    task_for(customer, assignee=org["qc_head"], budget_hours=1)
    sweep(utcnow() + timedelta(hours=2))
    assert notified(org["gm"], "Overdue and escalated to you: %(title)s") == 1


def test_a_closed_or_held_task_is_not_swept(app, org, customer):
    done = task_for(customer, assignee=org["rep"], budget_hours=1)
    complete_task(done, org["rep"])
    held = task_for(customer, assignee=org["rep"], budget_hours=1)
    hold_task(held, org["rep"])
    commit()
    assert sweep(utcnow() + timedelta(days=3)) == {"warning": 0, "escalated": 0, "escalated_again": 0}


def test_titles_must_be_marked_for_translation(app, org, customer):
    from flask_babel import lazy_gettext

    with pytest.raises(TypeError):
        create_task(customer, "x", lazy_gettext("Planned phone call"), assignee=org["rep"])
    with pytest.raises(ValueError):
        create_task(customer, "x", N_("Planned phone call"))


def test_the_system_acts_as_nobody_even_inside_someones_request(app, org):
    from flask_login import login_user

    from core.audit import acting_as, actor_id

    with app.test_request_context():
        login_user(org["rep"])
        assert actor_id() == org["rep"].id
        with acting_as(None):
            assert actor_id() is None
        with acting_as(org["gm"].id):
            assert actor_id() == org["gm"].id
