"""What logistics tells the rest of the system: per-customer figures, the panel, the widget."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, select

from core.api import Period, db, utcnow, visible
from plugins.logistics.models import Order, OrderLine, Trip

SHIPPED = ("shipped", "arrived")


def customer_metrics(customer_ids: list[int], period: Period) -> dict[int, dict[str, Any]]:
    """Shipped net kg, amount, order count, first and last order per customer: one grouped query."""
    if not customer_ids:
        return {}
    in_period = [Order.customer_id.in_(customer_ids), Order.state != "cancelled"]
    if period.start is not None:
        in_period.append(Order.ordered_at >= period.start)
    if period.end is not None:
        in_period.append(Order.ordered_at < period.end)
    net = (select(Trip.order_id, func.sum(Trip.net_kg).label("net"))
           .where(Trip.state == "left").group_by(Trip.order_id).subquery())
    amount = (select(OrderLine.order_id, func.sum(OrderLine.amount_cents).label("cents"))
              .group_by(OrderLine.order_id).subquery())
    shipped = Order.state.in_(SHIPPED)
    stmt = (select(Order.customer_id,
                   func.coalesce(func.sum(net.c.net), 0),
                   func.coalesce(func.sum(amount.c.cents).filter(shipped), 0),
                   func.count(Order.id), func.min(Order.ordered_at), func.max(Order.ordered_at))
            .outerjoin(net, net.c.order_id == Order.id).outerjoin(amount, amount.c.order_id == Order.id)
            .where(and_(*in_period)).group_by(Order.customer_id))
    return {cid: {"shipped_kg": int(kg), "shipped_amount_cents": int(cents), "order_count": count,
                  "first_order_at": first, "last_order_at": last}
            for cid, kg, cents, count, first, last in db.session.execute(stmt)}


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
