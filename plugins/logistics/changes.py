"""Changing an order's lines (订单改变管理): only while the order is being changed — sent back by its
review, or a change requested after confirmation — and then it goes through the review again.
Each line is audited, so the order's history shows every line's old and new quantity and amount."""
from __future__ import annotations

from typing import Any

from plugins.logistics.i18n import _
from plugins.logistics.models import Order, OrderLine
from plugins.logistics.services import LineInput, OrderRefused, locked, order_line

LINE_VALUES = ("product_id", "quantity_kg", "bags", "price_cents_per_tonne", "amount_cents")


def _revised(line: OrderLine, item: LineInput) -> OrderLine:
    """The line as typed; a line keeping its product keeps the price it was ordered at."""
    fresh = order_line(item)
    if item.product.id == line.product_id:
        fresh.price_cents_per_tonne = line.price_cents_per_tonne
        fresh.amount_cents = (fresh.quantity_kg * line.price_cents_per_tonne + 500) // 1000
    return fresh


def change_lines(order: Order, edits: dict[int, LineInput | None], added: list[LineInput], user: Any) -> Order:
    """``edits`` maps each kept line's id to its new product and quantity (None removes it);
    ``added`` are new lines at today's price. Refused unless the order is being changed."""
    order = locked(order)
    if order.state != "changing":
        raise OrderRefused(_("The lines of order %(number)s can be changed only after a change was requested "
                             "or its review sent it back.", number=order.number))
    lines = {line.id: line for line in order.lines}
    if set(edits) - set(lines):
        raise OrderRefused(_("That line is not on order %(number)s.", number=order.number))
    revised = {line_id: _revised(lines[line_id], item) for line_id, item in edits.items() if item is not None}
    fresh = [order_line(item) for item in added]
    for line_id, item in edits.items():
        line = lines[line_id]
        if item is None:
            order.lines.remove(line)
            continue
        for name in LINE_VALUES:
            if getattr(line, name) != getattr(revised[line_id], name):
                setattr(line, name, getattr(revised[line_id], name))
    order.lines.extend(fresh)
    if not order.lines:  # the caller rolls back
        raise OrderRefused(_("An order keeps at least one line; cancel the order instead."))
    return order
