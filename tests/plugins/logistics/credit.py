"""Orders released on credit and shipped on back-dated trucks, for the receivables tests."""
from datetime import timedelta

from core.db import db, utcnow
from core.testing import make_user
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.services import (
    LineInput,
    create_order,
    issue_pass,
    load,
    record_payment,
    take_gross,
    take_tare,
    use_pass,
)


def credit_order(world, customer=None, tonnes="10"):
    """An order released on credit, invoiced and ready to load: 10 t at ¥3,260/t is ¥32,600 (250 bags)."""
    manager = world.get("credit_manager") or make_user("credit_manager", ("cm_manager",))
    world["credit_manager"] = manager
    order = create_order(customer or world["customer"], [LineInput(world["feed"], tonnes=tonnes)],
                         world["coordinator"], ordered_by="王老板", transport="pickup")
    ORDER_FLOW.apply(order, "confirm_data", world["coordinator"])
    ORDER_FLOW.apply(order, "schedule", world["coordinator"])
    ORDER_FLOW.apply(order, "release_credit", manager, "老客户")
    order.credit_released = True
    ORDER_FLOW.apply(order, "confirm_products", world["keeper"])
    order.invoice_number = "FP-1"
    ORDER_FLOW.apply(order, "invoice", world["coordinator"])
    db.session.commit()
    return order


def truck_leaves(world, order, bags, days_ago=0):
    """One truck takes ``bags`` of the order's first line and leaves ``days_ago`` days ago."""
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, bags, world["keeper"])
    take_gross(trip, 15200 + bags * order.lines[0].product.bag_weight_kg, world["weigher"])
    issue_pass(trip, world["coordinator"])
    use_pass(trip.pass_token, world["weigher"])
    trip.pass_used_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return trip


def pay(world, order, yuan, days_ago=0):
    payment = record_payment(order, yuan * 100, "transfer", world["coordinator"])
    payment.received_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return payment
