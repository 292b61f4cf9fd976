"""The daily production schedule sheet (生产安排计划表): what to produce per product for a day."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import abort
from sqlalchemy import and_, case, func, or_, select

from core.api import db, in_date_window, local_day_bounds, restrict
from plugins.logistics.models import Order, OrderLine, Product

TO_PRODUCE = ("scheduled", "paid", "products_confirmed", "invoiced", "shipping")


def _due(day: date) -> Any:
    """Due that day: the requested delivery date, or the order day when none was asked."""
    start, end = local_day_bounds(day)
    return or_(Order.delivery_on == day,
               and_(Order.delivery_on.is_(None), Order.ordered_at >= start, Order.ordered_at < end))


def sheet(day: date) -> list[dict[str, Any]]:
    """Per product: tonnes, bags, bags produced and ready, and orders due that day, one grouped
    query; products wanted by a rush order first."""
    rush = func.max(case((Order.rush.is_(True), 1), else_=0))
    stmt = (select(Product.code, Product.name, Product.bag_weight_kg, func.sum(OrderLine.quantity_kg),
                   func.sum(OrderLine.bags), func.count(func.distinct(Order.id)), rush,
                   func.sum(OrderLine.produced_bags), func.sum(OrderLine.ready_bags))
            .join(OrderLine, OrderLine.product_id == Product.id).join(Order, Order.id == OrderLine.order_id)
            .where(Order.state.in_(TO_PRODUCE), _due(day))
            .group_by(Product.code, Product.name, Product.bag_weight_kg).order_by(rush.desc(), Product.code))
    return [{"code": code, "name": name, "bag_weight_kg": bag, "kg": int(kg), "bags": int(bags), "orders": n,
             "rush": bool(is_rush), "produced": int(produced or 0), "ready": int(ready or 0)}
            for code, name, bag, kg, bags, n, is_rush, produced, ready in db.session.execute(stmt)]


def orders_due(day: date, user: Any, limit: int = 200) -> list[Order]:
    """The orders behind the sheet, rush first, with their lines' stock-up (two queries)."""
    stmt = (restrict(select(Order), Order).where(Order.state.in_(TO_PRODUCE), _due(day))
            .order_by(Order.rush.desc(), Order.ordered_at).limit(limit))
    return list(db.session.scalars(stmt))


def load_sheet(record_id: int, user: Any) -> dict[str, Any]:
    """The printable sheet; the record id is the day as YYYYMMDD (within the date window)."""
    try:
        day = datetime.strptime(str(record_id), "%Y%m%d").date()
    except ValueError:
        abort(404)
    if not in_date_window(day):
        abort(404)
    return {"day": day, "rows": sheet(day)}
