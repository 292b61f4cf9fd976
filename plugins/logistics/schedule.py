"""The daily production schedule sheet (生产安排计划表): what to produce per product for a day."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import abort
from sqlalchemy import and_, func, or_, select

from core.api import db, in_date_window, local_day_bounds
from plugins.logistics.models import Order, OrderLine, Product

TO_PRODUCE = ("scheduled", "paid", "products_confirmed", "invoiced", "shipping")


def sheet(day: date) -> list[dict[str, Any]]:
    """Per product: tonnes, bags and order numbers due that day (requested delivery date, or the
    order day when none was asked), one grouped query."""
    start, end = local_day_bounds(day)
    due = or_(Order.delivery_on == day,
              and_(Order.delivery_on.is_(None), Order.ordered_at >= start, Order.ordered_at < end))
    stmt = (select(Product.code, Product.name, Product.bag_weight_kg, func.sum(OrderLine.quantity_kg),
                   func.sum(OrderLine.bags), func.count(func.distinct(Order.id)))
            .join(OrderLine, OrderLine.product_id == Product.id).join(Order, Order.id == OrderLine.order_id)
            .where(Order.state.in_(TO_PRODUCE), due)
            .group_by(Product.code, Product.name, Product.bag_weight_kg).order_by(Product.code))
    return [{"code": code, "name": name, "bag_weight_kg": bag, "kg": int(kg), "bags": int(bags), "orders": n}
            for code, name, bag, kg, bags, n in db.session.execute(stmt)]


def load_sheet(record_id: int, user: Any) -> dict[str, Any]:
    """The printable sheet; the record id is the day as YYYYMMDD (within the date window)."""
    try:
        day = datetime.strptime(str(record_id), "%Y%m%d").date()
    except ValueError:
        abort(404)
    if not in_date_window(day):
        abort(404)
    return {"day": day, "rows": sheet(day)}
