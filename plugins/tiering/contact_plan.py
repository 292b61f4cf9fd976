"""The contact plan: planned calls a month by grade, checked against core's contact log.

A month with n planned calls has them due on day ceil(k × days / n) for k = 1…n (one call: the
month's last day; two: mid-month and the last day). Every logged contact (visit or call) in the
month counts for the month's next planned call. The periodic job turns the next planned call into
a task in the owner rep's My work once it is due within ``tiering.call_lead_days`` days or overdue,
and completes that task when a contact is logged; it is safe to run any number of times.
"""
from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, select

from core.api import (
    ContactLog,
    Customer,
    Region,
    Task,
    User,
    complete_task,
    create_task,
    db,
    local_month_bounds,
    local_now,
    restrict,
    setting,
    to_utc,
)
from plugins.tiering.i18n import N_
from plugins.tiering.models import Grade, Override
from plugins.tiering.queries import active_override, effective_grades, today
from plugins.tiering.settings import calls_per_month

CALL = "tiering.call"
OPEN_STATES = ("open", "on_hold")
CALL_TITLE = N_("Planned call to %(name)s")


def due_days(year: int, month: int, calls: int) -> list[date]:
    """The days the month's ``calls`` planned calls fall due."""
    days = calendar.monthrange(year, month)[1]
    return [date(year, month, math.ceil(k * days / calls)) for k in range(1, calls + 1)]


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def next_due(today: date, calls: int, logged_this_month: int) -> date | None:
    """The due day of the next planned call not yet made: this month's, else next month's first."""
    if calls <= 0:
        return None
    this_month = due_days(today.year, today.month, calls)
    if logged_this_month < calls:
        return this_month[logged_this_month]
    following = next_month(today)
    return due_days(following.year, following.month, calls)[0]


def end_of_day(day: date) -> datetime:
    """The last minute of a company-local day (23:59, so it reads as that day), as stored (naive UTC)."""
    return to_utc(datetime.combine(day, time(23, 59)))


def _contacts_since(start: datetime, customer_ids: Any) -> dict[int, int]:
    return dict(db.session.execute(
        select(ContactLog.customer_id, func.count()).where(ContactLog.customer_id.in_(customer_ids),
                                                           ContactLog.at >= start)
        .group_by(ContactLog.customer_id)).all())


def sync_call_tasks(now_local: datetime | None = None) -> tuple[int, int]:
    """Create the due calls' tasks and complete the ones answered by a logged contact: (created, completed)."""
    today = (now_local or local_now()).date()
    lead = setting("tiering.call_lead_days")
    plan = calls_per_month()
    month_start = local_month_bounds(today)[0]
    scope = select(Customer.id, Customer.name, Customer.owner_id).where(Customer.owner_id.is_not(None),
                                                                         Customer.is_prospect.is_(False))
    customers = db.session.execute(scope).all()
    ids = [cid for cid, _name, _owner in customers]
    if not ids:
        return 0, 0
    scope_ids = scope.with_only_columns(Customer.id)  # a subquery: no parameter per customer
    grades = effective_grades(scope_ids)
    logged = _contacts_since(month_start, scope_ids)
    open_tasks = {t.record_id: t for t in db.session.scalars(select(Task).where(
        Task.kind == CALL, Task.record_type == "customers", Task.state.in_(OPEN_STATES)))}
    answered = dict(db.session.execute(
        select(ContactLog.customer_id, func.max(ContactLog.at)).where(
            ContactLog.customer_id.in_(list(open_tasks) or [-1])).group_by(ContactLog.customer_id)).all())
    created = completed = 0
    for task in open_tasks.values():
        last = answered.get(task.record_id)
        if last is not None and last >= task.created_at and task.assignee_id:
            complete_task(task, db.session.get(User, task.assignee_id), "done")  # the logged contact did it
            completed += 1
    by_id = {cid: (name, owner) for cid, name, owner in customers}
    still_open = {cid for cid, t in open_tasks.items() if t.state in OPEN_STATES}
    for cid in ids:
        grade = grades.get(cid)
        due = next_due(today, plan.get(grade or "", 0), logged.get(cid, 0))
        if due is None or cid in still_open or (due - today).days > lead:
            continue
        name, owner = by_id[cid]
        customer = db.session.get(Customer, cid)
        deadline = end_of_day(due)
        create_task(customer, CALL, CALL_TITLE, params={"name": name}, assignee=owner,
                    start=min(deadline - timedelta(days=max(lead, 1)), end_of_day(today)), due=deadline)
        created += 1
    return created, completed


@dataclass
class Compliance:
    """Planned and made calls of one rep or region in a month."""

    label: str
    customers: int = 0
    planned: int = 0
    made: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.made / self.planned) if self.planned else None


def compliance(month: date, user: Any) -> tuple[list[Compliance], list[Compliance]]:
    """Per rep and per region: calls planned by today's grades and calls made (counted up to the plan).

    Two grouped statements, whatever the number of customers: each customer's planned calls (its
    effective grade's calls a month) and made calls (this month's contacts, up to the plan), summed
    per owner and per region in SQL."""
    start, end = local_month_bounds(month)
    plan = {grade: calls for grade, calls in calls_per_month().items() if calls}
    per_rep: dict[Any, Compliance] = {}
    per_region: dict[Any, Compliance] = {}
    if plan:
        override = select(Override.customer_id, Override.grade).where(active_override(today())).subquery()
        grade = func.coalesce(override.c.grade, Grade.grade)
        planned = case(*((grade == g, calls) for g, calls in plan.items()), else_=0)
        contacts = (select(ContactLog.customer_id, func.count().label("n"))
                    .where(ContactLog.at >= start, ContactLog.at < end).group_by(ContactLog.customer_id).subquery())
        made = func.coalesce(contacts.c.n, 0)
        customers = restrict(
            select(Customer.owner_id, Customer.region_id, planned.label("planned"),
                   case((made < planned, made), else_=planned).label("made"))
            .outerjoin(Grade, Grade.customer_id == Customer.id)
            .outerjoin(override, override.c.customer_id == Customer.id)
            .outerjoin(contacts, contacts.c.customer_id == Customer.id)
            .where(Customer.is_prospect.is_(False)), Customer, user).subquery()
        owners = dict(db.session.execute(select(User.id, User.display_name)).all())
        regions = dict(db.session.execute(select(Region.id, Region.name)).all())
        for table, key, labels in ((per_rep, customers.c.owner_id, owners), (per_region, customers.c.region_id, regions)):
            for value, count, planned_sum, made_sum in db.session.execute(
                    select(key, func.count(), func.sum(customers.c.planned), func.sum(customers.c.made))
                    .where(customers.c.planned > 0).group_by(key)):
                table[value] = Compliance(labels.get(value, "—"), count, int(planned_sum), int(made_sum))
    order = lambda rows: sorted(rows.values(), key=lambda r: (r.percent if r.percent is not None else 101, r.label))  # noqa: E731
    return order(per_rep), order(per_region)
