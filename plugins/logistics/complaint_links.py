"""What logistics answers the complaints plugin (its hooks are optional: each plugin starts
without the other): the documents a complaint may name, the trace of a production batch
(生产批号 on the loaded lines), the replacement order of an approved exchange
and the return order of an approved return."""
from __future__ import annotations

from typing import Any

from core.api import hookimpl


class ComplaintLinks:
    """Mixed into the logistics plugin class; imports its models only when called."""

    @hookimpl(optionalhook=True)
    def complaint_documents(self, app, customer_id):
        from sqlalchemy import select

        from core.api import db, local_datetime
        from plugins.logistics.models import Order, OrderLine, Product, Trip, TripLine

        orders = db.session.execute(select(Order.number, Order.ordered_at).where(
            Order.customer_id == customer_id, Order.state != "cancelled")
            .order_by(Order.ordered_at.desc()).limit(50)).all()
        trips = db.session.execute(select(Trip.number, Trip.gross_at, Order.number).join(Order, Order.id == Trip.order_id)
                                   .where(Trip.customer_id == customer_id, Trip.state != "voided")
                                   .order_by(Trip.id.desc()).limit(50)).all()
        batches = db.session.execute(
            select(TripLine.batch_number, Product.name).join(Trip, Trip.id == TripLine.trip_id)
            .join(OrderLine, OrderLine.id == TripLine.order_line_id).join(Product, Product.id == OrderLine.product_id)
            .where(Trip.customer_id == customer_id, Trip.state != "voided", TripLine.batch_number.is_not(None))
            .group_by(TripLine.batch_number, Product.name).order_by(TripLine.batch_number.desc()).limit(50)).all()
        found: list[dict[str, Any]] = [
            {"kind": "order", "ref": number, "label": f"{number} ({local_datetime(at, 'yyyy-MM-dd')})", "product": None}
            for number, at in orders]
        found += [{"kind": "ticket", "ref": number, "label": f"{number} · {order}", "product": None}
                  for number, _at, order in trips]
        found += [{"kind": "batch", "ref": batch, "label": f"{batch} · {product}", "product": product}
                  for batch, product in batches]
        return found

    @hookimpl(optionalhook=True)
    def batch_trace(self, app, batch):
        from sqlalchemy import func, select

        from core.api import Customer, db
        from plugins.logistics.models import Order, OrderLine, Product, Trip, TripLine

        rows = db.session.execute(
            select(Customer.id, Customer.name, Order.number, Trip.number, Product.name,
                   func.sum(TripLine.kg), func.max(Trip.pass_used_at))
            .join(Trip, Trip.id == TripLine.trip_id).join(Order, Order.id == Trip.order_id)
            .join(Customer, Customer.id == Trip.customer_id)
            .join(OrderLine, OrderLine.id == TripLine.order_line_id).join(Product, Product.id == OrderLine.product_id)
            .where(TripLine.batch_number == batch, Trip.state != "voided")
            .group_by(Customer.id, Customer.name, Order.number, Trip.number, Product.name)).all()
        return [{"customer_id": cid, "customer": name, "order": order, "ticket": ticket, "product": product,
                 "kg": int(kg or 0), "left_at": left} for cid, name, order, ticket, product, kg, left in rows]

    @hookimpl(optionalhook=True)
    def complaint_remedy_order(self, app, complaint, kind, user):
        """An approved exchange: a free replacement order of the named order's lines; an approved
        return: a return order (退货单) the warehouse expects. Answers ``{"number", "url"}``."""
        from sqlalchemy import select

        from core.api import Customer, db, path_for
        from plugins.logistics.models import Order, Trip
        from plugins.logistics.returns import create_return, return_path
        from plugins.logistics.services import LineInput, create_order

        order = None
        if complaint.order_ref:
            order = db.session.scalar(select(Order).where(Order.number == complaint.order_ref,
                                                          Order.customer_id == complaint.customer_id))
        if order is None and complaint.ticket_ref:
            order = db.session.scalar(select(Order).join(Trip, Trip.order_id == Order.id).where(
                Trip.number == complaint.ticket_ref, Order.customer_id == complaint.customer_id))
        if order is None or not order.lines:
            return []
        if kind == "return":
            record = create_return(order, complaint.number, f"{complaint.number}: {complaint.description or ''}", user)
            return [{"number": record.number, "url": return_path(record)}]
        if kind != "exchange":
            return []
        lines = [LineInput(line.product, tonnes=f"{line.quantity_kg / 1000:g}") for line in order.lines]
        replacement = create_order(db.session.get(Customer, complaint.customer_id), lines, user,
                                   remarks=f"换货 / replacement: {complaint.number} ({order.number})")
        for line in replacement.lines:
            line.price_cents_per_tonne = 0
            line.amount_cents = 0
        return [{"number": replacement.number, "url": path_for("logistics.order", order_id=replacement.id)}]
