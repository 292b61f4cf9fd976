"""What logistics adds to the customer list: filters on orders and a sortable last-order column.

Each filter is a condition on ``Customer`` (``Customer.id IN (orders subquery)``), so the list,
its count and its export stay one query each, narrowed by core to the customers the user may see.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select

from core.api import Column, Customer, ListFilter, db, local_datetime, utcnow
from plugins.logistics.flows import BEFORE_SHIPPING
from plugins.logistics.i18n import _l
from plugins.logistics.models import Order

OPEN_STATES = (*BEFORE_SHIPPING, "shipping")
MAX_DAYS = 3650


def ordered_within(days: int) -> ColumnElement[bool]:
    """Customers with an order (not cancelled) placed in the last ``days`` days."""
    since = utcnow() - timedelta(days=days)
    return Customer.id.in_(select(Order.customer_id).where(Order.ordered_at >= since, Order.state != "cancelled"))


def has_open_orders(_ticked: bool) -> ColumnElement[bool]:
    """Customers with an order that has not left the gate yet."""
    return Customer.id.in_(select(Order.customer_id).where(Order.state.in_(OPEN_STATES)))


def last_order_at() -> Any:
    """Each listed customer's last order time, for ORDER BY (a correlated subquery)."""
    return (select(func.max(Order.ordered_at))
            .where(Order.customer_id == Customer.id, Order.state != "cancelled")
            .correlate(Customer).scalar_subquery())


def last_order_days(customer_ids: list[int]) -> dict[int, str]:
    """The day of the last order of each customer on the page, in one grouped query."""
    rows = db.session.execute(select(Order.customer_id, func.max(Order.ordered_at))
                              .where(Order.customer_id.in_(customer_ids), Order.state != "cancelled")
                              .group_by(Order.customer_id))
    return {customer_id: local_datetime(at, "yyyy-MM-dd") for customer_id, at in rows}


def filters() -> list[ListFilter]:
    return [
        ListFilter("logistics_ordered_within", _l("Ordered in the last (days)"), ordered_within,
                   kind="number", minimum=1, maximum=MAX_DAYS, order=20),
        ListFilter("logistics_open_orders", _l("Has open orders"), has_open_orders, kind="check", order=21),
    ]


def columns() -> list[Column]:
    return [Column("logistics_last_order", _l("Last order"), last_order_days, order=20, sort=last_order_at())]
