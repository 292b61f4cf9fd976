"""Demo receivables and an order contract: orders released on credit that left weeks and months ago,
partly paid, so the ageing list has something in every bucket; one order carries its contract."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.api import Customer, User, local_now, to_local, utcnow
from plugins.logistics.contracts import OrderContract
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.models import Order, Payment, Product, Trip, Vehicle
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
from plugins.logistics.timing import classify

# (customer index, days since the truck left, share of the bill paid)
CREDIT_ORDERS = [(8, 12, 0.5), (1, 45, 0.0), (2, 75, 0.3), (3, 120, 0.0), (0, 40, 0.6)]


def load_receivables(session: Session, rng: random.Random) -> None:
    users = {u.username: u for u in session.scalars(select(User))}
    office, manager, keeper, weigher = users["coordinator"], users["cmmanager"], users["keeper"], users["weigher"]
    customers = session.scalars(select(Customer).where(Customer.is_prospect.is_(False)).order_by(Customer.id)).all()
    products = session.scalars(select(Product).order_by(Product.code)).all()
    on_the_scale = select(Trip.vehicle_id).where(Trip.state.in_(("tare_weighed", "loaded", "gross_weighed")))
    trucks = session.scalars(select(Vehicle).where(Vehicle.id.not_in(on_the_scale)).order_by(Vehicle.plate)).all()
    for number, (index, days_ago, share) in enumerate(CREDIT_ORDERS):
        left = utcnow() - timedelta(days=days_ago)
        product, truck = products[number % len(products)], trucks[number % len(trucks)]
        order = create_order(customers[index % len(customers)], [LineInput(product, tonnes=str(rng.choice([10, 15, 20])))], office,
                             ordered_by="电话订货", transport="pickup", ordered_at=left - timedelta(days=1))
        for step, user in (("confirm_data", office), ("schedule", office), ("release_credit", manager),
                           ("confirm_products", keeper)):
            ORDER_FLOW.apply(order, step, user, "老客户，月结" if step == "release_credit" else "")
            if step == "release_credit":
                order.credit_released = True
        order.invoice_number = f"FP-{2026100 + number}"
        ORDER_FLOW.apply(order, "invoice", office)
        trip = take_tare(order, truck, truck.last_tare_kg + rng.randint(-40, 40), weigher, manual=True)
        load(trip, order.lines[0].bags, keeper)
        take_gross(trip, trip.tare_kg + order.lines[0].quantity_kg + rng.randint(-60, 60), weigher, manual=True)
        issue_pass(trip, office)
        use_pass(trip.pass_token, weigher)
        # the truck left back then: dates put back as stored facts, not edits in the history
        session.flush()
        session.execute(update(Trip).where(Trip.id == trip.id).values(pass_used_at=left))
        session.execute(update(Order).where(Order.id == order.id).values(
            left_at=left, timing=classify(to_local(order.ordered_at).date(), to_local(left).date())))
        if share:
            payment = record_payment(order, int(order.billed_cents * share), "transfer", office)
            session.flush()
            session.execute(update(Payment).where(Payment.id == payment.id).values(received_at=left + timedelta(days=5)))
        if number == 0:
            session.add(OrderContract(order_id=order.id, customer_id=order.customer_id, number="DH-2026-015",
                                      signed_on=(local_now() - timedelta(days=days_ago + 2)).date(),
                                      created_by=office.id))
