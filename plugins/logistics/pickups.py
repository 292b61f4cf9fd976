"""Delayed pick-ups (延期提货管理): an order paid (or released on credit) whose customer has not
collected it within the promised days. A periodic job gives the customer's rep one reminder task
per order, and closes it when the order is collected or cancelled; the office and the regional
managers see the list."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from core.api import Queue, Task, cancel_task, create_task, db, restrict, setting, utcnow
from plugins.logistics.flows import WAITING_PICKUP
from plugins.logistics.i18n import N_
from plugins.logistics.models import Order
from plugins.logistics.review import order_path

REMINDER = "logistics.pickup_reminder"
PER_PAGE = 25


def cutoff(now: datetime | None = None) -> datetime:
    """Orders ready before this moment are delayed (company setting ``logistics.pickup_days``)."""
    return (now or utcnow()) - timedelta(days=setting("logistics.pickup_days"))


def delayed(now: datetime | None = None) -> Any:
    """The delayed orders, on the partial index of those waiting for their customer."""
    return select(Order).where(Order.state.in_(WAITING_PICKUP), Order.ready_at <= cutoff(now))


def is_delayed(order: Order, now: datetime | None = None) -> bool:
    return order.state in WAITING_PICKUP and order.ready_at is not None and order.ready_at <= cutoff(now)


def delayed_page(user: Any, page: int = 1) -> tuple[list[Order], int]:
    """One page of the delayed orders ``user`` may see, longest waiting first, and their count."""
    stmt = restrict(delayed(), Order)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Order.ready_at, Order.id)
                              .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    return list(rows), int(total or 0)


def remind_delayed(now: datetime | None = None) -> int:
    """Give each newly delayed order's rep one reminder task (idempotent: the order remembers it
    was reminded, under a row lock), and cancel the reminders of orders no longer waiting."""
    now = now or utcnow()
    orders = db.session.scalars(delayed(now).where(Order.pickup_reminded_at.is_(None))
                                .with_for_update(of=Order, skip_locked=True)).all()
    for order in orders:
        owner = order.customer.owner_id
        create_task(order, REMINDER, N_("Customer has not collected order %(number)s"),
                    params={"number": order.number}, assignee=owner,
                    queue=None if owner else Queue.permission("logistics.review"),
                    budget_minutes=8 * 60, clock="working", link=order_path(order))
        order.pickup_reminded_at = now
    stale = db.session.scalars(select(Task).where(
        Task.kind == REMINDER, Task.state.in_(("open", "on_hold")), Task.record_type == Order.__tablename__,
        Task.record_id.in_(select(Order.id).where(Order.state.not_in(WAITING_PICKUP))))).all()
    for task in stale:
        cancel_task(task, None)
    return len(orders)


def pickup_job() -> None:
    """The periodic job (``logistics.delayed_pickups``); the worker commits."""
    remind_delayed()
