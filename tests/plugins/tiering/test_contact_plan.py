"""The contact plan: due days per month (month ends included), due calls as tasks in the rep's
My work within three days or overdue, idempotent, completed by a logged contact; compliance."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from core.clock import to_utc
from core.db import db
from core.events import commit
from core.registry.models import ContactLog
from core.tasks import Task
from core.testing import login
from plugins.tiering.contact_plan import due_days, next_due, sync_call_tasks
from plugins.tiering.recompute import recompute
from tests.plugins.tiering.conftest import steady_customer

pytestmark = pytest.mark.guanxi_plugins("tiering")


def test_due_days_spread_over_the_month_and_end_on_its_last_day():
    assert due_days(2027, 1, 1) == [date(2027, 1, 31)]
    assert due_days(2027, 1, 2) == [date(2027, 1, 16), date(2027, 1, 31)]
    assert due_days(2027, 2, 2) == [date(2027, 2, 14), date(2027, 2, 28)]
    assert due_days(2028, 2, 1) == [date(2028, 2, 29)]
    assert due_days(2027, 4, 2) == [date(2027, 4, 15), date(2027, 4, 30)]


def test_the_next_due_call_crosses_into_the_next_month_once_this_months_are_made():
    assert next_due(date(2027, 1, 29), 1, 0) == date(2027, 1, 31)
    assert next_due(date(2027, 1, 29), 1, 1) == date(2027, 2, 28)
    assert next_due(date(2027, 12, 30), 2, 2) == date(2028, 1, 16)
    assert next_due(date(2027, 2, 20), 2, 0) == date(2027, 2, 14)  # overdue
    assert next_due(date(2027, 2, 20), 0, 0) is None


def local(day, hour=9):
    return datetime(day.year, day.month, day.day, hour)


@pytest.fixture
def planned(app, users, manager):
    """22 customers of rep_east: 20 key (one call a month), 2 general (two calls a month)."""
    customers = [steady_customer(f"客户{i:02d}", users["rep_east"], 10 + i, first_order_days=800) for i in range(22)]
    recompute("command")
    commit()
    return customers


def call_tasks():
    return db.session.scalars(select(Task).where(Task.kind == "tiering.call").order_by(Task.id)).all()


def test_a_key_customers_call_becomes_a_task_three_days_before_the_month_end(planned, users):
    assert sync_call_tasks(local(date(2027, 1, 27))) == (2, 0)  # only the general ones' overdue mid-month call
    commit()
    assert sync_call_tasks(local(date(2027, 1, 28))) == (20, 0)  # the key ones' call due on the 31st
    commit()
    tasks = call_tasks()
    assert len(tasks) == 22 and {t.assignee_id for t in tasks} == {users["rep_east"].id}
    key_task = next(t for t in tasks if t.record_id == planned[-1].id)
    assert key_task.due_at == to_utc(datetime(2027, 1, 31, 23, 59))  # the end of January 31st, company time
    general_task = next(t for t in tasks if t.record_id == planned[0].id)
    assert general_task.due_at == to_utc(datetime(2027, 1, 16, 23, 59))  # overdue since the 16th


def test_running_the_job_again_creates_nothing_new(planned):
    sync_call_tasks(local(date(2027, 1, 29)))
    commit()
    assert sync_call_tasks(local(date(2027, 1, 29))) == (0, 0)
    commit()
    assert len(call_tasks()) == 22


def test_a_logged_call_completes_the_task_and_the_next_is_next_month(planned, users):
    sync_call_tasks(local(date(2027, 1, 29)))
    commit()
    customer = planned[-1]
    db.session.add(ContactLog(customer_id=customer.id, kind="phone", at=to_utc(local(date(2027, 1, 30))),
                              user_id=users["rep_east"].id, content="月度回访"))
    db.session.commit()
    created, completed = sync_call_tasks(local(date(2027, 1, 30)))
    commit()
    assert completed == 1
    task = next(t for t in call_tasks() if t.record_id == customer.id)
    assert task.state == "done"
    # February's call is due on the 28th: no task on February 1st, one from the 25th
    assert all(t.record_id != customer.id or t.state == "done" for t in call_tasks())
    sync_call_tasks(local(date(2027, 2, 1)))
    commit()
    assert len([t for t in call_tasks() if t.record_id == customer.id]) == 1
    sync_call_tasks(local(date(2027, 2, 25)))
    commit()
    assert len([t for t in call_tasks() if t.record_id == customer.id]) == 2


def test_a_rep_sees_the_due_call_in_my_work(planned, client):
    sync_call_tasks(local(date(2027, 1, 29)))
    commit()
    login(client, "rep_east")
    page = client.get("/my-work").get_data(as_text=True)
    assert "计划致电 客户00" in page and "计划致电 客户21" in page


def test_compliance_per_rep_and_region(planned, users, client):
    month = date.today().replace(day=1)
    db.session.add(ContactLog(customer_id=planned[0].id, kind="visit", at=to_utc(local(month)),
                              user_id=users["rep_east"].id, content="拜访"))
    db.session.commit()
    login(client, "rm_east")
    page = client.get(f"/tiering/contact-plan?month={month:%Y-%m}").get_data(as_text=True)
    # 20 key × 1 + 2 general × 2 = 24 planned, 1 made
    assert "<td>22</td><td>24</td><td>1</td><td>4%</td>" in page
    login(client, "rep_east")
    assert client.get("/tiering/contact-plan").status_code == 403
    login(client, "rm_east")
    assert client.get("/tiering/contact-plan?month=99999-99").status_code == 200


def _most_parameters(action) -> int:
    """The largest number of bound parameters of one statement ``action`` runs."""
    from core.testing import QueryCounter

    with QueryCounter() as counter:
        action()
    return max(s.count("?") + s.count("%(") for s in counter.statements)


def test_the_company_wide_steps_bind_no_parameter_per_customer(app, users):
    """At 100,000 customers a list of ids breaks PostgreSQL's 65,535-parameter limit (the compliance
    page answered 500): the grade, contact and key-customer look-ups take the customers as a subquery."""
    from plugins.tiering.contact_plan import compliance
    from plugins.tiering.key_accounts import ask_for_evaluations

    def measured(n):
        for i in range(n):
            steady_customer(f"客户{n}-{i}", users["rep_east"], 10 + i)
        recompute("command")
        commit()
        today = local(date(2027, 1, 28))
        return (_most_parameters(lambda: compliance(date.today().replace(day=1), users["specialist"])),
                _most_parameters(lambda: sync_call_tasks(today)), _most_parameters(ask_for_evaluations))

    assert measured(3) == measured(40)


def test_compliance_reads_the_same_number_of_statements_for_few_and_many_customers(app, users):
    """Summed per rep and region in SQL: at 100,000 customers the page must not read every customer."""
    from core.testing import QueryCounter
    from plugins.tiering.contact_plan import compliance

    def counted(n):
        for i in range(n):
            steady_customer(f"客户{n}-{i}", users["rep_east"], 10 + i)
        recompute("command")
        commit()
        compliance(date.today().replace(day=1), users["specialist"])  # the settings are read once per context
        with QueryCounter() as counter:
            reps, regions = compliance(date.today().replace(day=1), users["specialist"])
        return counter.count, sum(r.customers for r in reps), sum(r.customers for r in regions)

    few, many = counted(3), counted(40)
    assert few[0] == many[0]
    assert few[1:] == (3, 3) and many[1:] == (43, 43)
