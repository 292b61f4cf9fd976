"""Arrival (到货管理): the rep or the office confirms when the customer received the goods, after the
last truck left. For goods the company delivers (its truck or a carrier) the arrival is the
delivery date of W-21, so the delivery class is counted to it; a pick-up is delivered at the gate."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.api import TransitionRefused, to_local, utcnow
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.i18n import _
from plugins.logistics.models import Order
from plugins.logistics.services import locked
from plugins.logistics.timing import classify

CLOCK_SLACK = timedelta(minutes=10)  # a phone's clock a little ahead of the server's


def confirm_arrival(order: Order, arrived_at: datetime, user: Any) -> Order:
    """``arrived_at`` is naive UTC, between the gate-out and now, to the minute (as it is typed)."""
    order = locked(order)
    reason = ORDER_FLOW.refusal(order, "confirm_arrival", user)
    if reason:
        raise TransitionRefused(reason)
    if order.left_at and arrived_at < order.left_at.replace(second=0, microsecond=0):
        raise TransitionRefused(_("The goods cannot arrive before they left the gate (%(time)s).",
                                  time=to_local(order.left_at).strftime("%Y-%m-%d %H:%M")))
    if arrived_at > utcnow() + CLOCK_SLACK:
        raise TransitionRefused(_("The arrival time is in the future."))
    ORDER_FLOW.apply(order, "confirm_arrival", user)
    order.arrived_at = max(arrived_at, order.left_at or arrived_at)
    if order.transport != "pickup":
        order.timing = classify(to_local(order.ordered_at).date(), to_local(arrived_at).date())
    return order


def delivery_basis(order: Order) -> str:
    """What the delivery class counts to: the arrival for delivered goods, else the gate-out."""
    return "arrival" if order.transport != "pickup" and order.arrived_at else "gate"
