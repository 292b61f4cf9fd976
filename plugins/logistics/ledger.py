"""The day's phone order record (电话订货记录) as one ledger: every order taken on a company-local
day, in the columns of the manual's form, for the screen (paged) and for print (the whole day)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import abort
from sqlalchemy import Select, func, select

from core.api import db, in_date_window, local_day_bounds, money, restrict
from plugins.logistics.forms import TRANSPORT
from plugins.logistics.i18n import _
from plugins.logistics.models import Order

PAGE_SIZE = 50
PRINT_LIMIT = 500  # a day's calls fit on a few pages; more is not a ledger anyone prints
FORM_CODE = "DD-QR-YXB-24"  # the manual's number of the phone order record form


def day_orders(day: date, user: Any) -> Select:
    """The orders taken on ``day`` that ``user`` may see, in the order they were taken."""
    start, end = local_day_bounds(day)
    return (restrict(select(Order), Order, user).where(Order.ordered_at >= start, Order.ordered_at < end)
            .order_by(Order.ordered_at, Order.id))


def day_count(day: date, user: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(day_orders(day, user).order_by(None).subquery())) or 0


def day_page(day: date, user: Any, page: int) -> list[Order]:
    return list(db.session.scalars(day_orders(day, user).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))


def payment_status(order: Order) -> str:
    """How the money stands, in the words of the ledger's 货款情况 column."""
    if order.fully_paid:
        return _("paid in full")
    if order.paid_cents:
        return _("%(paid)s of %(total)s received", paid=money(order.paid_cents), total=money(order.amount_cents))
    if order.credit_released:
        return _("released on credit")
    return _("not received")


def content(order: Order) -> str:
    return "；".join(f"{line.product.name} {line.quantity_kg / 1000:.3f} t / {line.bags} {_('bags')}"
                     for line in order.lines)


def other(order: Order, state_label: Any) -> str:
    notes = [_("rush")] if order.rush else []
    if order.state == "cancelled":
        notes.append(str(state_label(order.state)))
    if order.remarks:
        notes.append(order.remarks)
    return "；".join(notes)


def transport(order: Order) -> str:
    return str(TRANSPORT.get(order.transport, order.transport))


def load_day(record_id: int, user: Any) -> dict[str, Any]:
    """The printable ledger; the record id is the day as YYYYMMDD (within the date window)."""
    from plugins.logistics.flows import ORDER_FLOW

    try:
        day = datetime.strptime(str(record_id), "%Y%m%d").date()
    except ValueError:
        abort(404)
    if not in_date_window(day):
        abort(404)
    orders = list(db.session.scalars(day_orders(day, user).limit(PRINT_LIMIT + 1)))
    return {"day": day, "orders": orders[:PRINT_LIMIT], "cut": len(orders) > PRINT_LIMIT, "form_code": FORM_CODE,
            "payment_status": payment_status, "content": content, "transport": transport,
            "other": lambda order: other(order, ORDER_FLOW.state_label)}
