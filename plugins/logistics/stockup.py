"""Stock-up tracking (备货情况跟踪): per order line, the bags production made and the bags the
warehouse has ready; the order's readiness is the share of its bags ready to load."""
from __future__ import annotations

from typing import Any

from core.api import TransitionRefused
from plugins.logistics.i18n import _
from plugins.logistics.models import Order
from plugins.logistics.services import locked

STOCKING = ("scheduled", "paid", "products_confirmed", "invoiced", "shipping")


def may_record(user: Any) -> dict[str, bool]:
    """Which counts ``user`` keeps: production the bags made, the warehouse the bags ready."""
    return {"produced": user.can("logistics.produce"), "ready": user.can("logistics.warehouse")}


def record_stock(order: Order, counts: dict[int, dict[str, int]], user: Any) -> Order:
    """``counts`` is ``{line_id: {"produced": bags, "ready": bags}}``; each count 0 to the line's bags.
    A count the user does not keep is refused, never silently dropped."""
    order = locked(order)
    if order.state not in STOCKING:
        raise TransitionRefused(_("Stock is tracked once the order is scheduled and until it ships."))
    allowed = may_record(user)
    lines = {line.id: line for line in order.lines}
    for line_id, values in counts.items():
        line = lines.get(line_id)
        if line is None:
            raise TransitionRefused(_("That line is not on order %(number)s.", number=order.number))
        for name, bags in values.items():
            if not allowed.get(name):
                raise TransitionRefused(_("You may not record that count."))
            if not 0 <= bags <= line.bags:
                raise TransitionRefused(_("%(product)s: enter 0 to %(bags)s bags.", product=line.product.name,
                                          bags=line.bags))
            if getattr(line, f"{name}_bags") != bags:
                setattr(line, f"{name}_bags", bags)
    return order
