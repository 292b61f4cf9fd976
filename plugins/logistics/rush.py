"""Rush orders (加急订货管理): a permitted person marks an order rush with a reason; production, the
warehouse and the weighbridge then see it on top of their lists."""
from __future__ import annotations

from typing import Any

from core.api import TransitionRefused, notify
from plugins.logistics.i18n import N_, _
from plugins.logistics.models import Order
from plugins.logistics.review import order_path
from plugins.logistics.services import locked

FINISHED = ("shipped", "arrived", "cancelled")


def set_rush(order: Order, rush: bool, reason: str, user: Any) -> Order:
    """Mark (or unmark) ``order`` rush; the reason is required and kept (audited)."""
    if not user.can("logistics.rush"):
        raise TransitionRefused(_("Only the office and the sales managers mark rush orders."))
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Give the reason for the rush."))
    order = locked(order)
    if order.state in FINISHED:
        raise TransitionRefused(_("Order %(number)s is finished.", number=order.number))
    order.rush, order.rush_reason, order.rush_by_id = rush, reason[:300], user.id
    if rush:
        notify(N_("Rush order %(number)s: %(reason)s"), roles=["production", "warehouse_keeper", "weigher"],
               params={"number": order.number, "reason": order.rush_reason}, link=order_path(order))
    return order
