"""What logistics tells the rest of the system: per-customer figures, the panel, the widget."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, and_, func, select

from core.api import Metric, Period, db, month_of, utcnow, visible
from plugins.logistics.i18n import _l
from plugins.logistics.models import Order, OrderLine, Trip

SHIPPED = ("shipped", "arrived")


METRICS = (
    Metric("shipped_kg", "kg", _l("Shipped (kg)"),
           _l("Net weight that left the gate for the orders placed in the period.")),
    Metric("shipped_amount_cents", "cents", _l("Shipped amount"),
           _l("Amount of the orders placed in the period that have left the gate.")),
    Metric("order_count", "count", _l("Orders"), _l("Orders placed in the period, cancelled ones excluded.")),
    Metric("first_order_at", "datetime", _l("First order"),
           _l("When the first order of the period was placed (UTC)."), per_month=False),
    Metric("last_order_at", "datetime", _l("Last order"),
           _l("When the last order of the period was placed (UTC)."), per_month=False),
)
SUMMED = ("shipped_kg", "shipped_amount_cents", "order_count")


def customer_metrics(customer_ids: Sequence[int] | Select, period: Period,
                     series: str | None = None) -> dict[int, dict[str, Any]]:
    """The figures of ``METRICS`` per customer in one grouped query, whatever the number of customers:
    for a list of ids or a Select of them, as period totals or (``series="month"``) per month."""
    conditions = [Order.customer_id.in_(customer_ids), Order.state != "cancelled"]
    if period.start is not None:
        conditions.append(Order.ordered_at >= period.start)
    if period.end is not None:
        conditions.append(Order.ordered_at < period.end)
    net = (select(Trip.order_id, func.sum(Trip.net_kg).label("net"))
           .where(Trip.state == "left").group_by(Trip.order_id).subquery())
    amount = (select(OrderLine.order_id, func.sum(OrderLine.amount_cents).label("cents"))
              .group_by(OrderLine.order_id).subquery())
    summed = (func.coalesce(func.sum(net.c.net), 0),
              func.coalesce(func.sum(amount.c.cents).filter(Order.state.in_(SHIPPED)), 0), func.count(Order.id))
    keys: tuple[Any, ...] = (Order.customer_id,)
    if series == "month":
        keys += (month_of(Order.ordered_at, period).label("month"),)
        extremes: tuple[Any, ...] = ()
    else:
        extremes = (func.min(Order.ordered_at), func.max(Order.ordered_at))
    stmt = (select(*keys, *summed, *extremes)
            .outerjoin(net, net.c.order_id == Order.id).outerjoin(amount, amount.c.order_id == Order.id)
            .where(and_(*conditions)).group_by(*keys))
    result: dict[int, dict[str, Any]] = {}
    for row in db.session.execute(stmt):
        if series == "month":
            customer_id, month, *values = row
            for name, value in zip(SUMMED, values, strict=True):
                result.setdefault(customer_id, {}).setdefault(name, {})[month] = int(value)
        else:
            customer_id, kg, cents, count, first, last = row
            result[customer_id] = {"shipped_kg": int(kg), "shipped_amount_cents": int(cents),
                                   "order_count": count, "first_order_at": first, "last_order_at": last}
    return result


def on_time(user: Any, days: int = 30, customer_id: int | None = None) -> dict[str, Any]:
    """Shipped orders of the last ``days`` days by timing class, and open orders past the promise."""
    since = utcnow() - timedelta(days=days)
    scope = [visible(Order, user)] + ([Order.customer_id == customer_id] if customer_id else [])
    counts = dict(db.session.execute(
        select(Order.timing, func.count()).where(*scope, Order.left_at >= since, Order.timing.is_not(None))
        .group_by(Order.timing)).all())
    shipped = sum(counts.values())
    late_open = db.session.scalar(select(func.count()).select_from(Order).where(
        *scope, Order.state.not_in(SHIPPED + ("cancelled",)), Order.ordered_at < utcnow() - timedelta(days=3)))
    good = counts.get("same_day", 0) + counts.get("on_time", 0)
    return {"shipped": shipped, "same_day": counts.get("same_day", 0), "on_time": counts.get("on_time", 0),
            "incident": counts.get("incident", 0), "open_late": late_open or 0,
            "rate": round(100 * good / shipped) if shipped else None}
